import BerthModel
import BerthSystem

/// `--git URL [--branch B] [--path P] [--interval D]`: where the specs come from instead of --specs.
public struct GitSourceOptions: Sendable {
    public var url: String
    public var branch: String
    /// The specs folder inside the repository, "" for its root.
    public var path: String
    public var interval: Duration

    /// Nil when --git was not given.
    init?(_ arguments: Arguments) throws {
        guard let url = arguments.values["git"] else {
            for name in ["branch", "path", "interval"] where arguments.values[name] != nil {
                throw Arguments.usage("--\(name) only applies with --git URL")
            }
            return nil
        }
        if arguments.values["specs"] != nil {
            throw Arguments.usage("--git and --specs are two sources of specs: give one of them")
        }
        guard !url.isEmpty, !url.hasPrefix("-") else { throw Arguments.usage("--git needs a repository URL") }
        if url.lowercased().hasPrefix("ext::") { throw Arguments.usage("--git: ext:: URLs run commands; berth does not use them") }
        self.url = url
        branch = arguments.values["branch"] ?? "main"
        guard !branch.isEmpty, !branch.hasPrefix("-"), !branch.contains(".."), !branch.contains(":"), !branch.contains(" ") else {
            throw Arguments.usage("--branch \"\(branch)\" is not a branch name")
        }
        let path = (arguments.values["path"] ?? "").split(separator: "/").filter { $0 != "." && !$0.isEmpty }
        guard !path.contains("..") else { throw Arguments.usage("--path must lie inside the repository, without \"..\"") }
        self.path = path.joined(separator: "/")
        interval = try Durations.parse(arguments.values["interval"] ?? "60s", option: "interval")
        guard interval >= .seconds(1) else { throw Arguments.usage("--interval must be at least 1s") }
    }

    /// The URL as berth shows it: a password or token never appears.
    public var shownURL: String { URLCredentials.masked(url) }

    /// The owner when --owner is not given: the repository's name (`deploy` for …/deploy.git).
    var defaultOwner: String {
        var name = url.split(whereSeparator: { $0 == "/" || $0 == ":" }).last.map(String.init) ?? "berth"
        if name.hasSuffix(".git") { name = String(name.dropLast(4)) }
        let owner = Names.sanitized(name)
        return owner.isEmpty ? "berth" : owner
    }
}
