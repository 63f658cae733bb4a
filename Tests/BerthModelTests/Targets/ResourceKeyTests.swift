import BerthModel
import Foundation
import Testing

/// A resource key's shape per platform, its saved form read back, its order (plan text
/// depends on it), and SpecName's coding and order.
struct ResourceKeyTests {
    static let deployment = KubeObjectID(apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "web")

    @Test func eachPlatformsKeyHasItsShape() {
        let container = ResourceKey.container("docker", "web", replica: 2)
        #expect(container.kind == "container" && container.replica == 2 && container.object == nil)
        #expect(container.description == "docker container web #2")

        let service = ResourceKey.service("swarm", "web")
        #expect(service.kind == "service" && service.replica == nil && service.object == nil)
        #expect(service.description == "swarm service web")

        let object = ResourceKey.object("kubernetes", "web", Self.deployment)
        #expect(object.kind == "Deployment" && object.replica == nil && object.object == Self.deployment)
        #expect(object.description == "kubernetes apps/v1 Deployment default/web (spec web)")

        #expect(ResourceKey(target: "edge-1", name: "db", unit: .network).description == "edge-1 network db")
        #expect(ResourceKey(target: "edge-1", name: "db", unit: .volume).kind == "volume")
        let other = ResourceKey(target: "lab", name: "job", unit: .other(kind: "unit", id: ""))
        #expect(other.description == "lab unit job" && other.otherID == nil)
        let named = ResourceKey(target: "lab", name: "job", unit: .other(kind: "unit", id: "u-7"))
        #expect(named.description == "lab unit u-7 (spec job)" && named.otherID == "u-7")
    }

    /// What a saved plan writes (kind, replica, object, id) reads back as the same key; fields
    /// that make no shape are refused, never guessed.
    @Test func theSavedFormReadsBack() {
        let keys: [ResourceKey] = [
            .container("edge-1", "web", replica: 3), .service("swarm", "api"), .object("kubernetes", "web", Self.deployment),
            ResourceKey(target: "docker", name: "db", unit: .network), ResourceKey(target: "docker", name: "db", unit: .volume),
            ResourceKey(target: "lab", name: "job", unit: .other(kind: "unit", id: "")),
            ResourceKey(target: "lab", name: "job", unit: .other(kind: "unit", id: "u-7")),
        ]
        for key in keys {
            let read = ResourceKey(saved: key.target, kind: key.kind, name: key.name, replica: key.replica,
                                   object: key.object?.description, id: key.otherID)
            #expect(read == key, "\(key)")
        }
        #expect(ResourceKey(saved: "docker", kind: "container", name: "web", replica: nil, object: nil) == nil, "a container without its replica")
        #expect(ResourceKey(saved: "kubernetes", kind: "Deployment", name: "web", replica: 1,
                            object: Self.deployment.description) == nil, "a Kubernetes object with a replica")
        #expect(ResourceKey(saved: "kubernetes", kind: "Deployment", name: "web", replica: nil, object: "not an object") == nil)
        #expect(ResourceKey(saved: "kubernetes", kind: "Service", name: "web", replica: nil,
                            object: Self.deployment.description) == nil, "a kind the object does not have")
        #expect(ResourceKey(saved: "swarm", kind: "service", name: "web", replica: 1, object: nil) == nil)
    }

    /// Plans list actions by target, kind, name, replica (numerically), then object.
    @Test func keysSortAsPlansListThem() {
        let keys: [ResourceKey] = [
            .container("docker", "web", replica: 10), .object("kubernetes", "web", Self.deployment),
            .container("docker", "web", replica: 2), .service("docker", "api"), .container("docker", "api", replica: 1),
            .object("kubernetes", "web", KubeObjectID(apiVersion: "apps/v1", kind: "Deployment", namespace: "a", name: "web")),
            .container("a-target", "zz", replica: 1),
        ]
        #expect(keys.sorted().map(\.description) == [
            "a-target container zz #1",
            "docker container api #1", "docker container web #2", "docker container web #10",
            "docker service api",
            "kubernetes apps/v1 Deployment a/web (spec web)", "kubernetes apps/v1 Deployment default/web (spec web)",
        ])
    }

    @Test func specNameIsAPlainStringInJSONAndOrdersAsItsText() throws {
        let names: [SpecName] = ["web", "api-\(2)", SpecName("db")]
        let data = try JSONEncoder().encode(names)
        #expect(String(decoding: data, as: UTF8.self) == #"["web","api-2","db"]"#)
        #expect(try JSONDecoder().decode([SpecName].self, from: data) == names)
        #expect(names.sorted() == ["api-2", "db", "web"])
        #expect(SpecName("web") == "web" && "\(SpecName("web"))" == "web")
        #expect(TargetName("edge-1").qualifying("web") == "edge-1/web")
    }
}
