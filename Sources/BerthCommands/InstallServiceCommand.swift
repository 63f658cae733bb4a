import BerthModel
import BerthSystem
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// `berth install-service`: writes berth.service (see `ServiceUnit`) for this binary and
/// these folders, then, when systemd runs here, reloads it and enables and starts the unit.
enum InstallServiceCommand {
    static let unitName = "berth.service"

    static func run(settings: Settings, arguments: Arguments, console: Console,
                    environment: [String: String]) async throws -> Int32 {
        let unit = try unit(settings: settings, arguments: arguments)
        let directory = absolute(arguments.values["unit-dir"] ?? "/etc/systemd/system")
        let path = directory + "/" + unitName
        guard FileSystem.isDirectory(directory) else {
            throw BerthError(.usage, "the unit folder \(directory) does not exist; is systemd installed? (--unit-dir names another)")
        }
        if !FileSystem.isDirectory(unit.specs) {
            console.err("berth: warning: the specs folder \(unit.specs) does not exist yet; watch refuses to start without it, so create it before the service starts")
        }
        let existing = (try? FileSystem.readFile(path)).map { String(decoding: $0, as: UTF8.self) }
        if let existing, existing != unit.text, !arguments.flags.contains("force") {
            throw BerthError(.refused, "\(path) exists and differs from the unit berth would write; "
                + "compare them, then run again with --force to replace it")
        }
        if existing == unit.text {
            console.out("\(path) is already this unit; nothing written")
        } else {
            do { try AtomicFile.write(unit.text, to: path) } catch let error as SystemError where error.errno == EACCES || error.errno == EPERM {
                throw BerthError(.io, "cannot write \(path): \(error.reason); run install-service as root, or name a folder of yours with --unit-dir")
            }
            chmod(path, 0o644)
            console.out("wrote \(path): berth watch --specs \(unit.specs) --state \(unit.state) --owner \(unit.owner)")
        }
        let commands = [["daemon-reload"], ["enable", "--now", unitName]]
        let shown = commands.map { "systemctl " + $0.joined(separator: " ") }
        if arguments.flags.contains("no-enable") {
            console.out("not enabled (--no-enable); to start it now and at every boot: " + shown.joined(separator: " && "))
            return ExitCode.ok
        }
        guard let systemctl = ChildProcess.find("systemctl", path: environment["PATH"]), systemdRuns() else {
            console.out("systemd is not running here (no /run/systemd/system), so nothing was started; "
                + "on the machine that runs it: " + shown.joined(separator: " && "))
            return ExitCode.ok
        }
        for (command, text) in zip(commands, shown) {
            let result = try await ChildProcess(executable: systemctl, arguments: command, environment: environment,
                                                timeout: .seconds(300)).run()
            guard result.succeeded else {
                let said = Printable.oneLine(result.stderrText.trimmingWhitespaceAndNewlines())
                throw BerthError(.io, "\(text) failed (exit \(result.status.map(String.init) ?? "by a signal")): \(said); "
                    + "see journalctl -u \(unitName)")
            }
            console.out("ran \(text)")
        }
        console.out("berth.service runs; `systemctl status berth` and `journalctl -u berth` show it")
        return ExitCode.ok
    }

    /// sd_booted(3): systemd is PID 1 when /run/systemd/system exists.
    static func systemdRuns() -> Bool { FileSystem.isDirectory("/run/systemd/system") }

    static func unit(settings: Settings, arguments: Arguments) throws -> ServiceUnit {
        var extra: [String] = []
        for name in ["docker-host", "context"] {
            if let value = arguments.values[name] { extra += ["--" + name, value] }
        }
        for name in ["kubeconfig", "policy"] {
            if let value = arguments.values[name] { extra += ["--" + name, absolute(value)] }
        }
        return ServiceUnit(binary: try runningBinary(), specs: absolute(settings.specsDirectory),
                           state: arguments.values["state"].map(absolute) ?? ServiceUnit.defaultState,
                           owner: settings.owner, extra: extra)
    }

    /// This binary, as the kernel knows it (/proc/self/exe), so the unit runs what was run.
    static func runningBinary() throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { throw SystemError.current("read the running binary's path from", path: "/proc/self/exe") }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
