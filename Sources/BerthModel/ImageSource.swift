/// Where a spec's image comes from: part of the desired state, as in the Cloudify Docker
/// plugin (import a tarball, build a folder) and the Cloud Foundry Docker buildpack.
public struct ImageSource: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Pulled from a registry when missing (or always, or never).
        case registry(pull: PullPolicy)
        /// A tarball streamed to the engine's import; `src` is a path or an http(s) URL.
        case importTarball(src: String)
        /// A folder sent to the engine's builder as a tar stream berth writes itself.
        case build(context: String, dockerfile: String, args: [String: String])
    }

    public var kind: Kind
    /// Content hash of the source (the tarball's bytes, or the build context's files and
    /// args), filled in when specs are read from disk. The image carries it in a label and is
    /// rebuilt or re-imported only when it changes; containers using it are replaced then.
    public var sourceHash: String?
    /// Where the source path was written, for errors found when it is read.
    public var position: JSONPosition?
    public var path: JSONPath?

    public init(kind: Kind = .registry(pull: .missing), sourceHash: String? = nil,
                position: JSONPosition? = nil, path: JSONPath? = nil) {
        self.kind = kind; self.sourceHash = sourceHash; self.position = position; self.path = path
    }

    public static func == (a: ImageSource, b: ImageSource) -> Bool { a.kind == b.kind && a.sourceHash == b.sourceHash }

    /// What enters the config hash: the kind and the content hash, never paths (moving a
    /// folder that holds the same bytes changes nothing).
    var canonical: JSONValue? {
        switch kind {
        case .registry: nil
        case .importTarball: .object(["kind": .string("import"), "hash": .string(sourceHash ?? "")])
        case .build: .object(["kind": .string("build"), "hash": .string(sourceHash ?? "")])
        }
    }
}

public enum PullPolicy: String, Sendable, Equatable, CaseIterable {
    case missing, always, never
}

/// Lexical path handling for spec-relative paths (the model does no I/O).
enum SpecPaths {
    static func resolve(_ path: String, relativeTo file: String) -> String {
        if path.hasPrefix("/") || path.hasPrefix("http://") || path.hasPrefix("https://") { return path }
        let directory = file.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return normalize((directory.isEmpty ? "." : directory) + "/" + path)
    }

    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == "..", let last = parts.last, last != ".." { parts.removeLast() } else { parts.append(part) }
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }
}
