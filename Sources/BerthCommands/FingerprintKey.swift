import BerthModel
import FoundationEssentials
import Glibc

/// The state folder's own key for secret fingerprints (HMAC-SHA256): 32 random bytes in
/// `fingerprint.key`, readable by its owner only. Without it, a fingerprint in a plan, the
/// journal or configs.json could be checked against a dictionary of common passwords.
enum FingerprintKey {
    static let length = 32

    static func path(_ stateDirectory: String) -> String { stateDirectory + "/fingerprint.key" }

    /// The key in the state folder; before one is stored (a first `plan`, nothing recorded to
    /// compare with yet) a key for this run only. Reading writes nothing: `plan` writes nothing.
    static func load(stateDirectory: String) throws -> [UInt8] {
        try stored(path(stateDirectory)) ?? random()
    }

    /// The key stored in the state folder, nil before one is (a saved plan then carries its own digest key).
    static func stored(stateDirectory: String) throws -> [UInt8]? {
        try stored(path(stateDirectory))
    }

    /// Stores `key` when the state folder holds none yet, and returns the key in force: the
    /// one configurations are fingerprinted with when they are recorded (`ConfigStore.save`).
    static func keep(_ key: [UInt8], stateDirectory: String) throws -> [UInt8] {
        let path = path(stateDirectory)
        if let existing = try stored(path) { return existing }
        return try create(path, key: key)
    }

    private static func stored(_ path: String) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 && errno == ENOENT { return nil }
        guard fd >= 0 else { throw problem(path, "cannot be opened (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { throw problem(path, "is not a regular file") }
        var key = [UInt8](repeating: 0, count: length + 1)
        let count = read(fd, &key, key.count)
        guard count == length else { throw problem(path, "does not hold the \(length) bytes berth wrote") }
        return Array(key.prefix(length))
    }

    private static func create(_ path: String, key: [UInt8]) throws -> [UInt8] {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        // Another berth made it at the same moment: use theirs.
        if fd < 0 && errno == EEXIST, let theirs = try stored(path) { return theirs }
        guard fd >= 0 else { throw problem(path, "cannot be created (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        guard write(fd, key, key.count) == key.count, fsync(fd) == 0 else {
            unlink(path)
            throw problem(path, "cannot be written (\(String(cString: strerror(errno))))")
        }
        return key
    }

    private static func random() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    private static func problem(_ path: String, _ what: String) -> BerthError {
        BerthError(.io, "the fingerprint key \(path) \(what); remove it and berth makes a new one (secret changes are then shown once as changed)")
    }
}
