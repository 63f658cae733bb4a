import BerthSystem
import FoundationEssentials
import BerthModel

/// Finds the kubeconfig the way kubectl does and turns the selected context into
/// `KubeConnectionSettings`.
///
/// Precedence, as kubectl and client-go's default loading rules have it:
/// 1. `--kubeconfig PATH` alone (it must exist);
/// 2. else every file in `$KUBECONFIG` (split on ':', empty entries ignored, missing
///    files skipped);
/// 3. else `$HOME/.kube/config` if it exists;
/// 4. else, when none of those yields a file (empty files count as none, as in
///    client-go), no `--context` was given, and
///    `KUBERNETES_SERVICE_HOST`/`KUBERNETES_SERVICE_PORT` are set, the in-cluster
///    service account (`InClusterConfig`), as client-go falls back to it.
///
/// Several files merge as kubectl merges them: for clusters, users and contexts the
/// first file that defines a name wins, whole; `current-context` comes from the first
/// file that sets it. Relative paths are relative to the file that holds them.
///
/// ```swift
/// let settings = try KubeconfigLoader(kubeconfig: flags.kubeconfig, context: flags.context).load()
/// ```
public struct KubeconfigLoader: Sendable {
    /// `--kubeconfig`: when set, the only file read.
    public var kubeconfig: String?
    /// `--context`: when set, used instead of the files' `current-context`.
    public var context: String?
    /// Where `KUBECONFIG`, `HOME` and the in-cluster variables are read from.
    public var environment: [String: String]
    /// The service-account folder for in-cluster credentials; tests point it elsewhere.
    public var serviceAccountDirectory: String

    /// Creates a loader; by default it reads the process environment and the real
    /// service-account folder.
    public init(kubeconfig: String? = nil, context: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                serviceAccountDirectory: String = InClusterConfig.defaultDirectory) {
        self.kubeconfig = kubeconfig
        self.context = context
        self.environment = environment
        self.serviceAccountDirectory = serviceAccountDirectory
    }

    /// The files kubectl would consider, in precedence order, whether or not they exist.
    public var searchPaths: [String] {
        if let kubeconfig { return [kubeconfig] }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            var seen = Set<String>()
            // kubectl ignores a file listed twice after its first mention.
            return list.split(separator: ":").map(String.init).filter { seen.insert($0).inserted }
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? FileManager.default.homeDirectoryForCurrentUser.path
        return [FileSystem.appending(".kube/config", to: home)]
    }

    /// Reads the files, selects the context and returns its connection settings.
    ///
    /// Every failure is one line naming the file and what to change: no kubeconfig
    /// (with where berth looked), an unknown context (with the known ones), a missing
    /// cluster, user or server, YAML errors as `FILE:LINE:COLUMN: message`, wrong types as
    /// `FILE: users[0].user.token: expected a string`, credentials berth cannot use.
    public func load() throws(BerthError) -> KubeConnectionSettings {
        let files = try readFiles().filter { !$0.isEmpty }
        if files.isEmpty {
            // An explicit --kubeconfig or --context asks for a kubeconfig, not the pod's identity.
            if kubeconfig == nil, context == nil, let settings = try InClusterConfig(environment: environment, directory: serviceAccountDirectory).load() {
                return settings
            }
            throw BerthError(.usage, noKubeconfigMessage())
        }
        return try select(in: KubeconfigMerge(files))
    }

    /// The existing files among `searchPaths`, decoded; an explicit `--kubeconfig` must exist.
    func readFiles() throws(BerthError) -> [KubeconfigFile] {
        if let kubeconfig {
            guard FileManager.default.fileExists(atPath: kubeconfig) else {
                throw BerthError(.io, "the kubeconfig \(kubeconfig) given with --kubeconfig does not exist")
            }
            return [try KubeconfigFile.load(kubeconfig)]
        }
        var files: [KubeconfigFile] = []
        for path in searchPaths where FileManager.default.fileExists(atPath: path) {
            files.append(try KubeconfigFile.load(path))
        }
        return files
    }

    private func noKubeconfigMessage() -> String {
        let looked: String
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            looked = "looked at $KUBECONFIG: \(searchPaths.joined(separator: ", ")); missing or empty"
        } else {
            looked = "looked at \(searchPaths[0]); missing or empty"
        }
        if context != nil {
            return "no kubeconfig found to select --context \(context!) from (\(looked)); give --kubeconfig or set KUBECONFIG"
        }
        return "no kubeconfig found (\(looked)) and not running in a cluster (KUBERNETES_SERVICE_HOST is not set); "
            + "give --kubeconfig, set KUBECONFIG, or use --kube-proxy"
    }

    /// Resolves the selected context to its cluster and user and reads their credentials.
    func select(in merged: KubeconfigMerge) throws(BerthError) -> KubeConnectionSettings {
        let fileList = merged.files.joined(separator: ", ")
        guard let name = context ?? merged.currentContext else {
            let known = merged.contextNames.isEmpty ? "it defines no contexts" : "known contexts: \(merged.contextNames.joined(separator: ", "))"
            throw BerthError(.usage, "no context selected: \(fileList) sets no current-context; give --context (\(known))")
        }
        guard let selected = merged.contexts[name] else {
            let source = context != nil ? "--context" : "current-context"
            var message = "context \"\(name)\" (from \(source)) not found in \(fileList); "
            message += merged.contextNames.isEmpty ? "it defines no contexts" : "known contexts: \(merged.contextNames.joined(separator: ", "))"
            if let guess = KubeconfigLoader.closest(to: name, in: merged.contextNames) { message += "; did you mean \"\(guess)\"?" }
            throw BerthError(.usage, message)
        }
        guard let clusterName = selected.cluster else {
            throw BerthError(.usage, "context \"\(name)\" (\(selected.origin)) names no cluster")
        }
        guard let cluster = merged.clusters[clusterName] else {
            throw BerthError(.usage, "context \"\(name)\" (\(selected.origin)) uses cluster \"\(clusterName)\", which is not defined in \(fileList)")
        }
        var user: KubeconfigFile.User?
        if let userName = selected.user {
            guard let found = merged.users[userName] else {
                throw BerthError(.usage, "context \"\(name)\" (\(selected.origin)) uses user \"\(userName)\", which is not defined in \(fileList)")
            }
            user = found
        }
        return try KubeconfigLoader.settings(context: selected, cluster: cluster, user: user)
    }

    /// "did you mean": the nearest known name within a small edit distance.
    static func closest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, Suggest.distance(Array(word.lowercased()), Array($0.lowercased()))) }
        guard let best = scored.min(by: { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }) else { return nil }
        return best.1 <= max(1, best.0.count / 3) ? best.0 : nil
    }
}

/// Several kubeconfig files seen as one, merged the way kubectl merges them.
struct KubeconfigMerge {
    var files: [String] = []
    var clusters: [String: KubeconfigFile.Cluster] = [:]
    var users: [String: KubeconfigFile.User] = [:]
    var contexts: [String: KubeconfigFile.Context] = [:]
    var currentContext: String?

    init(_ sources: [KubeconfigFile]) {
        for file in sources {
            files.append(file.path)
            // The first definition of a name wins, so later files only fill gaps.
            for cluster in file.clusters where clusters[cluster.name] == nil { clusters[cluster.name] = cluster }
            for user in file.users where users[user.name] == nil { users[user.name] = user }
            for context in file.contexts where contexts[context.name] == nil { contexts[context.name] = context }
            if currentContext == nil { currentContext = file.currentContext }
        }
    }

    var contextNames: [String] { contexts.keys.sorted() }
}
