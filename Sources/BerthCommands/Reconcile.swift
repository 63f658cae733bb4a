import BerthDocker
import BerthEngine
import BerthJSON
import BerthModel

/// observe -> plan, shared by `plan` and `apply`.
struct Reconcile {
    let settings: Settings
    let platforms: [any Platform]
    let desired: DesiredState
    let observed: [ObservedResource]
    let knownConfigs: [String: JSONValue]

    static func prepare(settings: Settings) async throws -> Reconcile {
        let desired = try SpecFolder.load(settings.specsDirectory)
        let client = DockerClient(endpoint: try settings.endpoint())
        let docker = DockerContainerAdapter(client: client)
        let observed: [ObservedResource]
        do {
            observed = try await docker.observe(owner: settings.owner)
        } catch let error as BerthError where error.code == .engineUnreachable {
            throw BerthError(.engineUnreachable, "cannot reach the Docker Engine at \(settings.dockerHost)", cause: error.cause)
        }
        return Reconcile(settings: settings, platforms: [docker], desired: desired, observed: observed,
                         knownConfigs: ConfigStore.load(settings.configsPath))
    }

    func plan(allowMassDelete: Bool) -> Plan {
        Planner.plan(desired: desired, observed: observed, context: PlanContext(
            owner: settings.owner, allowMassDelete: allowMassDelete, knownConfigs: knownConfigs))
    }
}
