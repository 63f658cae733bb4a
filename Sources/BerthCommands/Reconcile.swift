import BerthDocker
import BerthEngine
import BerthJSON
import BerthKube
import BerthModel
import BerthSystem

/// observe -> plan, shared by `plan` and `apply`.
struct Reconcile {
    let settings: Settings
    let platforms: [any Platform]
    let desired: DesiredState
    let observed: [ObservedResource]
    let knownConfigs: [String: JSONValue]
    /// Targets that could not be observed, one line each; their specs are left out of the plan.
    let targetErrors: [String]
    /// The names of those targets, which the plan says it leaves out.
    let unobservedTargets: [String]
    /// Owner, recorded configurations and what platforms know (Kubernetes namespacing).
    let context: PlanContext

    /// `progress` hears image pulls, imports and builds (one line per layer or build step).
    /// `retrying` hears each observation that failed for a passing reason and is tried again.
    static func prepare(settings: Settings, kube: KubePlatform, progress: @escaping @Sendable (String) -> Void = { _ in },
                        retrying: @Sendable (String) -> Void = { _ in }) async throws -> Reconcile {
        FileDigestCache.shared.persist(at: settings.digestCachePath)
        let desired = try SpecFolder.load(settings.specsDirectory)
        let client = DockerClient(endpoint: try settings.endpoint(), timeout: settings.engineTimeout)
        let images = ImagePreparer(client: client, progress: progress)
        let platforms: [any Platform] = [DockerContainerAdapter(client: client, images: images),
                                         DockerSwarmAdapter(client: client, images: images, records: SwarmSentRecords(path: settings.swarmSentPath)),
                                         kube]
        // Observing gets the same retries as actions: one 503 on the listing must not end an apply.
        let retry = RetryPolicy()
        var observation = await Observation.run(platforms: platforms, owner: settings.owner, desired: desired)
        for attempt in 1..<retry.maxAttempts {
            guard let failure = observation.failures.first(where: { RetryPolicy.shouldRetry($0.error) }) else { break }
            let delay = retry.delay(after: attempt, random: Double.random(in: 0..<1))
            retrying("observing: attempt \(attempt) failed, retrying in \(Controller.seconds(delay)): \(failure.error)")
            try await Task.sleep(for: delay)
            observation = await Observation.run(platforms: platforms, owner: settings.owner, desired: desired)
        }
        if let (_, error) = observation.failures.first(where: { ($0.error as? BerthError)?.code == .engineUnreachable }) {
            throw BerthError(.engineUnreachable, "cannot reach the Docker Engine at \(settings.dockerHost)", cause: (error as? BerthError)?.cause)
        }
        let knownConfigs = ConfigStore.load(settings.configsPath)
        let context = await platforms.planContext(PlanContext(owner: settings.owner, knownConfigs: knownConfigs))
        return Reconcile(settings: settings, platforms: platforms, desired: observation.desired, observed: observation.observed,
                         knownConfigs: knownConfigs, targetErrors: observation.failures.map { "\($0.error)" },
                         unobservedTargets: Array(Set(observation.failures.map(\.target))), context: context)
    }

    func plan(allowMassDelete: Bool) -> Plan {
        var context = self.context
        context.allowMassDelete = allowMassDelete
        var plan = Planner.plan(desired: desired, observed: observed, context: context)
        plan.unplannedTargets = unobservedTargets
        return plan
    }
}
