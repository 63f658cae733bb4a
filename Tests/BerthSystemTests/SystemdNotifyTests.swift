import BerthSystem
import BerthTestSupport
import Foundation
import Glibc
import Testing

/// berth's side of systemd's notify protocol, heard on a real datagram socket as systemd
/// would bind it, and the journal's stream detection.
@Suite(.timeLimit(.minutes(2)))
struct SystemdNotifyTests {
    @Test(arguments: [false, true])
    func readyWatchdogAndStoppingReachTheSocket(abstract: Bool) async throws {
        let dir = try TemporaryDirectory(prefix: "notify")
        defer { dir.remove() }
        let receiver = try NotifySocketReceiver(directory: dir.path, abstract: abstract)
        defer { receiver.stop() }
        let notify = try #require(SystemdNotify(environment: ["NOTIFY_SOCKET": receiver.address, "WATCHDOG_USEC": "2000000"]))
        #expect(notify.watchdogInterval == .seconds(2))
        #expect(notify.pingEvery == .seconds(1), "pings at half the interval, as sd_watchdog_enabled(3) advises")
        #expect(notify.send("READY=1\nSTATUS=converged"))
        #expect(notify.send("WATCHDOG=1"))
        #expect(notify.send("STOPPING=1"))
        #expect(await Poll.until(hangGuard: .seconds(30)) { receiver.messages.count == 3 })
        #expect(receiver.messages == ["READY=1\nSTATUS=converged", "WATCHDOG=1", "STOPPING=1"])
    }

    @Test func theWatchdogIsOnlyForTheProcessItNames() {
        let env = ["NOTIFY_SOCKET": "/run/systemd/notify", "WATCHDOG_USEC": "30000000"]
        #expect(SystemdNotify(environment: env, pid: 42)?.watchdogInterval == .seconds(30))
        #expect(SystemdNotify(environment: env.merging(["WATCHDOG_PID": "42"]) { $1 }, pid: 42)?.watchdogInterval == .seconds(30))
        // A child that inherited the variables must not ping for its parent.
        #expect(SystemdNotify(environment: env.merging(["WATCHDOG_PID": "41"]) { $1 }, pid: 42)?.watchdogInterval == nil)
        #expect(SystemdNotify(environment: ["NOTIFY_SOCKET": "/run/systemd/notify"], pid: 42)?.watchdogInterval == nil)
        #expect(SystemdNotify(environment: env.merging(["WATCHDOG_USEC": "0"]) { $1 }, pid: 42)?.watchdogInterval == nil)
    }

    @Test func withoutAUsableSocketThereIsNobodyToTell() {
        #expect(SystemdNotify(environment: [:]) == nil)
        #expect(SystemdNotify(environment: ["NOTIFY_SOCKET": ""]) == nil)
        #expect(SystemdNotify(environment: ["NOTIFY_SOCKET": "relative/path"]) == nil)
        #expect(SystemdNotify(environment: ["NOTIFY_SOCKET": "/" + String(repeating: "a", count: 200)]) == nil)
        // A socket nobody listens on: the message is lost, berth goes on.
        #expect(SystemdNotify(environment: ["NOTIFY_SOCKET": "/nonexistent/berth/notify"])?.send("READY=1") == false)
    }

    @Test func theJournalStreamIsRecognisedByDeviceAndInode() throws {
        let dir = try TemporaryDirectory(prefix: "journal-stream")
        defer { dir.remove() }
        let a = open(dir.path + "/a", O_CREAT | O_WRONLY | O_CLOEXEC, 0o600), b = open(dir.path + "/b", O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
        defer { close(a); close(b) }
        let value = try #require(JournalStream.value(of: a))
        #expect(JournalStream.matches(fd: a, environment: ["JOURNAL_STREAM": value]))
        // Redirected elsewhere (a script's 2>file): the variable names another stream.
        #expect(!JournalStream.matches(fd: b, environment: ["JOURNAL_STREAM": value]))
        #expect(!JournalStream.matches(fd: a, environment: [:]))
        #expect(!JournalStream.matches(fd: a, environment: ["JOURNAL_STREAM": "garbage"]))
    }
}
