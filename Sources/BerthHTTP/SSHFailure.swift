import BerthSystem
import FoundationEssentials

/// Why an ssh child ended before the engine answered, read from ssh's stderr and exit
/// status: one line a person can act on, ending with ssh's own last line.
///
/// ssh prints its reasons in English on stderr ("Host key verification failed.",
/// "Permission denied (publickey)."); the far side's shell adds "docker: command not
/// found" and exits 127; `docker system dial-stdio` explains an engine it cannot reach.
struct SSHFailure: Sendable, Equatable {
    /// What happened and what to do, followed by "(ssh: LAST LINE)" when ssh said anything.
    var detail: String
    /// Whether trying again later may succeed (the network, a restarting engine); a wrong
    /// key or a missing program stays wrong until someone changes it.
    var isTransient: Bool

    /// Reads `stderr` (what ssh and the far side printed) and the exit `status` (nil when a
    /// signal ended ssh) of the child that reached `destination`.
    init(destination: SSHDestination, status: Int32?, stderr: String) {
        let lines = stderr.split(whereSeparator: \.isNewline)
            .map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
        let said = lines.last.map { " (ssh: \(SSHFailure.clip($0)))" } ?? ""
        let host = destination.host
        let address = destination.port.map { "\(host) port \($0)" } ?? host
        let folded = stderr.lowercased()
        func has(_ text: String) -> Bool { folded.contains(text.lowercased()) }
        // What `docker system dial-stdio` says when it cannot reach the engine on its side.
        let engineSide = has("raw stream connection") || has("Cannot connect to the Docker daemon")
            || has("error during connect") || has("dial unix")
        switch true {
        case has("Host key verification failed") || has("REMOTE HOST IDENTIFICATION HAS CHANGED"):
            detail = "the host key of \(address) is not in the known-hosts file or has changed; check it and put the right key there\(said)"
            isTransient = false
        case engineSide && has("permission denied"):
            detail = "the login\(destination.user.map { " \($0)" } ?? "") on \(host) may not use the Docker Engine's socket; add that user to the docker group there\(said)"
            isTransient = false
        case engineSide && status != 255:
            detail = "the Docker Engine on \(host) does not answer (is dockerd running there, and DOCKER_HOST right for that login?)\(said)"
            isTransient = true
        case stderr.contains("Permission denied ("):
            detail = "\(address) refused the login\(destination.user.map { " as \($0)" } ?? ""): its authorized_keys does not hold berth's key (set the identity file, or add the public key there)\(said)"
            isTransient = false
        case status == 127 || has("command not found") || has(": not found"):
            detail = "\(destination.remoteCommand.first ?? "docker") is not installed on \(host), or not on the PATH of that login; install the docker CLI there\(said)"
            isTransient = false
        case has("Could not resolve hostname"):
            detail = "cannot resolve \(host)\(said)"
            isTransient = true
        case has("Connection refused"):
            detail = "nothing accepts ssh at \(address) (connection refused)\(said)"
            isTransient = true
        case has("closed by remote host") || has("Connection reset") || has("Broken pipe"):
            detail = "the ssh connection to \(address) was closed\(said)"
            isTransient = true
        case has("timed out"):
            detail = "timed out connecting to \(address)\(said)"
            isTransient = true
        case status == 255:
            detail = "ssh could not connect to \(address)\(said)"
            isTransient = true
        default:
            let how = status.map { "exited with status \($0)" } ?? "was stopped by a signal"
            detail = "ssh to \(address) \(how) before the engine answered\(said)"
            isTransient = true
        }
    }

    /// ssh's line as shown: at most 200 characters, control characters dropped.
    static func clip(_ line: String) -> String {
        let clean = String(line.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7f }.map(Character.init))
        return clean.count > 200 ? String(clean.prefix(200)) + "…" : clean
    }
}
