import Foundation
import Glibc
import BerthTestSupport

/// The built `berth` binary run as a child process on a project, so a test can SIGKILL it
/// at any moment, as a power cut or the OOM killer would.
final class BerthChild: @unchecked Sendable {
    let process = Process()
    private let output: ChildLog

    init(_ project: Project, _ args: [String]) throws {
        process.executableURL = URL(fileURLWithPath: WatchProcess.binary)
        process.arguments = args + ["--specs", project.specs, "--state", project.state, "--owner", project.owner,
                                    "--docker-host", project.engine.host]
        output = try ChildLog()
        process.standardError = output.handle
        process.standardOutput = output.handle
        try process.run()
    }

    /// A test that fails half-way must not leave a berth running behind it.
    deinit { kill() }

    var log: String { output.text }

    /// SIGKILL if still running; returns whether the signal hit a live process.
    @discardableResult
    func kill() -> Bool {
        guard process.isRunning else { return false }
        return Glibc.kill(process.processIdentifier, SIGKILL) == 0
    }

    /// Waits for the exit (a generous hang guard, not a timing assertion); nil if it never came.
    func wait(seconds: Double = 120) async -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { await Poll.pause(.milliseconds(20)) }
        return process.isRunning ? nil : process.terminationStatus
    }
}

extension Project {
    /// A project with a given owner (fault suites use the owners their bystanders imitate).
    init(engine: TestEngine, owner: String) throws {
        self.owner = owner
        self.root = FileManager.default.temporaryDirectory.appendingPathComponent("berth-" + owner)
        self.engine = engine
        try? FileManager.default.removeItem(at: root)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("specs"), withIntermediateDirectories: true)
    }

    /// Removes every container of this owner, eight at a time (faster than an apply of nothing).
    func removeAllContainers() async throws {
        let ids = try await containers().map(\.id)
        _ = try await Bystanders.parallelMap(ids) { id in try await engine.call("DELETE", "/containers/\(id)?force=true") }
    }
}

/// A small seeded generator (SplitMix64): the same seed gives the same trials.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// BERTH_CRASH_SEED if set, else a random one; printed either way so a run can be repeated.
    static func fromEnvironment(_ scenario: String) -> UInt64 {
        let seed = ProcessInfo.processInfo.environment["BERTH_CRASH_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...UInt64.max)
        print("\(scenario): seed \(seed) (repeat with BERTH_CRASH_SEED=\(seed))")
        return seed
    }
}
