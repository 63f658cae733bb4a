import BerthJSON
import BerthModel

/// A released resource (`"prune": false`) is no longer berth's, so it leaves berth's
/// networks: they are deleted once no spec uses them, and berth cannot see a released
/// container or service on them (it never observes either again).
extension NetworkOperations {
    /// The IDs of this owner's networks on this target.
    func ownIDs() async throws -> Set<String> { Set(try await observe().map(\.id)) }

    /// A released container moves to the engine's default bridge (it keeps a network and its
    /// published ports) and leaves berth's networks, without a restart.
    func release(container id: String, name: String) async throws {
        let own = try await ownIDs()
        let inspected = try await client.request("GET", "/containers/\(id)/json", doing: "inspecting container \(name)", accept: [404])
        guard inspected.status != 404 else { return }
        let on = JSONValue(answer: inspected.body)?["NetworkSettings"]?["Networks"]?.objectValue ?? [:]
        let ours = on.filter { own.contains($0.value["NetworkID"]?.stringValue ?? "") }
        guard !ours.isEmpty else { return }
        if ours.count == on.count {
            _ = try await client.request("POST", "/networks/bridge/connect", body: .object(["Container": .string(id)]),
                                         doing: "moving released container \(name) to the default bridge", accept: [403])
        }
        for (network, endpoint) in ours.sorted(by: { $0.key < $1.key }) {
            let networkID = endpoint["NetworkID"]?.stringValue ?? network
            _ = try await client.request("POST", "/networks/\(networkID)/disconnect", body: .object(["Container": .string(id), "Force": .bool(true)]),
                                         doing: "taking released container \(name) off network \(network)", accept: [404])
        }
    }

    /// A released service's spec without berth's networks (others it names stay).
    func released(_ spec: [String: JSONValue]) async throws -> [String: JSONValue] {
        guard var task = spec["TaskTemplate"]?.objectValue, let attached = task["Networks"]?.arrayValue else { return spec }
        let own = try await ownIDs()
        let kept = attached.filter { !own.contains($0["Target"]?.stringValue ?? "") }
        guard kept.count != attached.count else { return spec }
        var out = spec
        task["Networks"] = .array(kept)
        out["TaskTemplate"] = .object(task)
        return out
    }
}
