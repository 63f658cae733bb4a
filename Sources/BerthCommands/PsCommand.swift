import BerthDocker
import BerthJSON
import BerthModel

/// `berth ps`: what runs for this owner, one line per container or Swarm service.
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
        let rows = try await rows(EngineListing(client: client, owner: settings.owner))
        if arguments.flags.contains("json") {
            console.out(JSONValue.array(rows.map(\.json)).serialized())
            return ExitCode.ok
        }
        if rows.isEmpty {
            console.err("berth: nothing runs for owner \(settings.owner) on \(settings.dockerHost)")
            return ExitCode.ok
        }
        let table = [["NAME", "TARGET", "INSTANCE", "STATE", "HEALTH", "IMAGE"]]
            + rows.map { [$0.name, $0.target, $0.instance, $0.state, $0.health ?? "-", $0.image] }
        let widths = (0..<6).map { column in table.map { $0[column].count }.max()! }
        for line in table {
            console.out(zip(line, widths).enumerated().map { index, cell in
                index == 5 ? cell.0 : cell.0.padding(toLength: cell.1 + 2, withPad: " ", startingAt: 0)
            }.joined())
        }
        return ExitCode.ok
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
