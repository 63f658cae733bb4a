@testable import BerthDocker
@testable import BerthEngine
import BerthJSON
import BerthModel
import Testing

/// The container adapter against the real engine's recorded answers: what berth sends, in
/// which order, and what it makes of what the engine said. Each case is one conversation;
/// the replaying engine refuses any request out of order, so a changed step shows here.
@Suite(.timeLimit(.minutes(5)))  // a hang guard: every case is a handful of local requests
struct ContainerOperationsTests {
    static let answers = EngineAnswers.recorded
    static let oldID = answers.id("create-old")
    static let nextID = answers.id("create-next")

    /// The spec the recordings were made for: owner "rec", spec "web", replica 1. They were
    /// made before berth had networks: the conversations' spec keeps the default bridge
    /// (a native NetworkMode, so berth joins nothing), and the body test sets the owner's
    /// network apart (`networked`).
    static func spec(_ name: String = "web", mode: String, networked: Bool = false) -> Spec {
        let host = networked ? #"{"Init": true}"# : #"{"Init": true, "NetworkMode": "default"}"#
        let text = """
            {"name": "\(name)", "image": "berth-demo/busybox:1", "command": ["sleep", "3600"], "env": {"MODE": "\(mode)"},
             "docker": {"HostConfig": \(host)}}
            """
        let result = SpecDecoder.decode(file: "\(name).json", bytes: Array(text.utf8))
        precondition(result.isValid, "\(result.errors)")
        return result.specs[0]
    }

    static func key(_ name: String = "web") -> ResourceKey { ResourceKey(target: "docker", kind: "container", name: name, replica: 1) }

    struct Case: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var action: Action
        var steps: [Step]
        /// A part of the error berth must end with, or nil for success.
        var error: String? = nil
        /// A part of the note berth must leave for the journal.
        var note: String? = nil
    }

    static let cases: [Case] = [
        Case(testDescription: "create: the body goes to the engine, then the container is started",
             action: Action(op: .create, key: key(), reason: "new", spec: spec(mode: "old"), configHash: "old"),
             steps: [.recorded("image-inspect"), .recorded("create-old"), .recorded("start-old")]),
        Case(testDescription: "create meets its own container from an attempt whose answer was lost: adopted and started",
             action: Action(op: .create, key: key(), reason: "new", spec: spec(mode: "old"), configHash: "old"),
             steps: [.recorded("image-inspect"), .recorded("create-conflict"), .recorded("inspect-old"), .recorded("start-again")],
             note: "adopted container rec-web-1"),
        Case(testDescription: "create meets an outdated duplicate of its replica: it is removed and the create done again",
             action: Action(op: .create, key: key(), reason: "new", spec: spec(mode: "new"), configHash: "new"),
             steps: [.recorded("image-inspect"), .recorded("create-conflict"), .recorded("inspect-old"), .recorded("remove-old"),
                     .answer("create-next", to: "POST /containers/create?name=rec-web-1"),
                     .answer("start-old", to: "POST /containers/\(nextID)/start")]),
        Case(testDescription: "create meets a container berth did not make under its name: refused, left alone",
             action: Action(op: .create, key: key("api"), reason: "new", spec: spec("api", mode: "new"), configHash: "new"),
             steps: [.recorded("image-inspect"), .answer("create-conflict", to: "POST /containers/create?name=rec-api-1"),
                     .recorded("inspect-foreign")],
             error: "creating container rec-api-1: the name is taken by a container berth did not make for this spec; berth leaves it alone"),
        Case(testDescription: "replace start-first after a crash: the -next rename is refused while an outdated duplicate holds the name; it goes, the rename is done",
             action: Action(op: .replace, key: key(), reason: "config changed", spec: spec(mode: "new"), configHash: "new",
                            existingID: "0ld", existingName: "rec-web-1", strategy: .startFirst),
             steps: [.recorded("inspect-old"),
                     .answer("inspect-missing", to: "GET /containers/rec-web-1-next/json"),
                     .recorded("image-inspect"), .recorded("create-next"),
                     .answer("start-old", to: "POST /containers/\(nextID)/start"),
                     // The replaced container's image is looked up (it is removed later if berth built it).
                     .answer("inspect-missing", to: "GET /containers/0ld/json"),
                     .answer("remove-gone", to: "POST /containers/0ld/stop"),
                     .answer("remove-gone", to: "DELETE /containers/0ld?force=true"),
                     .recorded("rename-conflict"), .recorded("inspect-old"), .recorded("remove-old"), .recorded("rename")]),
        Case(testDescription: "replace start-first clears a leftover -next of ours before making it again",
             action: Action(op: .replace, key: key(), reason: "config changed", spec: spec(mode: "new"), configHash: "new",
                            existingID: oldID, existingName: "rec-web-1", strategy: .startFirst),
             steps: [.recorded("inspect-old"),
                     .recorded("inspect-next"), .answer("remove-old", to: "DELETE /containers/\(nextID)?force=true"),
                     .recorded("image-inspect"), .recorded("create-next"),
                     .answer("start-old", to: "POST /containers/\(nextID)/start"),
                     .answer("inspect-missing", to: "GET /containers/\(oldID)/json"),
                     .answer("start-old", to: "POST /containers/\(oldID)/stop"), .recorded("remove-old"), .recorded("rename")]),
        Case(testDescription: "delete of a container already gone is done",
             action: Action(op: .delete, key: key(), reason: "spec removed", existingID: oldID, existingName: "rec-web-1"),
             steps: [.answer("inspect-missing", to: "GET /containers/\(oldID)/json"),
                     .answer("remove-gone", to: "POST /containers/\(oldID)/stop"), .recorded("remove-gone")]),
        Case(testDescription: "start of a container already running (304) is done",
             action: Action(op: .start, key: key(), reason: "stopped", existingID: oldID, existingName: "rec-web-1"),
             steps: [.recorded("start-again")]),
    ]

    @Test(arguments: cases)
    func conversation(_ row: Case) async throws {
        let engine = try ReplayEngine(row.steps)
        let adapter = DockerContainerAdapter(client: engine.client)
        let notes = ActionNotes()
        var failure: String?
        do {
            try await ActionNotes.$current.withValue(notes) { try await adapter.perform(row.action, owner: "rec") }
        } catch {
            failure = "\(error)"
        }
        #expect(engine.unexpected == [], "requests out of order")
        if let expected = row.error {
            #expect(failure?.contains(expected) == true, "\(failure ?? "no error")")
        } else {
            #expect(failure == nil)
            #expect(engine.remaining == [], "requests berth did not make")
        }
        if let note = row.note { #expect(notes.text?.contains(note) == true, "\(notes.text ?? "no note")") }
    }

    /// The body berth builds from a spec is byte for byte the one the real engine accepted
    /// (201), and the engine's inspect shows each field as the spec says.
    @Test func theBodyBuiltFromASpecIsTheOneTheEngineAccepted() throws {
        var body = ContainerBody.make(spec: Self.spec(mode: "old", networked: true), replica: 1, owner: "rec", configHash: "old")
        // The owner's network, with the spec name as alias; the rest as recorded.
        #expect(body["HostConfig"]?["NetworkMode"] == .string("rec-default"))
        #expect(body["NetworkingConfig"]?["EndpointsConfig"]?["rec-default"]?["Aliases"] == .array([.string("web")]))
        if case .object(var fields) = body {
            fields["NetworkingConfig"] = nil
            fields["HostConfig"] = .object(["Init": .bool(true)])
            body = .object(fields)
        }
        #expect(body == Self.answers["create-old"].body)
        #expect(Self.answers["create-old"].status == 201)
        let config = try #require(Self.answers["inspect-old"].answer?["Config"])
        #expect(config["Env"]?.arrayValue?.contains(.string("MODE=old")) == true)
        #expect(config["Cmd"] == .array([.string("sleep"), .string("3600")]))
        #expect(config["Labels"]?["berth.config-hash"] == .string("old"))
        #expect(config["Hostname"] == .string("web-1"))
        #expect(Self.answers["inspect-old"].answer?["HostConfig"]?["Init"] == .bool(true))
    }

    /// What the engine's list says becomes what the planner sees.
    @Test func theRecordedListIsObservedAsTheReplica() throws {
        let list = try #require(Self.answers["list"].answer?.arrayValue)
        let observed = list.compactMap { DockerContainerAdapter.observed($0, owner: "rec") }
        #expect(observed.map(\.engineName) == ["rec-web-1"])
        #expect(observed.first?.name == "web" && observed.first?.replica == 1 && observed.first?.configHash == "new")
        #expect(list.compactMap { DockerContainerAdapter.observed($0, owner: "someone-else") }.isEmpty)
    }

    /// The recorded event stream, as the engine sends it, becomes one event per change of
    /// berth's containers, and its end is an error the watch reconnects after.
    @Test func theRecordedEventStreamBecomesResourceEvents() async throws {
        let engine = try ReplayEngine([.answer("events", to: #"GET /events?filters={"label":["berth.owner=rec"],"type":["container"]}"#)])
        let stream = try await DockerContainerAdapter(client: engine.client).events(owner: "rec")
        var actions: [String] = []
        var ending: String?
        do {
            for try await event in stream {
                #expect(event.name == "web" && event.target == "docker")
                actions.append(event.action)
            }
        } catch {
            ending = "\(error)"
        }
        #expect(engine.unexpected == [])
        #expect(actions == ["create", "start", "create", "kill", "die", "destroy", "rename", "destroy"])
        #expect(ending?.contains("the engine closed its event stream") == true, "\(ending ?? "no error")")
    }
}
