@testable import BerthDocker
import BerthJSON
import BerthModel
import Testing

/// The Swarm adapter against the real engine's recorded answers: an update sends the version
/// it read; a stale version ("update out of sequence", as a change by someone else in between
/// makes it) is read again and retried, up to five times.
@Suite(.timeLimit(.minutes(5)))  // a hang guard: every case is a handful of local requests
struct SwarmAdapterTests {
    static let answers = EngineAnswers.recorded
    static let id = answers.id("service-create")
    static let body: JSONValue = answers["service-update"].body!
    /// The version the engine gave the service after the first update.
    static let updated = answers["service-inspect-updated"].answer?["Version"]?["Index"]?.intValue ?? 0

    struct Case: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var steps: [Step]
        var error: String? = nil
    }

    static let staleThenRead: [Step] = [.recorded("service-inspect"), .recorded("service-update-stale")]

    static let cases: [Case] = [
        Case(testDescription: "an update sends the version it read",
             steps: [.recorded("service-inspect"), .recorded("service-update")]),
        Case(testDescription: "a stale version is read again and the update retried with the new one",
             steps: staleThenRead + [.recorded("service-inspect-updated"),
                                     .answer("service-update", to: "POST /services/\(id)/update?version=\(updated)")]),
        Case(testDescription: "five stale versions in a row end in the engine's words",
             steps: Array(repeating: staleThenRead, count: 5).flatMap { $0 },
             error: "updating service rec-svc: engine answered 500: rpc error: code = Unknown desc = update out of sequence"),
    ]

    @Test(arguments: cases)
    func update(_ row: Case) async throws {
        let engine = try ReplayEngine(row.steps)
        let adapter = DockerSwarmAdapter(client: engine.client)
        var failure: String?
        do {
            try await adapter.update(id: Self.id, name: "rec-svc", body: Self.body)
        } catch {
            failure = "\(error)"
        }
        #expect(engine.unexpected == [], "requests out of order")
        #expect(engine.remaining == [], "requests berth did not make")
        if let expected = row.error {
            #expect(failure?.contains(expected) == true, "\(failure ?? "no error")")
        } else {
            #expect(failure == nil)
        }
        // Every update carries the whole spec, unchanged by the retries.
        #expect(engine.bodies.filter { $0.request.hasPrefix("POST") }.allSatisfy { $0.body == Self.body })
    }

    /// Observing is one list of the owner's services, one of running tasks and one of the
    /// owner's networks: the service is
    /// seen with its spec name, configuration and running count.
    @Test func observeReadsTheServicesAndTheirRunningTasks() async throws {
        // Then the owner's networks (one list, by label). The recordings predate networks: the
        // service list's answer stands in for it, and none of its items is a network of berth's.
        let networks = #"GET /networks?filters={"label":["berth.owner=rec"]}"#
        let engine = try ReplayEngine([.recorded("service-list"), .recorded("task-list"), .answer("service-list", to: networks)])
        let observed = try await DockerSwarmAdapter(client: engine.client).observe(owner: "rec")
        #expect(engine.unexpected == [] && engine.remaining == [])
        #expect(observed.map(\.engineName) == ["rec-svc"])
        #expect(observed.first?.name == "svc" && observed.first?.configHash == "s2" && observed.first?.running == 1)
    }

    /// A delete removes the service; one already gone (404) is done too.
    @Test(arguments: ["service-remove", "service-remove-gone"])
    func deleteRemovesTheService(_ answer: String) async throws {
        // The service is read first (its labels say whether its image goes with it), and after
        // the delete until the engine no longer knows it.
        let engine = try ReplayEngine([.answer("service-remove-gone", to: "GET /services/\(Self.id)"), .recorded(answer),
                                       .answer("service-remove-gone", to: "GET /services/\(Self.id)")])
        let action = Action(op: .delete, key: ResourceKey(target: "swarm", kind: "service", name: "svc"), reason: "spec removed",
                            existingID: Self.id, existingName: "rec-svc")
        try await DockerSwarmAdapter(client: engine.client).perform(action, owner: "rec")
        #expect(engine.unexpected == [] && engine.remaining == [])
    }

    /// A service as the engine describes it becomes what the planner sees.
    @Test func theRecordedServiceIsObserved() throws {
        let service = try #require(Self.answers["service-inspect-updated"].answer)
        let observed = try #require(DockerSwarmAdapter.observed(service, owner: "rec", running: [Self.id: 1]))
        #expect(observed.name == "svc" && observed.engineName == "rec-svc" && observed.configHash == "s2" && observed.running == 1)
        #expect(DockerSwarmAdapter.observed(service, owner: "someone-else", running: [:]) == nil)
    }
}
