/// A Docker Engine reached the way the docker CLI reaches `ssh://user@host[:port]`: HTTP/1.1
/// over the stdin and stdout of `ssh … user@host docker system dial-stdio`.
///
/// Only the address comes from the URL; the identity, the known-hosts file and extra `-o`
/// options come from berth's own settings (a target in berth.json), never from the URL.
public struct SSHDestination: Sendable, Hashable, CustomStringConvertible {
    /// The login name; nil lets ssh decide (its config, else the local user).
    public var user: String?
    /// A host name, an address, or a Host alias of the ssh config.
    public var host: String
    /// The port; nil lets ssh decide (its config, else 22).
    public var port: Int?
    /// The private key given to `ssh -i` (with IdentitiesOnly=yes, so no other key is tried).
    public var identityFile: String?
    /// The only known-hosts file trusted (with StrictHostKeyChecking=yes); nil uses the ssh
    /// config's files and setting, which BatchMode turns from asking into refusing.
    public var knownHostsFile: String?
    /// Extra ssh options, each "KEY=VALUE", passed as `-o KEY=VALUE` after berth's own (ssh
    /// takes the first value it sees, so these cannot turn BatchMode off).
    public var options: [String]
    /// What runs on the far side; its stdin and stdout carry the HTTP connection.
    public var remoteCommand: [String]
    /// The ssh client: a path, or a name looked up in PATH.
    public var program: String

    /// The command the docker CLI runs on the far side.
    public static let dialStdio = ["docker", "system", "dial-stdio"]

    public init(user: String? = nil, host: String, port: Int? = nil, identityFile: String? = nil,
                knownHostsFile: String? = nil, options: [String] = [], remoteCommand: [String] = SSHDestination.dialStdio,
                program: String = "ssh") {
        self.user = user
        self.host = host
        self.port = port
        self.identityFile = identityFile
        self.knownHostsFile = knownHostsFile
        self.options = options
        self.remoteCommand = remoteCommand
        self.program = program
    }

    /// Parses "ssh://[user@]host[:port]" (an IPv6 address in brackets). A path (other than a
    /// lone trailing slash), a password or a query is refused, as the docker CLI does; the
    /// error never repeats a password.
    public init(parsing url: String) throws(HTTPError) {
        guard url.hasPrefix("ssh://") else {
            throw HTTPError(.invalidEndpoint, endpoint: "'\(url)'", detail: "expected ssh://[USER@]HOST[:PORT]")
        }
        var authority = Substring(url.dropFirst("ssh://".count))
        var userText: Substring?
        if let at = authority.lastIndex(of: "@") {
            userText = authority[..<at]
            authority = authority[authority.index(after: at)...]
        }
        if let userText, userText.contains(":") {
            let shown = "'ssh://\(userText.prefix { $0 != ":" }):***@\(authority)'"
            throw HTTPError(.invalidEndpoint, endpoint: shown,
                            detail: "a password is not allowed in an ssh:// address; use a key (identity file) or ssh-agent")
        }
        func invalid(_ detail: String) -> HTTPError {
            HTTPError(.invalidEndpoint, endpoint: "'\(url)'", detail: detail)
        }
        if authority.contains(where: { $0 == "?" || $0 == "#" }) {
            throw invalid("a query or fragment is not allowed in an ssh:// address")
        }
        if let slash = authority.firstIndex(of: "/") {
            if authority[slash...] != "/" { throw invalid("a path is not allowed after the host (the far side runs docker system dial-stdio)") }
            authority = authority[..<slash]
        }
        var hostText: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw invalid("unterminated IPv6 address") }
            hostText = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("unexpected text after the IPv6 address") }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostText = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            hostText = authority
        }
        if hostText.isEmpty { throw invalid("no host") }
        // ssh would read a leading '-' as an option; spaces and control characters have no place in a name.
        func unsafe(_ text: Substring) -> Bool {
            text.hasPrefix("-") || text.unicodeScalars.contains { $0.value <= 0x20 || $0.value == 0x7f }
        }
        if unsafe(hostText) { throw invalid("the host '\(hostText)' starts with '-' or holds a space or control character") }
        if let userText {
            if userText.isEmpty { throw invalid("no user name before '@'") }
            if unsafe(userText) { throw invalid("the user '\(userText)' starts with '-' or holds a space or control character") }
        }
        var port: Int?
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw invalid("port '\(portText)' is not a number from 1 to 65535")
            }
            port = value
        }
        self.init(user: userText.map(String.init), host: String(hostText), port: port)
    }

    /// The URL form, "ssh://user@host:port", which `init(parsing:)` reads back (without the
    /// identity, known-hosts file and options, which are not part of the address).
    public var description: String {
        var text = "ssh://"
        if let user { text += user + "@" }
        text += host.contains(":") ? "[\(host)]" : host
        if let port { text += ":\(port)" }
        return text
    }

    /// The ssh command line (argv, program first): never a prompt (BatchMode), never a
    /// terminal (-T), a bounded connect, the identity and known-hosts file when given, then
    /// the caller's options, `--`, the destination and the remote command.
    public func arguments(connectTimeout: Duration) -> [String] {
        let (seconds, attoseconds) = connectTimeout.components
        let timeoutSeconds = max(1, seconds + (attoseconds > 0 ? 1 : 0))
        var argv = [program, "-T", "-o", "BatchMode=yes", "-o", "ConnectTimeout=\(timeoutSeconds)"]
        if let identityFile { argv += ["-i", identityFile, "-o", "IdentitiesOnly=yes"] }
        if let knownHostsFile { argv += ["-o", "UserKnownHostsFile=\(knownHostsFile)", "-o", "StrictHostKeyChecking=yes"] }
        if let port { argv += ["-p", String(port)] }
        for option in options { argv += ["-o", option] }
        argv += ["--", user.map { "\($0)@\(host)" } ?? host]
        return argv + remoteCommand
    }
}
