import BerthJSON
import Foundation
import Testing

/// Networks in tests: berth makes one per owner, so every test removes its owner's.
extension TestEngine {
    struct Network: Sendable {
        var id: String
        var name: String
        var driver: String
        var labels: [String: String]
    }

    /// Networks carrying `label` ("berth.owner=x"), or named exactly `name`.
    func networks(label: String? = nil, name: String? = nil) async throws -> [Network] {
        var filters: [String: JSONValue] = [:]
        if let label { filters["label"] = .array([.string(label)]) }
        if let name { filters["name"] = .array([.string(name)]) }
        let text = JSONValue.object(filters).serialized()
        let encoded = text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
        let (_, list) = try await call("GET", "/networks?filters=\(encoded)")
        return (list?.arrayValue ?? []).compactMap { json in
            guard let id = json["Id"]?.stringValue, let found = json["Name"]?.stringValue, name == nil || found == name else { return nil }
            return Network(id: id, name: found, driver: json["Driver"]?.stringValue ?? "",
                           labels: (json["Labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue))
        }.sorted { $0.name < $1.name }
    }

    /// A network made by the test itself. Retried while the engine answers the passing 500
    /// "iptables … Chain 'DOCKER' does not exist" another dockerd starting on this host causes.
    func createNetwork(name: String, labels: [String: String] = [:], driver: String = "bridge") async throws -> String {
        var body: [String: JSONValue] = ["Name": .string(name), "Driver": .string(driver), "CheckDuplicate": .bool(true),
                                         "Labels": .object(labels.mapValues { .string($0) })]
        if driver == "overlay" { body["Attachable"] = .bool(true) }
        for attempt in 1...10 {
            let (status, created) = try await call("POST", "/networks/create", body: .object(body))
            if status == 201, let id = created?["Id"]?.stringValue { return id }
            let said = created?["message"]?.stringValue ?? ""
            guard status >= 500, attempt < 10 else {
                throw TestSetupError("creating network \(name): \(status) \(said)")
            }
            try await Task.sleep(for: .milliseconds(500 * attempt))
        }
        throw TestSetupError("creating network \(name): no success")
    }

    /// Removes the networks carrying `label`, waiting (up to 60 s) while containers or
    /// service tasks being removed still leave them.
    func removeNetworks(label: String) async {
        for network in (try? await networks(label: label)) ?? [] { await removeNetwork(network.id) }
    }

    func removeNetwork(_ id: String) async {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            guard let (status, _) = try? await call("DELETE", "/networks/\(id)") else { return }
            if status < 300 || status == 404 { return }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }
}
