#ifndef BERTH_BUILD_INFO_H
#define BERTH_BUILD_INFO_H
/// The commit berth was built from: written by `make build` into generated/commit.h
/// (ignored by git), "unknown" for a plain `swift build`.
const char *berth_build_commit(void);
#endif
