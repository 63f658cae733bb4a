/// The targets a spec may name: the three implicit ones, and those a berth.json describes
/// (named Docker hosts, Swarm clusters, Kubernetes contexts) with their groups. Pure: the
/// commands read the file; `TargetCatalog.parse` checks it, every error with its position.
public struct TargetCatalog: Sendable, Equatable {
    /// One target as berth.json describes it; paths are already made absolute (relative to
    /// the file's folder), so they mean the same whatever the working directory.
    public struct Entry: Sendable, Equatable {
        public var name: TargetName
        public var platform: PlatformID
        /// Docker and Swarm: unix://PATH, tcp://HOST:PORT or ssh://[USER@]HOST[:PORT]; nil:
        /// DOCKER_HOST, as the implicit targets.
        public var host: String?
        /// tcp:// with TLS: the CA to check the engine with, and the client's certificate and key.
        public var tls: TLSFiles?
        /// ssh:// settings of this target only (no ~/.ssh/config edits needed).
        public var ssh: SSHSettings?
        /// Kubernetes: the kubeconfig context and file; nil: the kubeconfig's current context.
        public var context: String?
        public var kubeconfig: String?
        public init(name: TargetName, platform: PlatformID, host: String? = nil, tls: TLSFiles? = nil, ssh: SSHSettings? = nil,
                    context: String? = nil, kubeconfig: String? = nil) {
            self.name = name; self.platform = platform; self.host = host; self.tls = tls; self.ssh = ssh
            self.context = context; self.kubeconfig = kubeconfig
        }
    }

    public struct TLSFiles: Sendable, Equatable {
        public var ca: String?
        public var cert: String?
        public var key: String?
        public init(ca: String? = nil, cert: String? = nil, key: String? = nil) { self.ca = ca; self.cert = cert; self.key = key }
    }

    public struct SSHSettings: Sendable, Equatable {
        public var identityFile: String?
        public var knownHostsFile: String?
        public var port: Int?
        /// Extra `-o KEY=VALUE` options, passed as written.
        public var options: [String]
        public init(identityFile: String? = nil, knownHostsFile: String? = nil, port: Int? = nil, options: [String] = []) {
            self.identityFile = identityFile; self.knownHostsFile = knownHostsFile; self.port = port; self.options = options
        }
    }

    /// What a spec's `target` names: one target, or a group fanned out over its members.
    public enum Resolution: Sendable, Equatable {
        case target(TargetName, PlatformID)
        case group(String, [TargetName], PlatformID)

        public var members: [TargetName] {
            switch self {
            case .target(let name, _): [name]
            case .group(_, let members, _): members
            }
        }
        public var platform: PlatformID {
            switch self {
            case .target(_, let platform), .group(_, _, let platform): platform
            }
        }
    }

    public var targets: [TargetName: Entry]
    public var groups: [String: [TargetName]]
    /// The berth.json read, nil without one.
    public var file: String?

    public init(targets: [TargetName: Entry] = [:], groups: [String: [TargetName]] = [:], file: String? = nil) {
        var all = TargetCatalog.implicitEntries
        all.merge(targets) { _, named in named }
        self.targets = all; self.groups = groups; self.file = file
    }

    /// No berth.json: docker, swarm and kubernetes, as in berth v1.
    public static let implicit = TargetCatalog()

    static var implicitEntries: [TargetName: Entry] {
        Dictionary(uniqueKeysWithValues: TargetName.implicit.map { ($0, Entry(name: $0, platform: PlatformID.implicit($0)!)) })
    }

    public func resolve(_ word: String) -> Resolution? {
        if let entry = targets[TargetName(word)] { return .target(entry.name, entry.platform) }
        if let members = groups[word], let first = members.first, let platform = targets[first]?.platform {
            return .group(word, members, platform)
        }
        return nil
    }

    /// Every word a spec's `target` may be, sorted: for errors and "did you mean".
    public var words: [String] { (targets.keys.map(\.rawValue) + groups.keys).sorted() }

    /// The platform of a target; nil for one no longer described (its resources are still
    /// found through the state folder's record, never acted on without a description).
    public func platform(of target: TargetName) -> PlatformID? { targets[target]?.platform }

    /// The targets described by the file (not the implicit ones it leaves as they are).
    public var named: [Entry] { targets.values.filter { !$0.name.isImplicit || $0 != TargetCatalog.implicitEntries[$0.name] }.sorted { $0.name < $1.name } }
}

extension TargetCatalog.Resolution {
    /// What the spec wrote: the target's or the group's name.
    public var word: String {
        switch self {
        case .target(let name, _): name.rawValue
        case .group(let group, _, _): group
        }
    }
}

extension TargetCatalog {
    /// One spec per member of its group (a spec naming one target comes back as it is): the
    /// same content, its own target, so each member plans, names and labels its own replicas.
    public func fannedOut(_ spec: Spec) -> [Spec] {
        guard let group = spec.group, let members = groups[group] else { return [spec] }
        return members.map { var copy = spec; copy.target = $0; return copy }
    }
}

extension FieldReader {
    /// A spec's `target`: a target or a group of the catalog, else an error with the closest word.
    mutating func target(_ node: JSONNode, _ path: JSONPath) -> TargetCatalog.Resolution? {
        guard let word = string(node, path) else { return nil }
        if let resolution = catalog.resolve(word) { return resolution }
        let hint = Suggest.near(word, catalog.words).map { " (did you mean \"\($0)\"?)" } ?? ""
        let known = catalog.words.map { "\"\($0)\"" }.joined(separator: ", ")
        fail(node, path, "unknown target \(quoted(word))\(hint); expected one of \(known)"
             + (catalog.file.map { " (targets and groups of \($0))" } ?? " (more are described in berth.json)"))
        return nil
    }
}
