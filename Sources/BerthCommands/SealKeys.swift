import BerthModel
import BerthSeal
import BerthSystem
import FoundationEssentials
import Glibc

/// The installation's key pair for sealed secrets, under STATE/keys/: `seal.key` (the private
/// key, 0600, in a 0700 folder) and `seal.pub`. Made once by `berth keys init`, never replaced
/// by berth: every value sealed for it would stop opening.
enum SealKeys {
    static func folder(_ stateDirectory: String) -> String { stateDirectory + "/keys" }
    static func privatePath(_ stateDirectory: String) -> String { folder(stateDirectory) + "/seal.key" }
    static func publicPath(_ stateDirectory: String) -> String { folder(stateDirectory) + "/seal.pub" }

    /// The private key, or nil when `keys init` was never run here.
    static func load(stateDirectory: String) throws -> SealKey? {
        let path = privatePath(stateDirectory)
        let bytes: [UInt8]?
        do {
            try StateFolderGuard.check(folder(stateDirectory), is: .folder, reading: true)
            bytes = try StateFolderGuard.read(path)
        } catch let refusal as StateFolderRefusal {
            throw BerthError(.refused, refusal.message)
        } catch {
            throw BerthError(.io, "cannot read the seal key \(path): \(error)")
        }
        guard let bytes else { return nil }
        do { return try SealKey(privatePEM: bytes) } catch {
            throw BerthError(.io, "the seal key \(path) cannot be used: \(error); restore it from your backup")
        }
    }

    /// The key to seal for: the installation's public key (seal.pub, else the private key's).
    static func loadPublic(stateDirectory: String) throws -> SealKey? {
        if let bytes = try? StateFolderGuard.read(publicPath(stateDirectory)), let key = try? SealKey(publicPEM: bytes) { return key }
        return try load(stateDirectory: stateDirectory)
    }

    /// Makes the key pair; refuses when a private key is already there.
    static func create(_ settings: Settings) throws -> SealKey {
        let directory = settings.stateDirectory
        let path = privatePath(directory)
        do {
            try StateFolderGuard.prepare(directory, specsDirectory: settings.specsDirectory)
            try StateFolderGuard.makeFolders(folder(directory), inside: directory)
        } catch let refusal as StateFolderRefusal {
            throw BerthError(.refused, refusal.message)
        }
        if let existing = try load(stateDirectory: directory) {
            throw BerthError(.refused, "\(path) already holds key \(existing.fingerprint): berth never replaces a seal key, since values sealed for it could no longer be opened; `berth keys show` prints it. To start over with a new key, move the old one away first and seal every value again")
        }
        let key = try sealing { try SealKey.generate() }
        let privatePEM = try sealing { try key.privatePEM() }
        // O_EXCL: of two `keys init` at once, one makes the key and the other is refused.
        let fd: Int32
        do {
            fd = try StateFolderGuard.open(path, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
        } catch let error as SystemError where error.errno == EEXIST {
            throw BerthError(.refused, "\(path) was made by another berth at the same moment; `berth keys show` prints it")
        }
        let written = privatePEM.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == privatePEM.count, synced else {
            unlink(path)
            throw BerthError(.io, "cannot write the seal key \(path) (\(String(cString: strerror(errno))))")
        }
        try StateFolderGuard.write(try sealing { try key.publicPEM() }, to: publicPath(directory))
        return key
    }

    /// A key problem from BerthSeal, as berth's error.
    static func sealing<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as SealError { throw BerthError(.io, error.message) }
    }
}
