import BerthTestSupport
import Foundation
import Glibc
import Testing

/// `berth watch` under systemd's Type=notify, with a datagram socket playing systemd: READY=1
/// once the first pass has ended, WATCHDOG=1 pings at half of WATCHDOG_USEC, STATUS= as the
/// state changes, STOPPING=1 on SIGTERM.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct SystemdServiceTests {
    @Test func watchSaysReadyAfterItsFirstPassPingsTheWatchdogAndSaysStopping() async throws {
        try await Project.with { p in
            try p.write("a.json", p.spec("a"))
            let dir = try TemporaryDirectory(prefix: "notify")
            defer { dir.remove() }
            let systemd = try NotifySocketReceiver(directory: dir.path)
            defer { systemd.stop() }
            var environment = ProcessInfo.processInfo.environment
            environment["NOTIFY_SOCKET"] = systemd.address
            environment["WATCHDOG_USEC"] = "1000000"
            let watch = try WatchProcess(arguments: ["watch", "--specs", p.specs, "--state", p.state, "--owner", p.owner,
                                                     "--docker-host", p.engine.host], environment: environment)
            #expect(await eventually { systemd.heard("READY=1") }, "\(systemd.messages) \(watch.log)")
            // The first pass has ended by then: it wrote status.json before telling anyone.
            #expect(FileManager.default.fileExists(atPath: p.state + "/status.json"))
            #expect(systemd.messages.filter { $0.hasPrefix("READY=1") }.count == 1)
            #expect(await eventually { systemd.heard("STATUS=converged") }, "\(systemd.messages) \(watch.log)")
            #expect(try await WatchTests.running(p).count == 1)
            // Pings every 0.5 s (half of WATCHDOG_USEC) while the controller answers.
            #expect(await eventually { systemd.messages.filter { $0 == "WATCHDOG=1" }.count >= 3 }, "\(systemd.messages)")
            #expect(await watch.stop() == 0, "\(watch.log)")
            #expect(await eventually(30) { systemd.heard("STOPPING=1") }, "\(systemd.messages)")
            let ready = systemd.messages.firstIndex { $0.hasPrefix("READY=1") }, stopping = systemd.messages.firstIndex(of: "STOPPING=1")
            #expect(ready != nil && stopping != nil && ready! < stopping!)
        }
    }

    @Test func withoutNotifySocketNothingIsSentAndTheLogKeepsItsTimestamps() async throws {
        try await Project.with { p in
            try p.write("a.json", p.spec("a"))
            var environment = ProcessInfo.processInfo.environment
            environment["NOTIFY_SOCKET"] = nil
            // JOURNAL_STREAM naming another stream than stderr (a redirect): not the journal.
            environment["JOURNAL_STREAM"] = "1:1"
            let watch = try WatchProcess(arguments: ["watch", "--specs", p.specs, "--state", p.state, "--owner", p.owner,
                                                     "--docker-host", p.engine.host], environment: environment)
            #expect(try await eventually { try await WatchTests.running(p).count == 1 })
            #expect(await watch.stop() == 0, "\(watch.log)")
            let lines = watch.log.split(separator: "\n")
            #expect(lines.first?.first?.isNumber == true && !lines.contains { $0.hasPrefix("<") }, "\(watch.log)")
        }
    }

    @Test func underJournaldEveryLineStartsWithItsPriority() async throws {
        try await Project.with { p in
            try p.write("a.json", p.spec("a"))
            try p.write("b.json", #"{"name": "b", "image": "berth-test/no-such-image:1"}"#)
            let watch = try WatchProcess(arguments: ["watch", "--specs", p.specs, "--state", p.state, "--owner", p.owner,
                                                     "--docker-host", p.engine.host], asJournal: true)
            #expect(try await eventually { try await WatchTests.running(p).count == 1 })
            // The spec whose image cannot be had fails: an error line.
            #expect(await eventually { watch.log.split(separator: "\n").contains { $0.hasPrefix("<3>") && $0.contains(" b #1") } }, "\(watch.log)")
            #expect(await watch.stop() == 0, "\(watch.log)")
            let lines = watch.log.split(separator: "\n")
            #expect(lines.allSatisfy { $0.hasPrefix("<3>") || $0.hasPrefix("<4>") || $0.hasPrefix("<6>") || $0.hasPrefix("<7>") }, "\(watch.log)")
            #expect(lines.contains { $0.hasPrefix("<6>berth watch: owner ") })
        }
    }
}
