#include "iostats.h"

#include <sqlite3.h>

#include <chrono>
#include <cstring>

namespace qdbench {

namespace {

IoStats g_stats;
sqlite3_vfs *g_real = nullptr;
sqlite3_vfs g_vfs;
sqlite3_io_methods g_methods;

struct CountedFile {
    sqlite3_file base;
    sqlite3_file *real;
    FileIo *io;
};

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

sqlite3_file *real(sqlite3_file *f)
{
    return reinterpret_cast<CountedFile *>(f)->real;
}

FileIo &io(sqlite3_file *f)
{
    return *reinterpret_cast<CountedFile *>(f)->io;
}

int countedClose(sqlite3_file *f)
{
    sqlite3_file *r = real(f);
    return r->pMethods ? r->pMethods->xClose(r) : SQLITE_OK;
}

int countedRead(sqlite3_file *f, void *buf, int amount, sqlite3_int64 offset)
{
    io(f).reads += 1;
    io(f).readBytes += amount;
    return real(f)->pMethods->xRead(real(f), buf, amount, offset);
}

int countedWrite(sqlite3_file *f, const void *buf, int amount, sqlite3_int64 offset)
{
    const qint64 start = nowNs();
    const int rc = real(f)->pMethods->xWrite(real(f), buf, amount, offset);
    io(f).writes += 1;
    io(f).writeBytes += amount;
    io(f).writeNs += nowNs() - start;
    return rc;
}

int countedTruncate(sqlite3_file *f, sqlite3_int64 size)
{
    return real(f)->pMethods->xTruncate(real(f), size);
}

int countedSync(sqlite3_file *f, int flags)
{
    const qint64 start = nowNs();
    const int rc = real(f)->pMethods->xSync(real(f), flags);
    io(f).syncs += 1;
    io(f).syncNs += nowNs() - start;
    return rc;
}

int countedFileSize(sqlite3_file *f, sqlite3_int64 *size)
{
    return real(f)->pMethods->xFileSize(real(f), size);
}

int countedLock(sqlite3_file *f, int lock)
{
    return real(f)->pMethods->xLock(real(f), lock);
}

int countedUnlock(sqlite3_file *f, int lock)
{
    return real(f)->pMethods->xUnlock(real(f), lock);
}

int countedCheckReservedLock(sqlite3_file *f, int *out)
{
    return real(f)->pMethods->xCheckReservedLock(real(f), out);
}

int countedFileControl(sqlite3_file *f, int op, void *arg)
{
    return real(f)->pMethods->xFileControl(real(f), op, arg);
}

int countedSectorSize(sqlite3_file *f)
{
    return real(f)->pMethods->xSectorSize(real(f));
}

int countedDeviceCharacteristics(sqlite3_file *f)
{
    return real(f)->pMethods->xDeviceCharacteristics(real(f));
}

int countedShmMap(sqlite3_file *f, int page, int pageSize, int extend, void volatile **out)
{
    return real(f)->pMethods->xShmMap(real(f), page, pageSize, extend, out);
}

int countedShmLock(sqlite3_file *f, int offset, int n, int flags)
{
    return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}

void countedShmBarrier(sqlite3_file *f)
{
    real(f)->pMethods->xShmBarrier(real(f));
}

int countedShmUnmap(sqlite3_file *f, int deleteFlag)
{
    return real(f)->pMethods->xShmUnmap(real(f), deleteFlag);
}

int countedFetch(sqlite3_file *f, sqlite3_int64 offset, int amount, void **out)
{
    return real(f)->pMethods->xFetch(real(f), offset, amount, out);
}

int countedUnfetch(sqlite3_file *f, sqlite3_int64 offset, void *p)
{
    return real(f)->pMethods->xUnfetch(real(f), offset, p);
}

int countedOpen(sqlite3_vfs *, sqlite3_filename name, sqlite3_file *file, int flags, int *outFlags)
{
    auto *p = reinterpret_cast<CountedFile *>(file);
    p->real = reinterpret_cast<sqlite3_file *>(p + 1);
    p->io = (flags & SQLITE_OPEN_MAIN_DB) ? &g_stats.db
        : (flags & SQLITE_OPEN_WAL)       ? &g_stats.wal
                                          : &g_stats.other;
    const int rc = g_real->xOpen(g_real, name, p->real, flags, outFlags);
    p->base.pMethods = p->real->pMethods ? &g_methods : nullptr;
    return rc;
}

} // namespace

void installIoCounters()
{
    if (g_real)
        return;
    sqlite3_initialize();
    g_real = sqlite3_vfs_find(nullptr);
    // The real VFS's own functions get our struct, which carries its pAppData and limits.
    g_vfs = *g_real;
    g_vfs.zName = "qdbench-counted";
    g_vfs.pNext = nullptr;
    g_vfs.szOsFile = int(sizeof(CountedFile)) + g_real->szOsFile;
    g_vfs.xOpen = countedOpen;

    std::memset(&g_methods, 0, sizeof g_methods);
    g_methods.iVersion = 3;
    g_methods.xClose = countedClose;
    g_methods.xRead = countedRead;
    g_methods.xWrite = countedWrite;
    g_methods.xTruncate = countedTruncate;
    g_methods.xSync = countedSync;
    g_methods.xFileSize = countedFileSize;
    g_methods.xLock = countedLock;
    g_methods.xUnlock = countedUnlock;
    g_methods.xCheckReservedLock = countedCheckReservedLock;
    g_methods.xFileControl = countedFileControl;
    g_methods.xSectorSize = countedSectorSize;
    g_methods.xDeviceCharacteristics = countedDeviceCharacteristics;
    g_methods.xShmMap = countedShmMap;
    g_methods.xShmLock = countedShmLock;
    g_methods.xShmBarrier = countedShmBarrier;
    g_methods.xShmUnmap = countedShmUnmap;
    g_methods.xFetch = countedFetch;
    g_methods.xUnfetch = countedUnfetch;
    sqlite3_vfs_register(&g_vfs, 1);
}

IoStats ioStats()
{
    return g_stats;
}

void resetIoStats()
{
    g_stats = {};
}

} // namespace qdbench
