#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials

/// Another berth already manages this owner on this engine.
public struct OwnerLockError: Error, Sendable, CustomStringConvertible, Equatable {
    public var owner: String
    /// The endpoint as the lock keys it (`OwnerLock.normalise`).
    public var endpoint: String
    /// What the holder wrote into the lock file; nil when it had not written it yet.
    public var pid: Int32?
    public var purpose: String?
    public var stateDirectory: String?

    /// `another berth (pid 1234, watch, state /srv/a/state) manages owner 'shop' on
    /// unix:///run/docker.sock; stop it or choose another --owner`
    public var description: String {
        let parts = [pid.map { "pid \($0)" }, purpose, stateDirectory.map { "state \($0)" }].compactMap { $0 }
        let holder = parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))"
        return "another berth\(holder) manages owner '\(owner)' on \(endpoint); stop it or choose another --owner"
    }
}

/// One berth per owner and engine, across state folders: an exclusive open-file-description
/// lock on a machine-wide file named after the owner and the engine's endpoint. Two berths
/// with the same owner on one engine would otherwise race on the same containers even with
/// different `--state` folders.
///
/// The files live in `/run/berth/` (root), `$XDG_RUNTIME_DIR/berth/` or `/tmp/berth-UID/`,
/// a folder made 0700 and checked like the state folder. Each holds the holder's pid,
/// purpose, state folder, owner and endpoint, so a refusal names who holds it. The lock is
/// released (and its file removed) when the object goes or on `release()`, and by the kernel
/// when the process dies.
public final class OwnerLock: Sendable {
    /// The lock file.
    public let path: String
    private let descriptor: LockDescriptor

    private init(path: String, fd: Int32) {
        self.path = path
        // The file goes with the lock (unlinked while still held), so /run/berth keeps only
        // the locks of berths that run, plus any left by a crash, which are free to take.
        self.descriptor = LockDescriptor(fd, removing: path)
    }

    deinit {
        descriptor.close()
    }

    /// Takes the machine-wide lock for `owner` on `endpoint` (a Docker host as given:
    /// `unix:///var/run/docker.sock`, `tcp://host:2376`…).
    ///
    /// - Parameter directory: where the lock files live; nil for the default of the user
    ///   berth runs as (`defaultDirectory`). Tests pass their own.
    /// - Throws: `OwnerLockError` when another berth holds it; `StateFolderRefusal` when the
    ///   lock folder or file is a link or not ours; `SystemError` when they cannot be made.
    public static func acquire(owner: String, endpoint: String, purpose: String, stateDirectory: String,
                               directory: String? = nil) throws -> OwnerLock {
        let folder = directory ?? defaultDirectory()
        if try !StateFolderGuard.check(folder, is: .folder) {
            try StateFolderGuard.makeFolder(folder)
        }
        let key = normalise(endpoint: endpoint)
        let path = folder + "/" + fileName(owner: owner, endpoint: key)
        guard let fd = try FileLock.lockCurrentFile(path) else {
            let lines = FileLock.holderLines(path)
            func line(_ index: Int) -> String? { index < lines.count && !lines[index].isEmpty ? lines[index] : nil }
            throw OwnerLockError(owner: owner, endpoint: key, pid: line(0).flatMap { Int32($0) }, purpose: line(1),
                                 stateDirectory: line(2))
        }
        let state = StateFolderGuard.resolvedAllowingMissing(stateDirectory)
        FileLock.writeHolder(fd, lines: ["\(getpid())", purpose, state, owner, key])
        return OwnerLock(path: path, fd: fd)
    }

    /// Gives the lock back. Calling it again, or letting the object go afterwards, is harmless.
    public func release() {
        descriptor.close()
    }

    /// `/run/berth` for root, else `$XDG_RUNTIME_DIR/berth`, else `/tmp/berth-UID`.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let uid = geteuid()
        if uid == 0 { return "/run/berth" }
        if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/") { return runtime + "/berth" }
        return "/tmp/berth-\(uid)"
    }

    /// One spelling per engine: a unix socket by its real path (links resolved), a TCP
    /// engine as `tcp://host:port` whatever the scheme (tcp, http, https; the docker CLI's
    /// default ports 2375 and 2376 filled in). Anything else is kept as given.
    public static func normalise(endpoint: String) -> String {
        if endpoint.hasPrefix("/") || endpoint.hasPrefix("unix://") {
            let path = endpoint.hasPrefix("unix://") ? String(endpoint.dropFirst("unix://".count)) : endpoint
            return "unix://" + (StateFolderGuard.realPath(path) ?? path)
        }
        for (scheme, port) in [("tcp://", 2375), ("http://", 2375), ("https://", 2376)] where endpoint.lowercased().hasPrefix(scheme) {
            var address = endpoint.dropFirst(scheme.count)
            if let slash = address.firstIndex(of: "/") { address = address[..<slash] }
            var host = address.lowercased()
            // An IPv6 literal keeps its brackets; its port follows them.
            if host.hasPrefix("[") ? host.contains("]:") : host.contains(":") { return "tcp://" + host }
            if host.isEmpty { host = "localhost" }
            return "tcp://\(host):\(port)"
        }
        return endpoint
    }

    /// `OWNER-HASH.lock`: readable in a listing, the hash telling engines apart.
    static func fileName(owner: String, endpoint: String) -> String {
        let safe = owner.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
            && (1...100).contains(owner.count)
        let hash = fnv1a(owner + "\n" + endpoint)
        return (safe ? owner + "-" : "") + String(hash, radix: 16) + ".lock"
    }

    /// 64-bit FNV-1a: stable across runs and builds (Swift's Hasher is seeded per process).
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
