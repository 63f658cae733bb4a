@testable import BerthCommands
import BerthSource
import BerthModel
import Foundation
import Testing

/// What a person who can push specs may not reach: policy-refused fields, files outside the
/// specs folder (build contexts, Dockerfiles, tarballs, through links too), oversized files.
/// Each case runs `berth validate` in process on a throwaway project.
struct SpecSourceSafetyTests {
    /// project/specs, project/outside; removed by `remove()`.
    struct Project {
        let root: String
        init() throws {
            var template = Array("/tmp/berth-safety-XXXXXX".utf8CString)
            guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else { throw POSIXError(.EIO) }
            root = String(cString: made)
            try FileManager.default.createDirectory(atPath: root + "/specs", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: root + "/outside", withIntermediateDirectories: true)
        }
        var specs: String { root + "/specs" }
        func write(_ relative: String, _ text: String) throws {
            let path = root + "/" + relative
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        }
        func link(_ relative: String, to target: String) throws {
            try FileManager.default.createSymbolicLink(atPath: root + "/" + relative, withDestinationPath: target)
        }
        func validate(_ extra: [String] = []) async -> (code: Int32, out: String, err: String) {
            let console = Console.capturing()
            let code = await BerthCLI.run(["validate", "--specs", specs, "--state", root + "/state"] + extra, environment: [:], console: console)
            return (code, console.stdout, console.stderr)
        }
        func remove() { try? FileManager.default.removeItem(atPath: root) }
    }

    @Test func policyRefusalIsAValidationErrorAtTheField() async throws {
        let p = try Project(); defer { p.remove() }
        try p.write("specs/a.json", #"{"name": "w", "image": "busybox:1", "docker": {"HostConfig": {"Privileged": true}}}"#)
        try p.write("policy.json", #"{"hostPaths": ["/srv"]}"#)
        #expect(await p.validate().code == 0)
        let result = await p.validate(["--policy", p.root + "/policy.json"])
        #expect(result.code == 1)
        #expect(result.err.contains(#"\#(p.specs)/a.json:1:77: $.docker.HostConfig.Privileged: privileged container is refused by policy rule "privileged" of \#(p.root)/policy.json"#))
    }

    /// watch reads through the last-valid store: a spec the policy refuses is an invalid file
    /// there too, and its earlier valid copy (kept from before the policy) is judged as well.
    @Test func watchSeesThePolicy() throws {
        let p = try Project(); defer { p.remove() }
        let store = p.root + "/state/last-valid"
        try p.write("specs/a.json", #"{"name": "w", "image": "busybox:1", "docker": {"HostConfig": {"PidMode": "host"}}}"#)
        let open = try LastValidSpecs.load(specs: p.specs, store: store)
        #expect(open.specs.count == 1 && open.invalidFiles.isEmpty)
        let guarded = try LastValidSpecs.load(specs: p.specs, store: store, policy: Policy(file: "p.json"))
        #expect(guarded.specs.isEmpty)
        #expect(guarded.invalidFiles == [p.specs + "/a.json"])
        #expect(guarded.errors.map(\.message).contains { $0.contains(#"refused by policy rule "host-namespaces" of p.json"#) })
    }

    @Test func policyInsideTheSpecsFolderIsRefused() async throws {
        let p = try Project(); defer { p.remove() }
        try p.write("specs/policy/open.json", #"{"allow": ["privileged"]}"#)
        let result = await p.validate(["--policy", p.specs + "/policy/open.json"])
        #expect(result.code == 1)
        #expect(result.err == "berth: policy file \(p.specs)/policy/open.json is inside the specs folder \(p.specs): whoever can change a spec could change the policy; keep it outside, owned by the operator\n")
    }

    @Test func policyOthersMayChangeIsRefused() async throws {
        let p = try Project(); defer { p.remove() }
        try p.write("specs/a.json", #"{"name": "w", "image": "busybox:1"}"#)
        try p.write("policy.json", #"{"allow": ["privileged"]}"#)
        #expect(await p.validate(["--policy", p.root + "/policy.json"]).code == 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: p.root + "/policy.json")
        let result = await p.validate(["--policy", p.root + "/policy.json"])
        #expect(result.code == 1)
        #expect(result.err.hasPrefix("berth: policy file \(p.root)/policy.json may be changed by other users (mode 666"))
    }

    @Test(arguments: [
        (#"{"context": "../outside"}"#, "build context"),
        (#"{"context": "/etc", "dockerfile": "shadow"}"#, "build context"),
        (#"{"context": "ctx-link"}"#, "build context"),
    ])
    func buildContextOutsideTheSpecsFolderIsRefused(build: String, what: String) async throws {
        let p = try Project(); defer { p.remove() }
        try p.write("outside/Dockerfile", "FROM scratch\n")
        try p.write("outside/id_rsa", "PRIVATE\n")
        try p.link("specs/ctx-link", to: p.root + "/outside")
        try p.write("specs/a.json", #"{"name": "w", "image": {"ref": "x/w:1", "build": \#(build)}}"#)
        let result = await p.validate()
        #expect(result.code == 1)
        #expect(result.err.contains("$.image.build.context: \(what) "))
        #expect(result.err.contains("is outside the specs folder \(p.specs)"))
        #expect(!result.err.contains("root:"))
        // The operator may allow another root in the policy.
        try p.write("policy.json", #"{"buildRoots": ["\#(p.root)/outside"]}"#)
        if !build.contains("/etc") { #expect(await p.validate(["--policy", p.root + "/policy.json"]).code == 0) }
    }

    @Test func dockerfileLinkLeadingOutTheContextIsRefused() async throws {
        let p = try Project(); defer { p.remove() }
        try p.write("outside/secret", "FROM scratch\n")
        try p.write("specs/ctx/index.html", "hi\n")
        try p.link("specs/ctx/Dockerfile", to: p.root + "/outside/secret")
        try p.write("specs/a.json", #"{"name": "w", "image": {"ref": "x/w:1", "build": {"context": "ctx"}}}"#)
        let result = await p.validate()
        #expect(result.code == 1)
        #expect(result.err.contains("the Dockerfile Dockerfile of build context \(p.specs)/ctx leads outside the context"))
    }

    @Test func importTarballOutsideTheSpecsFolderIsRefused() async throws {
        let p = try Project(); defer { p.remove() }
        try p.write("outside/rootfs.tar", "not really a tar")
        try p.write("specs/inside.tar", "not really a tar")
        try p.write("specs/a.json", #"{"name": "w", "image": {"ref": "x/w:1", "import": {"src": "\#(p.root)/outside/rootfs.tar"}}}"#)
        let result = await p.validate()
        #expect(result.code == 1)
        #expect(result.err.contains("$.image.import.src: image tarball \(p.root)/outside/rootfs.tar is outside the specs folder"))
        try p.write("specs/a.json", #"{"name": "w", "image": {"ref": "x/w:1", "import": {"src": "inside.tar"}}}"#)
        #expect(await p.validate().code == 0)
    }

    @Test func buildContextOverThePolicysLimitIsRefused() async throws {
        let p = try Project(); defer { p.remove() }
        try p.write("specs/ctx/Dockerfile", "FROM scratch\n")
        for i in 0..<5 { try p.write("specs/ctx/f\(i)", "x") }
        try p.write("specs/a.json", #"{"name": "w", "image": {"ref": "x/w:1", "build": {"context": "ctx"}}}"#)
        try p.write("policy.json", #"{"buildContext": {"maxFiles": 4}}"#)
        #expect(await p.validate().code == 0)
        let result = await p.validate(["--policy", p.root + "/policy.json"])
        #expect(result.code == 1)
        #expect(result.err.contains("build context \(p.specs)/ctx holds 6 files, more than the limit of 4"))
    }

    @Test func oversizedSpecFileIsRefusedWithoutBeingRead() async throws {
        let p = try Project(); defer { p.remove() }
        let padding = String(repeating: " ", count: SpecFolder.maxFileBytes)
        try p.write("specs/big.json", #"{"name": "w", "image": "busybox:1"}"# + padding)
        let result = await p.validate()
        #expect(result.code == 1)
        #expect(result.err.hasPrefix("\(p.specs)/big.json:1:1: $: the file is larger than 4194304 bytes (4 MiB), the most a spec file may hold: split it into several files\n"))
    }
}
