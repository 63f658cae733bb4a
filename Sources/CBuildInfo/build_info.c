#include "berth_build_info.h"
// A C file because Swift has no compile-time string from outside the source; only this file
// is rebuilt when the commit changes.
#if __has_include("generated/commit.h")
#include "generated/commit.h"
#endif
#ifndef BERTH_COMMIT
#define BERTH_COMMIT "unknown"
#endif
const char *berth_build_commit(void) { return BERTH_COMMIT; }
