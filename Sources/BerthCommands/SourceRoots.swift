import BerthModel
import BerthSystem
import FoundationEssentials
import Glibc

/// Where build contexts, Dockerfiles and import tarballs may come from: inside the specs
/// folder, or inside a folder the operator's policy lists in `buildRoots`. Paths are
/// resolved with their symbolic links first, so a link (or `../..`, or an absolute path)
/// cannot bake a private key from elsewhere into an image or stream /etc/shadow to the engine.
struct SourceRoots {
    /// How big a build context may be: a context of the wrong folder is found before it is sent.
    struct Limits {
        var maxFiles = 100_000
        var maxBytes: UInt64 = 2 << 30

        func check(_ context: BuildContext) throws {
            var files = 0
            var bytes: UInt64 = 0
            for entry in context.entries {
                guard case .file(let size) = entry.kind else { continue }
                files += 1
                bytes += size
            }
            if files > maxFiles {
                throw BerthError(.usage, "build context \(context.root) holds \(files) files, more than the limit of \(maxFiles); exclude what the image does not need in .dockerignore, or raise \"buildContext\": {\"maxFiles\"} in the policy")
            }
            if bytes > maxBytes {
                throw BerthError(.usage, "build context \(context.root) holds \(bytes) bytes, more than the limit of \(maxBytes); exclude what the image does not need in .dockerignore, or raise \"buildContext\": {\"maxBytes\"} in the policy")
            }
        }
    }

    let specsRoot: String
    /// The specs folder and the policy's build roots, resolved.
    let roots: [String]
    let limits: Limits

    init(specsRoot: String, policy: Policy?) {
        self.specsRoot = specsRoot
        roots = ([specsRoot] + (policy?.buildRoots ?? [])).compactMap(SourceRoots.resolve)
        var limits = Limits()
        if let files = policy?.maxContextFiles { limits.maxFiles = files }
        if let bytes = policy?.maxContextBytes { limits.maxBytes = bytes }
        self.limits = limits
    }

    /// The source with its paths resolved, or an error when one leads outside the roots.
    func confine(_ kind: ImageSource.Kind) throws -> ImageSource.Kind {
        switch kind {
        case .registry: return kind
        case .importTarball(let src):
            if src.hasPrefix("http://") || src.hasPrefix("https://") { return kind }
            guard let resolved = SourceRoots.resolve(src) else { throw BerthError(.io, "cannot read the image tarball \(src): it does not exist") }
            try inside(resolved, given: src, "image tarball")
            return .importTarball(src: resolved)
        case .build(let context, let dockerfile, let args):
            guard let resolved = SourceRoots.resolve(context) else {
                throw BerthError(.io, "build context \(context) does not exist or is not a folder")
            }
            try inside(resolved, given: context, "build context")
            if let file = SourceRoots.resolve(resolved + "/" + dockerfile), !Policy.isUnder(file, anyOf: [resolved]) {
                throw BerthError(.usage, "the Dockerfile \(dockerfile) of build context \(context) leads outside the context (to \(file)); a Dockerfile must be a file inside its context")
            }
            return .build(context: resolved, dockerfile: dockerfile, args: args)
        }
    }

    private func inside(_ resolved: String, given: String, _ what: String) throws {
        guard !Policy.isUnder(resolved, anyOf: roots) else { return }
        let via = resolved == given ? "" : " (it resolves to \(resolved))"
        throw BerthError(.usage, "\(what) \(given) is outside the specs folder \(specsRoot)\(via); keep build contexts and tarballs inside it, or list the folder under \"buildRoots\" in the operator's --policy")
    }

    /// The absolute path with every symbolic link resolved; nil when it does not exist.
    static func resolve(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }
}
