import BerthSystem
/// The systemd unit that runs `berth watch` as a service (contrib/berth.service is this text
/// for the default paths). Pure: `InstallServiceCommand` fills in the paths and writes it.
struct ServiceUnit: Equatable {
    /// Absolute paths.
    var binary: String
    var specs: String
    var state: String
    var owner: String
    /// Global options passed on as given: --docker-host, --kubeconfig, --context, --policy.
    var extra: [String] = []

    static let defaultState = "/var/lib/berth"

    /// Quotes a word for ExecStart= when it needs it (systemd's own quoting rules: double
    /// quotes, backslash escapes; `$` and `%` doubled so they are not expanded).
    static func quote(_ word: String) -> String {
        let escaped = word.replacingAll("%", with: "%%").replacingAll("$", with: "$$")
        guard escaped.contains(where: { " \t\"'\\;".contains($0) }) || escaped.isEmpty else { return escaped }
        return "\"" + escaped.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"") + "\""
    }

    var text: String {
        let command = ([binary, "watch", "--specs", specs, "--state", state, "--owner", owner] + extra).map(ServiceUnit.quote)
            .joined(separator: " ")
        // systemd makes /var/lib/berth itself (StateDirectory=); another folder must be writable.
        let stateLines = state == ServiceUnit.defaultState
            ? ["StateDirectory=berth", "StateDirectoryMode=0700"]
            : ["ReadWritePaths=\(ServiceUnit.quote(state))"]
        // A private /tmp would hide specs or a state folder kept under /tmp.
        let inTmp = [specs, state].contains { $0.hasPrefix("/tmp/") || $0.hasPrefix("/var/tmp/") }
        let privateTmp = inTmp ? [] : ["PrivateTmp=yes"]
        return ([
            "# berth watch as a systemd service; written by `berth install-service`.",
            "[Unit]",
            "Description=berth: keep the specs in \(specs) converged (owner \(owner))",
            "Documentation=man:berth(1)",
            "After=network-online.target docker.service",
            "Wants=network-online.target",
            "",
            "[Service]",
            // READY=1 comes after the first pass, which may pull or build images: give it time.
            "Type=notify",
            "NotifyAccess=main",
            "ExecStart=\(command)",
            // SIGHUP: read the specs again and reconcile everything.
            "ExecReload=/bin/kill -HUP $MAINPID",
            "Restart=on-failure",
            "RestartSec=5s",
            "TimeoutStartSec=15min",
            // watch gives work in flight 15 s after SIGTERM.
            "TimeoutStopSec=30s",
            "WatchdogSec=2min",
        ] + stateLines + [
            "UMask=0077",
            // Hardening. berth talks to the Docker socket, which is root's power anyway; these keep
            // the rest of the system out of reach. Connecting to a socket works on a read-only
            // file system, so ProtectSystem=strict still lets it reach /run/docker.sock.
            "NoNewPrivileges=yes",
            "ProtectSystem=strict",
            "ProtectHome=read-only",
        ] + privateTmp + [
            "PrivateDevices=yes",
            "ProtectKernelTunables=yes",
            "ProtectKernelModules=yes",
            "ProtectKernelLogs=yes",
            "ProtectControlGroups=yes",
            "ProtectClock=yes",
            "ProtectHostname=yes",
            "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
            "RestrictNamespaces=yes",
            "RestrictRealtime=yes",
            "RestrictSUIDSGID=yes",
            "LockPersonality=yes",
            "SystemCallArchitectures=native",
            "",
            "[Install]",
            "WantedBy=multi-user.target",
        ]).joined(separator: "\n") + "\n"
    }
}
