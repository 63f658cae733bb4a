import BerthJSON
@testable import BerthModel
import BerthTestSupport
import Foundation
import Testing

/// Hostile specs: the decoder is fed mutated copies of valid spec files and must always
/// return, with specs or with errors a person can find in the file. `make test` runs a
/// short version; BERTH_FAULTS=1 (`make faults`) runs 100,000 inputs; BERTH_FUZZ_ITERATIONS
/// overrides both and BERTH_FUZZ_SEED replays a run.
struct SpecFuzzTests {
    static let file = "specs/fuzz.json"
    /// One input taking longer than this is a hang, however slow the machine.
    static let hangSeconds = 10.0

    @Test func everyCorpusInputIsValid() {
        let corpus = SpecFuzzCorpus.all()
        #expect(corpus.count >= 6, "specs/ examples not found")
        for input in corpus {
            let result = SpecDecoder.decode(file: Self.file, bytes: input)
            #expect(result.errors.map(\.description) == [])
            #expect(!result.specs.isEmpty)
        }
    }

    @Test func everyBadInputIsRefusedWithFilePathAndPosition() {
        for input in SpecFuzzCorpus.bad {
            let bytes = Array(input.utf8)
            let result = SpecDecoder.decode(file: Self.file, bytes: bytes)
            #expect(!result.errors.isEmpty, "accepted: \(input)")
            #expect(FuzzInvariants.violation(result, input: bytes, file: Self.file) == nil, "\(input)")
        }
    }

    @Test func mutatedSpecsGiveSpecsOrErrorsWithFilePathAndPosition() async throws {
        let environment = ProcessInfo.processInfo.environment
        let seed = environment["BERTH_FUZZ_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 0...UInt64.max)
        let iterations = environment["BERTH_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? (FaultsReport.isFullRun ? 100_000 : 3_000)
        print("berth fuzz: seed \(seed), \(iterations) inputs; BERTH_FUZZ_SEED=\(seed) replays this run")
        let run = await onOwnThread { Self.run(seed: seed, iterations: iterations) }
        print("berth fuzz: \(iterations) inputs (\(run.bytes >> 20) MB), \(run.valid) valid, \(run.invalid) invalid, "
              + "slowest \(Int(run.slowest * 1000)) ms (input \(run.slowestInput), \(run.slowestSize) bytes), "
              + "\(run.violations.count) violations, seed \(seed)")
        FaultsReport(scenario: "hostile specs: fuzzed decoder", trials: iterations, faults: run.counts, converged: nil, seed: seed).record()
        let report = run.violations.prefix(20).joined(separator: "\n")
        #expect(run.violations.isEmpty, "\(run.violations.count) inputs broke an invariant:\n\(report)")
        #expect(run.slowest < Self.hangSeconds, "input \(run.slowestInput) took \(run.slowest) s")
        #expect(run.valid > 0 && run.invalid > iterations / 2, "mutations too weak or too strong: \(run.valid) valid, \(run.invalid) invalid")
    }

    struct Run: Sendable {
        var counts: [String: Int] = [:]
        var valid = 0, invalid = 0, bytes = 0
        var slowest = 0.0, slowestInput = 0, slowestSize = 0
        var violations: [String] = []
    }

    static func run(seed: UInt64, iterations: Int) -> Run {
        let corpus = SpecFuzzCorpus.all()
        let watchdog = FuzzWatchdog(seed: seed, limit: 6 * hangSeconds)
        var run = Run()
        for index in 0..<iterations {
            // Each input has its own generator, so one index can be replayed alone.
            var mutator = SpecMutator(random: SplitMix64(seed: seed ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15)),
                                      corpus: corpus, maxSize: 1 << 20)
            var input = mutator.random.pick(corpus)
            var kinds: [String] = []
            for _ in 0...mutator.random.below(3) {
                let kind = mutator.random.pick(Mutation.table)
                input = mutator.mutate(input, kind: kind)
                kinds.append(kind.rawValue)
                run.counts[kind.rawValue, default: 0] += 1
            }
            run.bytes += input.count
            watchdog.started(index)
            let start = DispatchTime.now().uptimeNanoseconds
            let result = SpecDecoder.decode(file: file, bytes: input)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            watchdog.finished()
            if seconds > run.slowest { (run.slowest, run.slowestInput, run.slowestSize) = (seconds, index, input.count) }
            if seconds > hangSeconds {
                run.violations.append("input \(index) [\(kinds.joined(separator: ","))] \(saved(input, seed: seed, index: index)): took \(seconds) s")
            }
            result.errors.isEmpty ? (run.valid += 1) : (run.invalid += 1)
            // Writing every error line is part of decoding: that is what a person is shown.
            if let problem = FuzzInvariants.violation(result, input: input, file: file) {
                run.violations.append("input \(index) [\(kinds.joined(separator: ","))] \(saved(input, seed: seed, index: index)): \(SpecError.oneLine(problem))")
            }
        }
        watchdog.stop()
        return run
    }

    /// Writes a violating input where it can be turned into a regression test.
    static func saved(_ input: [UInt8], seed: UInt64, index: Int) -> String {
        let path = NSTemporaryDirectory() + "berth-fuzz-\(seed)-\(index).json"
        return FileManager.default.createFile(atPath: path, contents: Data(input)) ? path : "(not saved)"
    }
}

/// Turns a real hang (a loop that never returns) into a failure that names the input:
/// the test itself cannot time out a synchronous call, so a thread watches it.
final class FuzzWatchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var current: (index: Int, since: UInt64)?
    private var stopped = false

    init(seed: UInt64, limit: Double) {
        let thread = Thread { [weak self] in
            while let self, !self.lock.withLock({ self.stopped }) {
                HangGuard.tick(seconds: 1)
                guard let (index, since) = self.lock.withLock({ self.current }) else { continue }
                if Double(DispatchTime.now().uptimeNanoseconds - since) / 1e9 > limit {
                    fatalError("berth fuzz: input \(index) has run for over \(Int(limit)) s (hang); replay with BERTH_FUZZ_SEED=\(seed)")
                }
            }
        }
        thread.start()
    }

    func started(_ index: Int) { lock.withLock { current = (index, DispatchTime.now().uptimeNanoseconds) } }

    func finished() { lock.withLock { current = nil } }

    func stop() { lock.withLock { stopped = true } }
}

/// Runs CPU-bound work on a thread of its own and awaits it: a long synchronous loop on
/// the test runner's cooperative pool (two threads on a two-core machine) would starve
/// every async test running beside it.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
