#if canImport(Glibc)
import Glibc
#endif

/// posix_spawn with what every child of berth gets besides its file actions: default signal
/// handling and an empty signal mask (Swift's threads block some signals; a child must not
/// inherit that), and a process group of its own, so that stopping it stops whatever it
/// started as well.
public enum Spawn {
    /// `argv[0]` is the program's path; `environment` holds `NAME=value` entries. Returns an errno.
    public static func start(_ argv: [String], environment: [String], actions: inout posix_spawn_file_actions_t, pid: inout pid_t) -> Int32 {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let arguments = argv.map { strdup($0) } + [nil]
        let variables = environment.map { strdup($0) } + [nil]
        defer {
            arguments.forEach { free($0) }
            variables.forEach { free($0) }
        }
        return posix_spawn(&pid, argv[0], &actions, &attributes, arguments, variables)
    }

    /// Closes every descriptor from 3 up in the child (`posix_spawn_file_actions_addclosefrom_np`,
    /// glibc 2.34+), so that a long-lived child holds none of berth's sockets, journal or lock.
    /// A no-op where the C library lacks it (descriptors opened with CLOEXEC are closed anyway).
    public static func closeOthers(_ actions: inout posix_spawn_file_actions_t) {
        // Swift's Glibc module does not export it: looked up at run time.
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
        }
    }
}
