import BerthCommands
import Foundation

/// A throwaway project: specs/ and state/ in a temp folder, a unique owner, and berth run in
/// process exactly as the executable runs it.
struct Project {
    let root: URL
    let owner: String
    let engine: TestEngine

    init(engine: TestEngine) throws {
        owner = "it-" + String(UUID().uuidString.lowercased().prefix(8))
        root = FileManager.default.temporaryDirectory.appendingPathComponent("berth-" + owner)
        self.engine = engine
        try FileManager.default.createDirectory(at: root.appendingPathComponent("specs"), withIntermediateDirectories: true)
    }

    var specs: String { root.appendingPathComponent("specs").path }
    var state: String { root.appendingPathComponent("state").path }

    func write(_ file: String, _ text: String) throws {
        let url = root.appendingPathComponent("specs").appendingPathComponent(file)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func remove(_ file: String) throws {
        try FileManager.default.removeItem(at: root.appendingPathComponent("specs").appendingPathComponent(file))
    }

    /// A spec for a container that stops at once on SIGTERM (tini as PID 1), so tests do not wait out stop timeouts.
    func spec(_ name: String, replicas: Int = 1, env: [String: String] = [:], extra: String = "") -> String {
        let envText = env.keys.sorted().map { "\"\($0)\": \"\(env[$0]!)\"" }.joined(separator: ", ")
        return """
        {"name": "\(name)", "image": "\(TestEngine.demoImage)", "command": ["sleep", "3600"],
         "replicas": \(replicas), "env": {\(envText)}, "docker": {"HostConfig": {"Init": true}}\(extra)}
        """
    }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    @discardableResult
    func berth(_ args: String...) async -> Run { await berth(input: "", args) }

    /// berth with `input` on its stdin (`berth seal`).
    @discardableResult
    func berth(input: String, _ args: [String]) async -> Run {
        let console = Console.capturing(input: input)
        // The test's own options come last so they win (e.g. another --docker-host).
        let argv = ["--specs", specs, "--state", state, "--owner", owner, "--docker-host", engine.host] + args
        let status = await BerthCLI.run(argv, environment: [:], console: console)
        return Run(status: status, stdout: console.stdout, stderr: console.stderr)
    }

    func containers() async throws -> [Container] { try await engine.containers(label: "berth.owner=\(owner)") }

    func finish(foreign: [String] = []) async {
        await engine.cleanUp(owner: owner, foreign: foreign)
        try? FileManager.default.removeItem(at: root)
    }
}

extension Project {
    /// Runs a test body in a fresh project and cleans up after it, whatever happened.
    static func with(_ body: (Project) async throws -> Void) async throws {
        let project = try Project(engine: try TestEngine())
        do { try await body(project) } catch { await project.finish(); throw error }
        await project.finish()
    }

    /// The same, with foreign containers made first (and removed after).
    static func with(foreign make: (Project) async throws -> [String], _ body: (Project, [String]) async throws -> Void) async throws {
        let project = try Project(engine: try TestEngine())
        var foreign: [String] = []
        do {
            foreign = try await make(project)
            try await body(project, foreign)
        } catch { await project.finish(foreign: foreign); throw error }
        await project.finish(foreign: foreign)
    }
}
