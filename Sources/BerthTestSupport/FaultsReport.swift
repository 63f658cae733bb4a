import Foundation

/// One line of `make faults`' report: what a fault scenario did and whether berth kept its
/// promises. Tests append a JSON line to $BERTH_FAULTS_REPORT when it is set (scripts/faults-report.py
/// turns the lines into the README's table); without it, recording does nothing.
public struct FaultsReport: Sendable {
    public var scenario: String
    public var trials: Int
    /// Faults injected, by kind ("sigkill", "http-500", "reset", ...).
    public var faults: [String: Int]
    /// nil where the scenario has no convergence to check (the fuzzer).
    public var converged: Bool?
    public var duplicates: Int
    public var unownedTouched: Int
    public var journalLinesLost: Int
    /// The seed that reproduces the run, when it is random.
    public var seed: UInt64?

    public init(scenario: String, trials: Int, faults: [String: Int] = [:], converged: Bool?, duplicates: Int = 0,
                unownedTouched: Int = 0, journalLinesLost: Int = 0, seed: UInt64? = nil) {
        self.scenario = scenario; self.trials = trials; self.faults = faults; self.converged = converged
        self.duplicates = duplicates; self.unownedTouched = unownedTouched; self.journalLinesLost = journalLinesLost
        self.seed = seed
    }

    /// Whether the long version runs: `make faults` sets BERTH_FAULTS=1; `make test` runs short ones.
    public static var isFullRun: Bool { ProcessInfo.processInfo.environment["BERTH_FAULTS"] == "1" }

    /// Appends this line to $BERTH_FAULTS_REPORT, if set. O_APPEND keeps parallel tests' lines whole.
    public func record() {
        guard let path = ProcessInfo.processInfo.environment["BERTH_FAULTS_REPORT"], !path.isEmpty else { return }
        var object: [String: Any] = [
            "scenario": scenario, "trials": trials, "faults": faults, "duplicates": duplicates,
            "unowned_touched": unownedTouched, "journal_lines_lost": journalLinesLost,
        ]
        object["converged"] = converged.map { $0 as Any } ?? NSNull()
        if let seed { object["seed"] = String(seed) }
        guard var data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        data.append(0x0A)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
