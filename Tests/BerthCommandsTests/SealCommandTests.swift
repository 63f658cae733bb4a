@testable import BerthCommands
import BerthSource
import BerthModel
import BerthSeal
import Foundation
import Testing

/// `keys init`, `keys show` and `seal` in process on a throwaway project, and sealed specs
/// read by `validate` and by watch's last-valid store. No engine is needed.
struct SealCommandTests {
    struct Project {
        let root: String
        init() throws {
            var template = Array("/tmp/berth-seal-XXXXXX".utf8CString)
            guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else { throw POSIXError(.EIO) }
            root = String(cString: made)
            try FileManager.default.createDirectory(atPath: root + "/specs", withIntermediateDirectories: true)
        }
        var specs: String { root + "/specs" }
        var state: String { root + "/state" }
        func write(_ relative: String, _ text: String) throws {
            try Data(text.utf8).write(to: URL(fileURLWithPath: root + "/" + relative))
        }
        func berth(_ argv: [String], input: String = "") async -> (code: Int32, out: String, err: String) {
            let console = Console.capturing(input: input)
            let code = await BerthCLI.run(argv + ["--specs", specs, "--state", state], environment: [:], console: console)
            return (code, console.stdout, console.stderr)
        }
        func spec(_ sealed: String) -> String {
            #"{"name": "w", "image": "busybox:1", "env": {"WELCOME": {"sealed": "\#(sealed)"}}}"#
        }
        func remove() { try? FileManager.default.removeItem(atPath: root) }
    }

    @Test func withoutAKeyEachCommandSaysWhatToDo() async throws {
        let p = try Project(); defer { p.remove() }
        let show = await p.berth(["keys", "show"])
        #expect(show.code == ExitCode.failure)
        #expect(show.err == "berth: no seal key in \(p.state)/keys: run `berth keys init` to make one\n")
        let seal = await p.berth(["seal"], input: "x")
        #expect(seal.err == "berth: no seal key in \(p.state)/keys: run `berth keys init`, or seal for another installation with --key PUBFILE\n")
        // Nothing was made by asking.
        #expect(!FileManager.default.fileExists(atPath: p.state))
    }

    @Test func aValueSealedFromStdinValidatesAndOpensToTheValue() async throws {
        let p = try Project(); defer { p.remove() }
        #expect(await p.berth(["keys", "init"]).code == ExitCode.ok)
        let sealed = await p.berth(["seal"], input: "hunter2\n")
        #expect(sealed.code == ExitCode.ok && sealed.err.isEmpty)
        let text = String(sealed.out.dropLast())
        #expect(!text.contains("hunter2") && text.hasPrefix(SealedValue.prefix))
        try p.write("specs/a.json", p.spec(text))
        let validated = await p.berth(["validate"])
        #expect(validated.out == "1 spec in 1 file: valid\n", "\(validated.err)")
        let desired = try SpecFolder.load(p.specs, stateDirectory: p.state)
        // The final newline stdin brought is not part of the value.
        #expect(desired.specs.first?.env["WELCOME"] == "hunter2")
        #expect((await p.berth(["seal"], input: "")).err == "berth: nothing to seal: the value is empty\n")
    }

    @Test func anEditSealedForAnotherKeyKeepsTheLastValidCopyInForce() async throws {
        let p = try Project(); defer { p.remove() }
        #expect(await p.berth(["keys", "init"]).code == ExitCode.ok)
        let own = String((await p.berth(["seal", "first"])).out.dropLast())
        try p.write("specs/a.json", p.spec(own))
        let store = p.state + "/last-valid"
        let before = try LastValidSpecs.load(specs: p.specs, store: store)
        #expect(before.specs.first?.env["WELCOME"] == "first" && before.errors.isEmpty)

        let other = try SealKey.generate()
        try Data(try other.publicPEM()).write(to: URL(fileURLWithPath: p.root + "/other.pub"))
        let foreign = await p.berth(["seal", "--key", p.root + "/other.pub", "second"])
        try p.write("specs/a.json", p.spec(String(foreign.out.dropLast())))
        let after = try LastValidSpecs.load(specs: p.specs, store: store)
        #expect(after.specs.first?.env["WELCOME"] == "first")
        #expect(after.invalidFiles == [p.specs + "/a.json"])
        let installation = try #require(try SealKeys.load(stateDirectory: p.state)).fingerprint
        #expect(after.errors.map(\.description) == [
            "\(p.specs)/a.json:1:67: $.env.WELCOME.sealed: spec \"w\": the value is sealed for key \(other.fingerprint), but this installation's key is \(installation): seal the value again for this installation (`berth keys show` prints its public key; elsewhere `berth seal --key seal.pub`)",
        ])
    }
}
