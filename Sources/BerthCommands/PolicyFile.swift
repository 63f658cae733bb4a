import BerthModel
import FoundationEssentials
import Glibc

/// Loads the operator's `--policy` file. It must live outside the specs folder: whoever can
/// push a spec must not be able to rewrite the rules the spec is judged by.
enum PolicyFile {
    /// A policy is a short list; anything near this size is not one.
    static let maxBytes = 1 << 20

    static func load(_ path: String, specsDirectory: String) throws -> Policy {
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
        let specs = URL(fileURLWithPath: specsDirectory).resolvingSymlinksInPath().standardizedFileURL.path
        if resolved == specs || resolved.hasPrefix(specs == "/" ? "/" : specs + "/") {
            throw BerthError(.refused, "policy file \(path) is inside the specs folder \(specsDirectory): whoever can change a spec could change the policy; keep it outside, owned by the operator")
        }
        // lstat, as FileManager's attributes were read (their numbers cast only with Foundation).
        var info = stat()
        guard lstat(resolved, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw BerthError(.refused, "policy file \(path) does not exist or is not a file")
        }
        // As ssh treats its config: a policy others may rewrite is no policy.
        let mode = Int(info.st_mode & ~S_IFMT)
        let owner = info.st_uid
        if mode & 0o022 != 0 || (owner != 0 && owner != geteuid()) {
            throw BerthError(.refused, "policy file \(path) may be changed by other users (mode \(String(mode, radix: 8)), owner uid \(owner)); make it owned by root or by the user running berth and not writable by others (chmod go-w)")
        }
        if case let size = Int(info.st_size), size > maxBytes {
            throw BerthError(.refused, "policy file \(path) is \(size) bytes; a policy is at most \(maxBytes) bytes")
        }
        guard let data = FileManager.default.contents(atPath: resolved) else {
            throw BerthError(.io, "cannot read the policy file \(path)")
        }
        do { return try PolicyDecoder.decode(file: path, bytes: [UInt8](data)) } catch {
            throw BerthError(.refused, "invalid policy: \(error)")
        }
    }
}
