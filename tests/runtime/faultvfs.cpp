#include "faultvfs.h"

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

namespace qdtest::faultvfs {

namespace {

sqlite3_vfs *g_real = nullptr;
sqlite3_vfs g_vfs;
std::atomic<int> g_countdown { -1 }; // -1: healed; 0: failing; n > 0: n - 1 more go through
std::atomic<int> g_error { SQLITE_FULL };
std::atomic<int> g_failures { 0 };
std::atomic<int> g_syncFailures { 0 };
std::atomic<long long> g_writes { 0 };
std::mutex g_holdMutex;
std::condition_variable g_released;
bool g_holding = false;
std::atomic<bool> g_failSyncs { false };
std::atomic<int> g_held { 0 };
std::atomic<int> g_heldOnHolder { 0 };
std::thread::id g_holder;

struct FaultFile {
    sqlite3_file base;
    sqlite3_file *real; // stored right after this struct, in the same allocation
};

sqlite3_file *real(sqlite3_file *f)
{
    return reinterpret_cast<FaultFile *>(f)->real;
}

// True when this write-like call must fail.
bool fault()
{
    ++g_writes;
    int n = g_countdown.load();
    while (n > 0 && !g_countdown.compare_exchange_weak(n, n - 1)) { }
    if (n == 1 || n == 0) {
        ++g_failures;
        return true;
    }
    return false;
}

int xClose(sqlite3_file *f)
{
    const int rc = real(f)->pMethods ? real(f)->pMethods->xClose(real(f)) : SQLITE_OK;
    f->pMethods = nullptr;
    return rc;
}
int xRead(sqlite3_file *f, void *p, int n, sqlite3_int64 o)
{
    return real(f)->pMethods->xRead(real(f), p, n, o);
}
int xWrite(sqlite3_file *f, const void *p, int n, sqlite3_int64 o)
{
    return fault() ? g_error.load() : real(f)->pMethods->xWrite(real(f), p, n, o);
}
int xTruncate(sqlite3_file *f, sqlite3_int64 size)
{
    return fault() ? g_error.load() : real(f)->pMethods->xTruncate(real(f), size);
}
int xSync(sqlite3_file *f, int flags)
{
    {
        std::unique_lock lock(g_holdMutex);
        if (g_holding) {
            ++g_held;
            if (std::this_thread::get_id() == g_holder)
                ++g_heldOnHolder;
            g_released.wait_for(lock, std::chrono::seconds(30), [] { return !g_holding; });
        }
    }
    if (g_failSyncs || fault()) {
        g_failures += g_failSyncs ? 1 : 0;
        ++g_syncFailures;
        return SQLITE_IOERR_FSYNC;
    }
    return real(f)->pMethods->xSync(real(f), flags);
}
int xFileSize(sqlite3_file *f, sqlite3_int64 *size)
{
    return real(f)->pMethods->xFileSize(real(f), size);
}
int xLock(sqlite3_file *f, int l)
{
    return real(f)->pMethods->xLock(real(f), l);
}
int xUnlock(sqlite3_file *f, int l)
{
    return real(f)->pMethods->xUnlock(real(f), l);
}
int xCheckReservedLock(sqlite3_file *f, int *out)
{
    return real(f)->pMethods->xCheckReservedLock(real(f), out);
}
int xFileControl(sqlite3_file *f, int op, void *arg)
{
    return real(f)->pMethods->xFileControl(real(f), op, arg);
}
int xSectorSize(sqlite3_file *f)
{
    return real(f)->pMethods->xSectorSize(real(f));
}
int xDeviceCharacteristics(sqlite3_file *f)
{
    return real(f)->pMethods->xDeviceCharacteristics(real(f));
}
int xShmMap(sqlite3_file *f, int region, int size, int extend, void volatile **out)
{
    return real(f)->pMethods->xShmMap(real(f), region, size, extend, out);
}
int xShmLock(sqlite3_file *f, int offset, int n, int flags)
{
    return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
void xShmBarrier(sqlite3_file *f)
{
    real(f)->pMethods->xShmBarrier(real(f));
}
int xShmUnmap(sqlite3_file *f, int deleteFlag)
{
    return real(f)->pMethods->xShmUnmap(real(f), deleteFlag);
}
int xFetch(sqlite3_file *f, sqlite3_int64 o, int n, void **out)
{
    return real(f)->pMethods->xFetch(real(f), o, n, out);
}
int xUnfetch(sqlite3_file *f, sqlite3_int64 o, void *p)
{
    return real(f)->pMethods->xUnfetch(real(f), o, p);
}

const sqlite3_io_methods kMethods = { 3, xClose, xRead, xWrite, xTruncate, xSync, xFileSize, xLock, xUnlock,
    xCheckReservedLock, xFileControl, xSectorSize, xDeviceCharacteristics, xShmMap, xShmLock, xShmBarrier,
    xShmUnmap, xFetch, xUnfetch };

int xOpen(sqlite3_vfs *, sqlite3_filename name, sqlite3_file *f, int flags, int *outFlags)
{
    auto *file = reinterpret_cast<FaultFile *>(f);
    file->real = reinterpret_cast<sqlite3_file *>(file + 1);
    std::memset(file->real, 0, size_t(g_real->szOsFile));
    const int rc = g_real->xOpen(g_real, name, file->real, flags, outFlags);
    f->pMethods = file->real->pMethods ? &kMethods : nullptr;
    return rc;
}

} // namespace

void install()
{
    if (g_real)
        return;
    g_real = sqlite3_vfs_find(nullptr);
    g_vfs = *g_real;
    g_vfs.zName = "qdtest-faults";
    g_vfs.szOsFile = int(sizeof(FaultFile)) + g_real->szOsFile;
    g_vfs.xOpen = xOpen;
    g_vfs.pNext = nullptr;
    sqlite3_vfs_register(&g_vfs, 1);
}

void failFrom(int nth, int sqliteError)
{
    g_error = sqliteError;
    g_countdown = nth < 1 ? 1 : nth;
}

void failSyncs()
{
    g_failSyncs = true;
}

void heal()
{
    g_countdown = -1;
    g_failSyncs = false;
}

int failures()
{
    return g_failures.load();
}

int syncFailures()
{
    return g_syncFailures.load();
}

long long writes()
{
    return g_writes.load();
}

void holdSyncs()
{
    const std::lock_guard lock(g_holdMutex);
    g_holding = true;
    g_holder = std::this_thread::get_id();
}

void releaseSyncs()
{
    {
        const std::lock_guard lock(g_holdMutex);
        g_holding = false;
    }
    g_released.notify_all();
}

int syncsHeld()
{
    return g_held.load();
}

int syncsHeldOnHoldingThread()
{
    return g_heldOnHolder.load();
}

} // namespace qdtest::faultvfs
