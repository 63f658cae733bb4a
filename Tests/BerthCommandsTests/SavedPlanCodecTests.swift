@testable import BerthCommands
import BerthJSON
import BerthModel
import Foundation
import Testing

/// A saved plan's file: what is written is read back the same, and carries actions by identity.
struct SavedPlanCodecTests {
    static let saved = SavedPlan(
        owner: "main", source: "specs folder /srv/specs", selection: ["web"], allowDelete: ["api"],
        allowMassDelete: false, allowMassCreate: true, digestKey: [0, 1, 254, 255],
        specs: ["docker/web": SpecDigests.Entry(file: "web.json", digest: "ab")], invalidFiles: ["bad.json": "cd"],
        suspended: ["old"],
        observed: ["c1": SavedPlan.Seen(resource: "docker container main-web-1", configHash: "h", state: "running"),
                   "c2": SavedPlan.Seen(resource: "docker container main-web-2", configHash: nil, state: "exited")],
        actions: [SavedPlan.ActionID(op: "replace", key: ResourceKey.container("docker", "web", replica: 1),
                                     existingID: "c1", configHash: "new", strategy: "start-first"),
                  SavedPlan.ActionID(op: "create", key: ResourceKey.object("kubernetes", "web",
                                                                    KubeObjectID(apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "web")),
                                     existingID: nil, configHash: "k", strategy: nil)],
        refused: [], text: "~ replace docker container web #1: changed\nPlan: 1 to replace.", json: .object(["matches": .bool(false)]))

    @Test func whatIsWrittenIsReadBack() throws {
        let text = Self.saved.encoded.serialized()
        let read = try #require(SavedPlan(try JSONParser.parse(text).value))
        #expect(read == Self.saved)
    }

    @Test func aFileOfAnotherFormatIsRefused() throws {
        var object = try #require(Self.saved.encoded.objectValue)
        object["berthPlan"] = .number("2")
        #expect(SavedPlan(.object(object)) == nil)
    }

    @Test func theFileIsPrivateAndReadable() throws {
        var template = Array("/tmp/berth-saved-XXXXXX".utf8CString)
        let root = String(cString: template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!)! })
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.saved.write(to: root + "/plan.berth")
        let mode = try FileManager.default.attributesOfItem(atPath: root + "/plan.berth")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try SavedPlan.read(root + "/plan.berth") == Self.saved)
        let console = Console.capturing()
        #expect(ShowCommand.run(arguments: Arguments(command: "show", positionals: [root + "/plan.berth"]), console: console) == 0)
        #expect(console.stdout == Self.saved.text + "\nSaved plan for owner main, from the specs folder /srv/specs: `berth apply \(root)/plan.berth` carries out exactly these actions.\n")
        #expect(throws: BerthError.self) { try SavedPlan.read(root + "/missing.berth") }
    }

    /// Apply does the saved actions, derived again, and nothing else; a planner that now
    /// derives something else is refused with what differs.
    @Test func onlyTheSavedActionsAreDone() throws {
        let key: [UInt8] = [7, 7, 7]
        let create = Action(op: .create, key: ResourceKey.container("docker", "api", replica: 1),
                            reason: "missing", configHash: "hash-one")
        let refusedByServer = Action(op: .create, key: ResourceKey.object("kubernetes", "web",
                                                                   KubeObjectID(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "web")), reason: "missing", configHash: "k")
        var saved = Self.saved
        saved.actions = [SavedPlan.ActionID(create, key: key)]
        saved.refused = [SavedPlan.ActionID(refusedByServer, key: key)]
        #expect(try saved.actions(of: Plan(actions: [create, refusedByServer]), key: key).actions == [create])
        #expect(!saved.encoded.serialized().contains("hash-one"), "config hashes are kept keyed")

        var changed = create
        changed.configHash = "hash-two"
        let delete = Action(op: .delete, key: ResourceKey.container("docker", "old", replica: 1),
                            reason: "spec removed", existingID: "0123456789abcdef")
        do {
            _ = try saved.actions(of: Plan(actions: [changed, delete]), key: key)
            Issue.record("a different plan was accepted")
        } catch {
            #expect("\(error)" == """
                planned then, not now: create docker container api #1
                  not planned then, planned now: create docker container api #1
                  not planned then, planned now: delete docker container old #1 (0123456789ab)
                """)
        }
    }
}
