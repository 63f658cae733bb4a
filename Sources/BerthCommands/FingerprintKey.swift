import BerthModel
import Foundation

/// The state folder's own key for secret fingerprints (HMAC-SHA256): 32 random bytes in
/// `fingerprint.key`, readable by its owner only. Without it, a fingerprint in a plan, the
/// journal or configs.json could be checked against a dictionary of common passwords.
enum FingerprintKey {
    static let length = 32

    static func path(_ stateDirectory: String) -> String { stateDirectory + "/fingerprint.key" }

    /// The key, made when the state folder exists and holds none yet. Before the state folder
    /// exists (a first `plan`) nothing was stored to compare with: a key for this run only.
    static func load(stateDirectory: String) throws -> [UInt8] {
        let path = path(stateDirectory)
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 && errno == ENOENT {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: stateDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
                return random()
            }
            return try create(path)
        }
        guard fd >= 0 else { throw problem(path, "cannot be opened (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { throw problem(path, "is not a regular file") }
        var key = [UInt8](repeating: 0, count: length + 1)
        let count = read(fd, &key, key.count)
        guard count == length else { throw problem(path, "does not hold the \(length) bytes berth wrote") }
        return Array(key.prefix(length))
    }

    private static func create(_ path: String) throws -> [UInt8] {
        let key = random()
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        // Another berth made it at the same moment: use theirs.
        if fd < 0 && errno == EEXIST { return try load(stateDirectory: (path as NSString).deletingLastPathComponent) }
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
