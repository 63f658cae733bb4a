import BerthJSON
import Foundation
import Testing

/// Named volumes as resources, bind sources checked, and `berth down`, against the real engine.
@Suite(.timeLimit(.minutes(10)))
struct VolumeTests {
    @Test func aVolumeSurvivesItsSpecsRemoval() async throws {
        try await Self.with { p in
            let data = "\(p.owner)-data"
            try p.write("db.json", p.spec("db", extra: #", "volumes": ["\#(data):/data"]"#))
            try p.write("keep.json", p.spec("keep"))
            let plan = await p.berth("plan")
            #expect(plan.stdout.contains("+ create docker volume \(data): used by db"), "\(plan.stdout)")
            #expect(await p.berth("apply").status == 0)
            let labels = try await Self.volume(p, data)?["Labels"]?.objectValue ?? [:]
            #expect(labels["berth.owner"]?.stringValue == p.owner && labels["berth.kind"]?.stringValue == "volume", "\(labels)")
            #expect(await p.berth("plan").stdout.contains("No changes: everything matches the specs."))
            let db = try #require(try await p.containers().first { $0.name == "\(p.owner)-db-1" })
            #expect(try await Self.exec(p, db.id, "echo kept > /data/f") == 0)

            try p.remove("db.json")
            let apply = await p.berth("apply")
            #expect(apply.status == 0 && !apply.stdout.contains("volume"), "\(apply.stdout)\(apply.stderr)")
            #expect(try await !p.containers().contains { $0.name == "\(p.owner)-db-1" })
            #expect(try await Self.volume(p, data) != nil, "the data outlives its spec")

            try p.write("db.json", p.spec("db", extra: #", "volumes": ["\#(data):/data"]"#))
            #expect(await p.berth("apply").status == 0)
            let again = try #require(try await p.containers().first { $0.name == "\(p.owner)-db-1" })
            #expect(again.id != db.id)
            #expect(try await Self.exec(p, again.id, #"test "$(cat /data/f)" = kept"#) == 0, "the new container sees the old data")
        }
    }

    @Test func pruneTrueRemovesTheVolumeOnceUnused() async throws {
        try await Self.with { p in
            let data = "\(p.owner)-cache"
            try p.write("db.json", p.spec("db", replicas: 2, extra: #", "volumes": [{"source": "\#(data)", "target": "/cache", "prune": true}]"#))
            try p.write("keep.json", p.spec("keep"))
            #expect(await p.berth("apply").status == 0)
            #expect(try await Self.volume(p, data)?["Labels"]?["berth.prune"]?.stringValue == "true")

            // Removed with its spec in one apply: the volume's deletion waits for both containers.
            try p.remove("db.json")
            let plan = await p.berth("plan")
            #expect(plan.stdout.contains("- delete docker volume \(data): unused, made with prune: true"), "\(plan.stdout)")
            let apply = await p.berth("apply")
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            #expect(try await Self.volume(p, data) == nil)
            #expect(await p.berth("plan").stdout.contains("No changes: everything matches the specs."))
        }
    }

    @Test func anUnlabelledVolumeIsUsedAsItIsAndNeverDeleted() async throws {
        try await Self.with { p in
            let data = "\(p.owner)-theirs"
            let (status, _) = try await p.engine.call("POST", "/volumes/create", body: .object(["Name": .string(data)]))
            try #require(status == 201)
            try p.write("db.json", p.spec("db", extra: #", "volumes": [{"source": "\#(data)", "target": "/data", "prune": true}]"#))
            try p.write("keep.json", p.spec("keep"))
            let plan = await p.berth("plan")
            #expect(!plan.stdout.contains("create docker volume"), "\(plan.stdout)")
            #expect(plan.stdout.contains("note: volume \(data) on docker was not made by berth: berth never deletes it"), "\(plan.stdout)")
            #expect(await p.berth("apply").status == 0)
            try p.remove("db.json")
            #expect(await p.berth("apply").status == 0)
            #expect(await p.berth("down", "--volumes", "--yes").status == 0)
            #expect(try await Self.volume(p, data) != nil)
            #expect(try await Self.volume(p, data)?["Labels"] == .null, "left as it was")
        }
    }

    @Test func aMissingBindSourceIsAnErrorAtItsPlace() async throws {
        try await Self.with { p in
            let source = p.root.appendingPathComponent("site").path
            try p.write("web.json", "{\"name\": \"web\", \"image\": \"\(TestEngine.demoImage)\", \"command\": [\"sleep\", \"3600\"],\n"
                + " \"docker\": {\"HostConfig\": {\"Init\": true}},\n \"volumes\": [\"/etc/hostname:/h:ro\", {\"source\": \"\(source)\", \"target\": \"/site\"}]}")
            let expected = "\(p.specs)/web.json:3:37: $.volumes[1]: bind source \(source) does not exist on this host"
            let plan = await p.berth("plan")
            #expect(plan.status == 1 && plan.stderr.contains(expected), "\(plan.stdout)\(plan.stderr)")
            let apply = await p.berth("apply")
            #expect(apply.status == 1 && apply.stderr.contains(expected), "\(apply.stdout)\(apply.stderr)")
            #expect(try await p.containers().isEmpty)
            #expect(!FileManager.default.fileExists(atPath: source), "no folder made in its place")

            let watch = try WatchProcess(p, extra: ["--resync", "30m"])
            #expect(await eventually { watch.log.contains(expected) }, "\(watch.log)")
            #expect(try await p.containers().isEmpty)
            try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
            try "hello".write(toFile: source + "/index", atomically: true, encoding: .utf8)
            #expect(try await eventually { try await p.containers().contains { $0.name == "\(p.owner)-web-1" && $0.state == "running" } }, "\(watch.log)")
            #expect(await watch.stop() == 0, "\(watch.log)")
            let web = try #require(try await p.containers().first)
            #expect(try await Self.exec(p, web.id, #"test "$(cat /site/index)" = hello"#) == 0)
        }
    }

    @Test func downDeletesWhatTheOwnerHas() async throws {
        try await Self.with { p in
            let data = "\(p.owner)-data"
            try p.write("a.json", p.spec("a", extra: #", "volumes": ["\#(data):/data"]"#))
            try p.write("b.json", p.spec("b", replicas: 2))
            #expect(await p.berth("apply").status == 0)
            #expect(try await p.containers().count == 3)

            let refused = await p.berth("down")
            #expect(refused.status == 64 && refused.stderr.contains("pass --yes"), "\(refused.stderr)")
            let unknown = await p.berth("down", "--x")
            #expect(unknown.status == 64 && unknown.stderr.contains("unknown option --x"), "\(unknown.stderr)")
            let away = await p.berth("down", "--yes", "--docker-host", "unix:///nonexistent/berth-test/docker.sock")
            #expect(away.status == 1 && away.stderr.split(separator: "\n").count == 1 && away.stderr.contains("/nonexistent/berth-test/docker.sock"),
                    "\(away.stderr)")
            #expect(try await p.containers().count == 3, "nothing deleted by a refusal")

            let one = await p.berth("down", "b", "--yes")
            #expect(one.status == 0, "\(one.stdout)\(one.stderr)")
            #expect(one.stdout.contains("- delete docker container b #1: berth down"), "\(one.stdout)")
            #expect(try await p.containers().map(\.name) == ["\(p.owner)-a-1"])

            let all = await p.berth("down", "--yes")
            #expect(all.status == 0 && !all.stdout.contains("volume"), "\(all.stdout)\(all.stderr)")
            #expect(try await p.containers().isEmpty)
            #expect(try await Self.volume(p, data) != nil, "volumes stay without --volumes")

            let volumes = await p.berth("down", "--volumes", "--yes")
            #expect(volumes.status == 0 && volumes.stdout.contains("- delete docker volume \(data): berth down --volumes"), "\(volumes.stdout)\(volumes.stderr)")
            #expect(try await Self.volume(p, data) == nil)
            #expect(await p.berth("down", "--yes").stdout.contains("Nothing to delete"))
        }
    }

    /// At a terminal, down asks as apply does; only "yes" deletes.
    @Test func downAsksAtATerminal() async throws {
        try await Self.with { p in
            try p.write("a.json", p.spec("a"))
            #expect(await p.berth("apply").status == 0)
            let arguments = ["down", "--specs", p.specs, "--state", p.state, "--owner", p.owner, "--docker-host", p.engine.host]
            let environment = WatchProcess.environment(["TERM": "xterm", "HOME": p.root.path])
            let no = try PseudoTerminal(arguments: arguments, environment: environment)
            #expect(no.read(until: "Only 'yes' will be accepted: "), "\(no.output)")
            no.type("no")
            #expect(no.wait() == 1, "\(no.output)")
            #expect(no.output.contains("Down cancelled: nothing was deleted."), "\(no.output)")
            #expect(try await p.containers().count == 1)

            let yes = try PseudoTerminal(arguments: arguments, environment: environment)
            #expect(yes.read(until: "Only 'yes' will be accepted: "), "\(yes.output)")
            yes.type("yes")
            #expect(yes.wait() == 0, "\(yes.output)")
            #expect(try await p.containers().isEmpty)
        }
    }

    // MARK: helpers

    /// A project whose volumes (berth's and the test's own, named after the owner) go with it.
    static func with(_ body: (Project) async throws -> Void) async throws {
        try await Project.with { p in
            do { try await body(p) } catch { await removeVolumes(p); throw error }
            await removeVolumes(p)
        }
    }

    static func removeVolumes(_ p: Project) async {
        await p.engine.cleanUp(owner: p.owner)
        guard let (_, list) = try? await p.engine.call("GET", "/volumes") else { return }
        for volume in list?["Volumes"]?.arrayValue ?? [] {
            guard let name = volume["Name"]?.stringValue, name.hasPrefix(p.owner) else { continue }
            _ = try? await p.engine.call("DELETE", "/volumes/\(name)?force=true")
        }
    }

    static func volume(_ p: Project, _ name: String) async throws -> JSONValue? {
        let (status, json) = try await p.engine.call("GET", "/volumes/\(name)")
        return status == 404 ? nil : json
    }

    /// Runs `sh -c script` in the container and returns its exit code.
    static func exec(_ p: Project, _ id: String, _ script: String) async throws -> Int? {
        let (_, made) = try await p.engine.call("POST", "/containers/\(id)/exec", body: .object(["Cmd": .array(["sh", "-c", script].map { .string($0) })]))
        let exec = try #require(made?["Id"]?.stringValue)
        _ = try await p.engine.call("POST", "/exec/\(exec)/start", body: .object(["Detach": .bool(true)]))
        var code: Int?
        _ = try await eventually(60) {
            let (_, state) = try await p.engine.call("GET", "/exec/\(exec)/json")
            guard state?["Running"]?.boolValue == false else { return false }
            code = state?["ExitCode"]?.intValue
            return true
        }
        return code
    }
}
