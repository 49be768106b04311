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
void heal();
// Write-like calls that failed since install().
int failures();
// Write-like calls seen since install(): lets a test find how many a scenario makes.
long long writes();

} // namespace qdtest::faultvfs
