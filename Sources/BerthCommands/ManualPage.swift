import BerthSystem
/// `berth manual`: the berth(1) page in roff, written from `CommandTable` like `berth help`
/// and the README's reference; `make man` saves it as berth.1 and `make install` installs it.
enum ManualPage {
    /// roff text: backslashes escaped, a leading `.` or `'` kept from being read as a request.
    /// One character for troff, which reads bytes: past ASCII it is its Unicode escape, \\[u2026].
    static func troff(_ scalar: Unicode.Scalar) -> String {
        if scalar.isASCII { return String(scalar) }
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "\\[u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + "]"
    }

    static func escape(_ text: String) -> String {
        var out = text.replacingAll("\\", with: "\\e").replacingAll("-", with: "\\-")
        // troff reads bytes: anything past ASCII ("…" in a summary) is written as its Unicode escape.
        out = out.unicodeScalars.map(ManualPage.troff).joined()
        if out.hasPrefix(".") || out.hasPrefix("'") { out = "\\&" + out }
        return out
    }

    static func optionLines(_ option: Arguments.Option) -> [String] {
        [".TP", "\\fB\\-\\-\(escape(option.name))\\fR" + (option.value.map { " \\fI\(escape($0))\\fR" } ?? ""), escape(option.help)]
    }

    static func page(version: String) -> String {
        var lines = [
            ".TH BERTH 1 \"\" \"berth \(escape(version))\" \"User Commands\"",
            ".SH NAME",
            "berth \\- keep containers, Swarm services and Kubernetes objects converged with a folder of specs",
            ".SH SYNOPSIS",
            ".B berth",
            ".I COMMAND",
            "[\\fIoptions\\fR] [\\fIwords\\fR]",
            ".SH DESCRIPTION",
            "A folder of JSON desired\\-state files (specs) is the truth. berth observes what runs on the Docker Engine,",
            "Docker Swarm and Kubernetes, plans create, replace, start, update and delete actions, carries them out",
            "with retries and records everything in an append\\-only journal in the state folder.",
            "It touches only what carries its owner label.",
            "Options may come before or after the command.",
            ".SH COMMANDS",
        ]
        for command in CommandTable.commands {
            lines += [".SS \(escape(command.name))", ".nf", escape(command.synopsis), ".fi", escape(command.summary)]
            for option in command.options { lines += optionLines(option) }
        }
        lines += [".SH GLOBAL OPTIONS"]
        for option in CommandTable.globalOptions { lines += optionLines(option) }
        lines += [
            ".SH EXIT STATUS",
            ".TP", "0", "done, and true: valid, converged, nothing differs; watch stopped by SIGTERM or SIGINT",
            ".TP", "1", "something failed or was left out",
            ".TP", "2", "plan \\-\\-detailed\\-exitcode: the specs and the targets differ",
            ".TP", "3", "apply: done, but deletions or creates are held until a person says so",
            ".TP", "4", "plan, apply: a target could not be observed and was skipped; every other target was planned or converged",
            ".TP", "64", "the command line is wrong; nothing was read or written",
            ".SH SIGNALS",
            "\\fBberth watch\\fR: SIGHUP reads the specs again and reconciles everything (a full resync);",
            "SIGTERM and SIGINT stop it after the work in flight (at most 15 s).",
            ".SH ENVIRONMENT",
            ".TP", "\\fBDOCKER_HOST\\fR", "the engine when \\-\\-docker\\-host is not given",
            ".TP", "\\fBKUBECONFIG\\fR", "kubeconfig files when \\-\\-kubeconfig is not given",
            ".TP", "\\fBNOTIFY_SOCKET\\fR, \\fBWATCHDOG_USEC\\fR, \\fBWATCHDOG_PID\\fR",
            "set by systemd for Type=notify: watch sends READY=1 after its first pass, WATCHDOG=1 pings and STOPPING=1",
            ".TP", "\\fBJOURNAL_STREAM\\fR",
            "set by systemd when stderr is the journal: text log lines then start with a syslog priority (<3> to <7>) instead of a timestamp",
            ".SH FILES",
            ".TP", "\\fIspecs/\\fR", "the spec files (\\-\\-specs)",
            ".TP", "\\fIstate/\\fR", "journal, lock, last valid specs, keys and status (\\-\\-state; /var/lib/berth under berth.service)",
            ".TP", "\\fI/etc/systemd/system/berth.service\\fR", "the unit berth install\\-service writes",
            ".SH SEE ALSO",
            "\\fBsystemd.service\\fR(5), \\fBsystemd.exec\\fR(5), \\fBsd_notify\\fR(3), \\fBdocker\\fR(1), \\fBkubectl\\fR(1)",
        ]
        return lines.joined(separator: "\n")
    }
}
