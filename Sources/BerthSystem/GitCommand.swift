import FoundationEssentials
import Glibc

/// The one way berth runs the system `git`: never through a shell, never waiting for a
/// person (no password prompt, ssh in batch mode), never steered by the caller's GIT_DIR and
/// friends, never running a program a repository's config names, and at most 2 minutes a run.
///
/// Credentials go through git's own means, untouched: credential helpers, GIT_ASKPASS, ssh
/// keys and agents, GIT_SSH_COMMAND or GIT_SSH when the user set one.
public struct GitCommand: Sendable {
    /// The environment every run gets.
    public let environment: [String: String]
    public var timeout: Duration = .seconds(120)

    /// Variables that point git at another repository, work tree or index than the one berth
    /// names: a berth started from a git hook or an editor's terminal must not follow them.
    static let repositoryVariables: Set<String> = [
        "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR", "GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM",
        "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT", "GIT_PREFIX", "GIT_EXEC_PATH", "GIT_TRACE", "GIT_TRACE_PACKET",
        "GIT_QUARANTINE_PATH", "GIT_REPLACE_REF_BASE", "GIT_GRAFT_FILE", "GIT_SHALLOW_FILE",
    ]

    /// Options before every subcommand: no `ext::` transport (it runs any command a URL
    /// names) and no fsmonitor program from a repository's config.
    static let safety = ["-c", "protocol.ext.allow=never", "-c", "core.fsmonitor=false"]

    public init(inherited: [String: String] = ProcessInfo.processInfo.environment) {
        environment = GitCommand.environment(from: inherited)
    }

    /// The inherited environment without the repository variables (and GIT_CONFIG_KEY_n /
    /// GIT_CONFIG_VALUE_n), with prompts off and ssh in batch mode unless the user chose an ssh.
    static func environment(from inherited: [String: String]) -> [String: String] {
        var environment = inherited.filter { key, _ in
            !repositoryVariables.contains(key) && !key.hasPrefix("GIT_CONFIG_KEY_") && !key.hasPrefix("GIT_CONFIG_VALUE_")
        }
        environment["GIT_TERMINAL_PROMPT"] = "0"
        if environment["GIT_SSH_COMMAND"] == nil && environment["GIT_SSH"] == nil {
            environment["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
        }
        if environment["PATH"] == nil { environment["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        return environment
    }

    /// Runs `git [safety options] arguments`; `extra` adds variables for this run only (a
    /// private GIT_INDEX_FILE). Throws when git cannot be started or fails; the message is
    /// git's own last lines, with any password in a URL masked.
    @discardableResult
    public func run(_ arguments: [String], extra: [String: String] = [:], workingDirectory: String? = nil) async throws -> ChildProcess.Result {
        let child = child(arguments, extra: extra, workingDirectory: workingDirectory)
        do { return try check(try await child.run(), arguments) } catch let error as SystemError where error.errno == ENOENT {
            throw GitError(command: GitCommand.subcommand(arguments), message: "git is not installed (not found in PATH): install it (apt-get install git)")
        }
    }

    /// `run` on the calling thread, for synchronous callers (a pass's spec loader).
    @discardableResult
    public func runBlocking(_ arguments: [String], workingDirectory: String? = nil) throws -> ChildProcess.Result {
        do { return try check(try child(arguments, extra: [:], workingDirectory: workingDirectory).runBlocking(), arguments) } catch let error as SystemError where error.errno == ENOENT {
            throw GitError(command: GitCommand.subcommand(arguments), message: "git is not installed (not found in PATH): install it (apt-get install git)")
        }
    }

    func child(_ arguments: [String], extra: [String: String], workingDirectory: String?) -> ChildProcess {
        ChildProcess(executable: "git", arguments: GitCommand.safety + arguments,
                     environment: environment.merging(extra) { $1 }, workingDirectory: workingDirectory, timeout: timeout)
    }

    /// The subcommand's name for messages: the first word that is not an option or the value of `-c`/`-C`.
    static func subcommand(_ arguments: [String]) -> String {
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if word == "-c" || word == "-C" { index += 2; continue }
            if !word.hasPrefix("-") { return word }
            index += 1
        }
        return ""
    }

    private func check(_ result: ChildProcess.Result, _ arguments: [String]) throws -> ChildProcess.Result {
        let command = GitCommand.subcommand(arguments)
        if result.timedOut {
            throw GitError(command: command, message: "took longer than \(timeout.components.seconds)s and was stopped")
        }
        guard result.succeeded else {
            let lines = result.stderrText.split(separator: "\n").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
            let said = lines.suffix(3).joined(separator: "; ")
            throw GitError(command: command,
                           message: said.isEmpty ? "exited with status \(result.status.map(String.init) ?? "?")" : said)
        }
        return result
    }
}

/// A failed git run: which subcommand and what git said, credentials masked.
public struct GitError: Error, Sendable, CustomStringConvertible {
    public var command: String
    public var message: String

    public init(command: String, message: String) {
        self.command = command
        self.message = URLCredentials.masked(message)
    }

    public var description: String { "git \(command) failed: \(message)" }
}
