import BerthCommands
import BerthHTTP
import BerthJSON
import Foundation
import Testing

/// The real engine `make test` starts, reached through the Engine API (never a mock), and a
/// private project folder per test so tests can run side by side.
struct TestEngine {
    static let demoImage = "berth-demo/busybox:1"

    let host: String
    let http: HTTPClient

    init() throws {
        guard let host = ProcessInfo.processInfo.environment["BERTH_TEST_DOCKER_HOST"], !host.isEmpty else {
            throw TestSetupError("integration tests need a Docker Engine: run `make test`, which starts one and sets BERTH_TEST_DOCKER_HOST")
        }
        self.host = host
        // A loaded engine took over 60 s to answer a network create.
        self.http = HTTPClient(endpoint: try HTTPEndpoint(parsing: host), timeout: .seconds(240))
    }

    /// Another private engine (a target of berth.json in tests of several targets).
    init(host: String) throws {
        self.host = host
        self.http = HTTPClient(endpoint: try HTTPEndpoint(parsing: host))
    }

    func call(_ method: String, _ path: String, body: JSONValue? = nil) async throws -> (Int, JSONValue?) {
        let response = try await http.send(HTTPRequest(
            method: method, path: "/v1.41" + path, headers: body == nil ? [] : [("Content-Type", "application/json")],
            body: body.map { Array($0.serialized().utf8) }))
        let json = JSONValue(answer: response.body)
        return (response.status, json)
    }

    /// Containers carrying `label` (e.g. "berth.owner=x"), all states.
    func containers(label: String) async throws -> [Container] {
        let filters = JSONValue.object(["label": .array([.string(label)])]).serialized()
        let encoded = filters.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? filters
        let (_, list) = try await call("GET", "/containers/json?all=1&filters=\(encoded)")
        return (list?.arrayValue ?? []).map(Container.init).sorted { $0.name < $1.name }
    }

    func inspect(_ id: String) async throws -> JSONValue? { try await call("GET", "/containers/\(id)/json").1 }

    /// A container berth did not create, from the demo image, left running.
    @discardableResult
    func createForeign(name: String, labels: [String: String]) async throws -> String {
        let body: JSONValue = .object([
            "Image": .string(TestEngine.demoImage), "Cmd": .array(["sleep", "3600"].map { .string($0) }),
            "Labels": .object(labels.mapValues { .string($0) }),
            "HostConfig": .object(["Init": .bool(true)]),
        ])
        let (status, created) = try await call("POST", "/containers/create?name=\(name)", body: body)
        try #require(status == 201, "creating foreign container \(name): \(status) \(created?.serialized() ?? "")")
        let id = created!["Id"]!.stringValue!
        _ = try await call("POST", "/containers/\(id)/start")
        return id
    }

    func kill(_ id: String) async throws { _ = try await call("POST", "/containers/\(id)/kill") }

    /// Removes everything a test made: its owner's containers and the given foreign ones.
    func cleanUp(owner: String, foreign: [String] = []) async {
        let mine = (try? await containers(label: "berth.owner=\(owner)")) ?? []
        for id in mine.map(\.id) + foreign { _ = try? await call("DELETE", "/containers/\(id)?force=true") }
        await removeNetworks(label: "berth.owner=\(owner)")
    }
}

struct Container: Sendable {
    var id: String
    var name: String
    var state: String
    var labels: [String: String]

    init(_ json: JSONValue) {
        id = json["Id"]?.stringValue ?? ""
        name = String((json["Names"]?.arrayValue?.first?.stringValue ?? "").drop { $0 == "/" })
        state = json["State"]?.stringValue ?? ""
        labels = (json["Labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
