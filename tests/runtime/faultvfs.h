#pragma once

// A SQLite VFS for tests that wraps the platform's own and fails writes on demand, as a full
// or failing disk would: once armed, the n-th write, sync or truncate of any file from then
// on fails, and so does every one after it until heal(). Installed as the default VFS, so a
// store opened by the code under test goes through it unchanged.

namespace qdtest::faultvfs {

// Registers the VFS as the process's default (once; later calls do nothing).
void install();
// The `nth` write-like call from now on (1 = the next) fails with `sqliteError` (e.g.
// SQLITE_FULL, SQLITE_IOERR), and every later one until heal().
void failFrom(int nth, int sqliteError);
// Every sync fails (and nothing else) until heal().
void failSyncs();
void heal();
// Write-like calls that failed since install(), and how many of them were syncs.
int failures();
int syncFailures();
// Write-like calls seen since install(): lets a test find how many a scenario makes.
long long writes();
// From now on every sync waits (in whichever thread made it) until releaseSyncs(), or 30 s
// at most, as a slow disk would make it.
void holdSyncs();
void releaseSyncs();
// Syncs that started waiting since install(), all of them and those made on the thread that
// called holdSyncs().
int syncsHeld();
int syncsHeldOnHoldingThread();

} // namespace qdtest::faultvfs
