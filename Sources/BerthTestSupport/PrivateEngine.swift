import BerthSystem
import Foundation

/// More private engines for tests of several targets: `scripts/engine.sh` with
/// `BERTH_ENGINE_INSTANCE` (one lower-case letter or digit), each with its own data root
/// (state/engine-b), sockets, bridge and subnet beside the default engine. Needs root, as
/// the default engine does; starting one takes some seconds (installing docker.io the
/// first time, longer).
public enum PrivateEngine {
    /// Whether a test run asked for instance `instance`: BERTH_TEST_DOCKER_HOST_B names its host
    /// (`BERTH_TEST_DOCKER_HOST_B=$(BERTH_ENGINE_INSTANCE=b scripts/engine.sh up | tail -1)`), or
    /// BERTH_TEST_ENGINE_INSTANCES lists it ("bc"), for the test to start it with `host`.
    public static func isWanted(_ instance: String) -> Bool {
        let environment = ProcessInfo.processInfo.environment
        return !(environment["BERTH_TEST_DOCKER_HOST_\(instance.uppercased())"] ?? "").isEmpty
            || (environment["BERTH_TEST_ENGINE_INSTANCES"] ?? "").contains(instance)
    }

    /// The host of instance `instance`: BERTH_TEST_DOCKER_HOST_B when set, else the engine
    /// started (or found running) by `up`.
    public static func host(_ instance: String, repository: String) throws -> String {
        let given = ProcessInfo.processInfo.environment["BERTH_TEST_DOCKER_HOST_\(instance.uppercased())"] ?? ""
        return given.isEmpty ? try up(instance, repository: repository) : given
    }

    /// Starts instance `instance` of the repository's engine (idempotent: a running one is
    /// kept) and returns its `unix://` host, the last line `engine.sh up` prints.
    public static func up(_ instance: String, repository: String) throws -> String {
        let result = try run("up", instance: instance, repository: repository)
        guard let host = result.stdoutText.split(separator: "\n").last.map(String.init), host.hasPrefix("unix://") else {
            throw HTTPTestServerError("engine.sh up printed no unix:// host: \(result.stdoutText)")
        }
        return host
    }

    /// Stops instance `instance` (its data stays under state/engine-INSTANCE).
    public static func down(_ instance: String, repository: String) throws {
        _ = try run("down", instance: instance, repository: repository)
    }

    private static func run(_ command: String, instance: String, repository: String) throws -> ChildProcess.Result {
        var environment = ProcessInfo.processInfo.environment
        environment["BERTH_ENGINE_INSTANCE"] = instance
        // Started while other engines serve tests: it must leave the host's iptables chains
        // alone (scripts/engine.sh, BERTH_ENGINE_IPTABLES).
        environment["BERTH_ENGINE_IPTABLES"] = "false"
        let result = try ChildProcess(executable: repository + "/scripts/engine.sh", arguments: [command],
                                      environment: environment, workingDirectory: repository,
                                      timeout: .seconds(240)).runBlocking()
        guard result.succeeded else {
            throw HTTPTestServerError("BERTH_ENGINE_INSTANCE=\(instance) scripts/engine.sh \(command) failed: \(result.stderrText)")
        }
        return result
    }
}
