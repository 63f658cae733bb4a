import BerthJSON
@testable import BerthModel
import BerthTestSupport
import Foundation
import Testing

/// Decoding time grows linearly with the input: a file ten times larger takes about ten
/// times longer, never a hundred. Each shape stresses one path: many specs, one huge
/// string, deep (allowed) nesting, an error at the very end of one long line, thousands
/// of errors, thousands of ports, env keys, and copies of one name across the folder.
/// `make test` compares 100 KB with 1 MB; BERTH_FAULTS=1 compares 1 MB with 10 MB.
@Suite(.serialized)
struct DecodingLinearityTests {
    /// Linear is about 10 for a tenfold input, quadratic about 100; 30 leaves room for noise.
    static let maxRatio = 30.0

    struct Shape: Sendable, CustomTestStringConvertible {
        var name: String
        /// Builds an input of about `size` bytes.
        var make: @Sendable (Int) -> [UInt8]
        /// Decodes it the way the shape needs (one file, or a whole folder).
        var decode: @Sendable ([UInt8]) -> Int = { SpecDecoder.decode(file: "specs/big.json", bytes: $0).errors.map(\.description).count }
        var testDescription: String { name }
    }

    static func repeated(_ size: Int, open: String, close: String, item: (Int) -> String) -> [UInt8] {
        var out = Array(open.utf8)
        var index = 0
        while out.count < size {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += item(index).utf8
            index += 1
        }
        return out + Array(close.utf8)
    }

    static let spec = #"{"name": "web", "image": "busybox:1", "#

    static let shapes: [Shape] = [
        Shape(name: "array of specs") { size in
            repeated(size, open: "[", close: "]") { "\n" + #"{"name": "w\#($0)", "image": "busybox:1", "env": {"A": "b"}, "labels": {"k": "v"}, "ports": [], "command": ["x"]}"# }
        },
        Shape(name: "one long string") { size in
            Array((spec + #""env": {"BIG": ""#).utf8) + Array(repeating: UInt8(ascii: "a"), count: size) + Array(#""}}"#.utf8)
        },
        Shape(name: "deep nesting, 100 levels") { size in
            let deep = String(repeating: "[", count: 100) + "1" + String(repeating: "]", count: 100)
            return repeated(size, open: spec + #""docker": {"HostConfig": {"Deep": ["#, close: "]}}}") { _ in deep }
        },
        Shape(name: "error at the end of one line") { size in
            // Minified and cut short: the position of the error is counted across the whole line.
            repeated(size, open: "[", close: "") { #"{"name":"w\#($0)","image":"busybox:1"}"# }
        },
        Shape(name: "thousands of errors") { size in
            repeated(size, open: "[", close: "]") { _ in "\n" + #"{"nme": 1, "replicas": -1}"# }
        },
        // Found by the fuzzer: a key of a million escaped newlines went through a slow
        // per-character escape each time its error was written.
        Shape(name: "one key of escaped newlines") { size in
            Array(#"{"name": "web", "image": {"ref": "a:1", ""#.utf8) + Array(String(repeating: #"\n"#, count: size / 2).utf8)
                + Array(#"": 1}}"#.utf8)
        },
        Shape(name: "thousands of ports") { size in
            repeated(size, open: spec + #""ports": ["#, close: "]}") { #""10.\#($0 >> 16 & 255).\#($0 >> 8 & 255).\#($0 & 255):\#($0 % 65535 + 1):80""# }
        },
        Shape(name: "thousands of env keys") { size in
            repeated(size, open: spec + #""env": {"#, close: "}}") { #""KEY_\#($0)": "value""# }
        },
        Shape(name: "copies of one name in a folder", make: { size in
            repeated(size, open: "[", close: "]") { _ in "\n" + #"{"name": "web", "image": "busybox:1"}"# }
        }, decode: { DesiredState.assemble(files: [("specs/a.json", $0)]).errors.count }),
    ]

    /// The best of `runs`, in seconds of this thread's CPU time: on a machine shared with
    /// other builds, wall time mostly measures who else was running.
    static func bestTime(_ shape: Shape, _ input: [UInt8], runs: Int = 3) -> Double {
        (0..<runs).map { _ in
            let start = threadCPUTime()
            _ = shape.decode(input)
            return threadCPUTime() - start
        }.min()!
    }

    static func threadCPUTime() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    @Test(arguments: shapes)
    func decodingTimeGrowsLinearly(_ shape: Shape) async {
        let small = FaultsReport.isFullRun ? 1 << 20 : 100 << 10
        let (smallTime, bigTime, errors) = await onOwnThread {
            // The error's line is what a user sees, so writing it is part of the cost.
            let smallInput = shape.make(small), bigInput = shape.make(small * 10)
            return (Self.bestTime(shape, smallInput, runs: 5), Self.bestTime(shape, bigInput), shape.decode(bigInput))
        }
        let ratio = bigTime / max(smallTime, 1e-6)
        print("berth linearity: \(shape.name): \(small >> 10) KB \(Int(smallTime * 1000)) ms, "
              + "\((small * 10) >> 10) KB \(Int(bigTime * 1000)) ms, ratio \(String(format: "%.1f", ratio)) (\(errors) errors)")
        FaultsReport(scenario: "hostile specs: linear decoding", trials: 9, faults: [shape.name: 2], converged: nil).record()
        #expect(ratio < Self.maxRatio, "\(shape.name): 10x the input took \(ratio)x the time")
        #expect(errors <= SpecDecoder.maxErrorsPerFile + 1)
    }
}
