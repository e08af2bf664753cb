#pragma once
// Counts the calls to the global operator new made by each thread, so the
// benchmarks can report allocations per call beside its time (the request
// path should allocate a fixed, small number of times per call). The
// replacement operators live in alloc_counter.cc, linked into the bench
// binaries only. malloc() called directly (OpenSSL, SQLite) is not counted.
// Private to bench/.

#include <cstdint>

namespace bp::bench {

// operator new calls made by the calling thread so far.
uint64_t ThreadAllocations();

}  // namespace bp::bench
