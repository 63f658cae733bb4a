import BerthModel
import BerthSystem
import FoundationEssentials
import Glibc

/// Fills in the content hash of every imported or built image source (the only I/O the
/// decoder leaves for later). A source that cannot be read makes its file invalid, with the
/// error at the path that named it, so nothing it described is touched.
enum ImageSources {
    /// `specsRoot`: build contexts, Dockerfiles and tarballs must resolve (symbolic links
    /// followed) inside it, or inside one of the policy's `buildRoots`.
    static func fill(_ state: inout DesiredState, specsRoot: String, policy: Policy? = nil) {
        var failed: [String: SpecError] = [:]
        var cache: [String: String] = [:]
        let roots = SourceRoots(specsRoot: specsRoot, policy: policy)
        for index in state.specs.indices {
            let spec = state.specs[index]
            let key: String
            switch spec.imageSource.kind {
            case .registry: continue
            case .importTarball(let src): key = "import \(src)"
            case .build(let context, let dockerfile, let args):
                key = "build \(context) \(dockerfile) " + args.keys.sorted().map { "\($0)=\(args[$0]!)" }.joined(separator: "\u{0}")
            }
            do {
                state.specs[index].imageSource.kind = try roots.confine(spec.imageSource.kind)
                let hash = try cache[key] ?? digest(state.specs[index].imageSource.kind, limits: roots.limits)
                cache[key] = hash
                state.specs[index].imageSource.sourceHash = hash
            } catch {
                failed[spec.origin.file] = SpecError(
                    file: spec.origin.file, path: spec.imageSource.path ?? spec.origin.path,
                    position: spec.imageSource.position ?? spec.origin.position, message: "\(error)")
            }
        }
        FileDigestCache.shared.save()
        guard !failed.isEmpty else { return }
        state.specs.removeAll { failed[$0.origin.file] != nil }
        state.errors += failed.keys.sorted().map { failed[$0]! }
        state.invalidFiles += failed.keys.sorted()
    }

    static func digest(_ kind: ImageSource.Kind, limits: SourceRoots.Limits = .init()) throws -> String {
        switch kind {
        case .registry: return ""
        case .importTarball(let src):
            // A URL is fetched by the engine; its address stands for its content.
            if src.hasPrefix("http://") || src.hasPrefix("https://") { return SHA256.hex("url " + src) }
            if let marker = SavedImageArchive.marker(in: src) {
                throw BerthError(.invalidSpec, "\(src) is a `docker save` archive (it holds \(marker)), not a root file system tarball",
                                 cause: "load it with `docker load -i \(src)` and name the image it holds as a plain \"image\"; \"import\" takes a file system, as `docker export` writes it")
            }
            return try fileDigest(src)
        case .build(let context, let dockerfile, let args):
            guard FileSystem.isDirectory(context) else {
                throw BerthError(.io, "build context \(context) does not exist or is not a folder")
            }
            guard FileManager.default.fileExists(atPath: context + "/" + dockerfile) else {
                throw BerthError(.io, "build context \(context) has no \(dockerfile)")
            }
            let scanned = try BuildContext(scanning: context, dockerfile: dockerfile)
            try limits.check(scanned)
            let files = try scanned.digest(using: SHA256.hex, cache: FileDigestCache.shared)
            let argText = args.keys.sorted().map { "\($0)=\(args[$0]!)" }.joined(separator: "\n")
            return SHA256.hex("build 1\n\(dockerfile)\n\(files)\n\(argText)")
        }
    }

    /// The tarball's bytes, read in pieces: an image can be gigabytes.
    static func fileDigest(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw BerthError(.io, "cannot read the image tarball \(path)")
        }
        defer { close(fd) }
        var hasher = SHA256.Hasher()
        try FileSystem.forEachChunk(of: fd, path: path) { hasher.update($0) }
        return hasher.hexDigest()
    }
}
