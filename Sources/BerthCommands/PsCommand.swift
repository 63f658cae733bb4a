import BerthSystem
import BerthDocker
import BerthJSON
import BerthKube
import BerthModel

/// `berth ps`: what runs for this owner, one line per container, Swarm service or
/// Kubernetes object (when berth uses a cluster: a spec targets it, objects were applied
/// there, or a kubeconfig or context was named).
enum PsCommand {
    struct Row {
        var name: String
        var target: String
        /// `web-1` for a container, the service's name for a service.
        var instance: String
        var state: String
        var health: String?
        var image: String

        var json: JSONValue {
            .object(["name": .string(name), "target": .string(target), "instance": .string(instance), "state": .string(state),
                     "health": health.map(JSONValue.string) ?? .null, "image": .string(image)])
        }
    }

    static func run(settings: Settings, arguments: Arguments, console: Console) async throws -> Int32 {
        let client = DockerClient(endpoint: try settings.endpoint(), timeout: settings.engineTimeout)
        var rows: [Row] = []
        var failed = false
        do {
            rows = try await self.rows(EngineListing(client: client, owner: settings.owner))
        } catch {
            // A Kubernetes-only user may have no engine: say so, and still list the cluster.
            guard KubeConnector.isNeeded(settings.implicitKubeTarget, desired: nil) else { throw error }
            if (error as? BerthError)?.code == .engineUnreachable {
                console.err("berth: no Docker Engine answers at \(settings.dockerHost); only Kubernetes is listed")
            } else {
                console.err("berth: \(error)")
                failed = true
            }
        }
        if KubeConnector.isNeeded(settings.implicitKubeTarget, desired: nil) {
            let kube = KubePlatform(settings: settings.implicitKubeTarget)
            do {
                rows += try await kubeRows(kube.adapter().observe(owner: settings.owner))
            } catch {
                console.err("berth: kubernetes: \(error)")
                failed = true
            }
            await kube.stop()
        }
        if arguments.flags.contains("json") {
            console.out(JSONValue.array(rows.map(\.json)).serialized())
            return failed ? ExitCode.failure : ExitCode.ok
        }
        if rows.isEmpty {
            if !failed { console.err("berth: nothing runs for owner \(settings.owner) on \(settings.dockerHost)") }
            return failed ? ExitCode.failure : ExitCode.ok
        }
        let table = [["NAME", "TARGET", "INSTANCE", "STATE", "HEALTH", "IMAGE"]]
            + rows.map { [$0.name, $0.target, $0.instance, $0.state, $0.health ?? "-", $0.image] }
        let widths = (0..<6).map { column in table.map { $0[column].count }.max()! }
        for line in table {
            console.out(zip(line, widths).enumerated().map { index, cell in
                index == 5 ? cell.0 : cell.0.paddedWithSpaces(to: cell.1 + 2)
            }.joined())
        }
        return failed ? ExitCode.failure : ExitCode.ok
    }

    /// Kubernetes objects of this owner: a Deployment shows its ready replicas over those
    /// wanted; other kinds are present (or being deleted).
    static func kubeRows(_ observed: [ObservedResource]) -> [Row] {
        observed.compactMap { found in
            guard let name = found.name else { return nil }
            var state = found.state == .removing ? "deleting" : "present"
            if found.kind == "Deployment" {
                let wanted = found.native?["spec"]?["replicas"]?.intValue ?? 1
                let ready = found.native?["status"]?["readyReplicas"]?.intValue ?? 0
                state = found.state == .removing ? "deleting" : "ready \(ready)/\(wanted)"
            }
            let image = found.native?["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"]?.stringValue ?? ""
            return Row(name: name.rawValue, target: "kubernetes", instance: "\(found.kind) \(found.engineName)", state: state, health: nil, image: image)
        }.sorted { ($0.name, $0.instance) < ($1.name, $1.instance) }
    }

    static func rows(_ listing: EngineListing) async throws -> [Row] {
        var rows: [Row] = []
        for container in try await listing.containers() {
            // Health is only in the inspect; only a running container has one worth showing.
            let health = container.state == "running" ? try await listing.inspect(container.id).health : nil
            rows.append(Row(name: container.name, target: "docker", instance: container.engineName, state: container.state,
                            health: health, image: container.image))
        }
        for service in try await listing.services() {
            let tasks = try await listing.tasks(serviceID: service.id)
            let running = tasks.filter { $0.state == "running" }.count
            let wanted = service.replicas.map(String.init) ?? "global"
            rows.append(Row(name: service.name, target: "swarm", instance: service.engineName,
                            state: "running \(running)/\(wanted)", health: nil, image: service.image))
        }
        return rows
    }
}
