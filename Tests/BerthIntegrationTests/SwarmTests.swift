import BerthJSON
import Foundation
import Testing
import BerthTestSupport

/// The `swarm` target against the real engine in swarm mode (`make test` runs `docker swarm init`).
@Suite(.timeLimit(.minutes(10)))
struct SwarmTests {
    static func swarmSpec(_ name: String, replicas: Int = 2, env: [String: String] = [:], extra: String = "") -> String {
        let envText = env.keys.sorted().map { "\"\($0)\": \"\(env[$0]!)\"" }.joined(separator: ", ")
        return """
        {"name": "\(name)", "target": "swarm", "image": "\(TestEngine.demoImage)", "command": ["sleep", "3600"],
         "replicas": \(replicas), "env": {\(envText)}, "swarm": {"TaskTemplate": {"ContainerSpec": {"Init": true}}}\(extra)}
        """
    }

    /// The service berth made for a spec, read straight from the engine.
    static func service(_ p: Project, _ name: String) async throws -> JSONValue? {
        let (_, list) = try await p.engine.call("GET", "/services")
        return list?.arrayValue?.first { $0["Spec"]?["Name"]?.stringValue == "\(p.owner)-\(name)" }
    }

    static func runningTasks(_ p: Project, _ serviceID: String) async throws -> Int {
        let (_, tasks) = try await p.engine.call("GET", "/tasks")
        return (tasks?.arrayValue ?? []).filter {
            $0["ServiceID"]?.stringValue == serviceID && $0["Status"]?["State"]?.stringValue == "running"
                && $0["DesiredState"]?.stringValue == "running"
        }.count
    }

    static func replicas(_ service: JSONValue?) -> Int? { service?["Spec"]?["Mode"]?["Replicated"]?["Replicas"]?.intValue }

    /// `docker service scale` done through the API, as somebody else would.
    static func scaleOutOfBand(_ p: Project, _ service: JSONValue, to n: Int) async throws {
        var spec = service["Spec"]!.objectValue!
        spec["Mode"] = .object(["Replicated": .object(["Replicas": .number(String(n))])])
        let id = service["ID"]!.stringValue!, version = service["Version"]!["Index"]!.intValue!
        let (status, answer) = try await p.engine.call("POST", "/services/\(id)/update?version=\(version)", body: .object(spec))
        try #require(status == 200, "out-of-band scale: \(status) \(answer?.serialized() ?? "")")
    }

    @Test func createUpdateInPlaceAndScale() async throws {
        try await Project.with { p in
            defer { Task { _ = try? await p.engine.call("DELETE", "/services/\(p.owner)-web") } }
            try p.write("web.json", Self.swarmSpec("web", env: ["MODE": "a"]))
            let created = await p.berth("apply")
            #expect(created.status == 0, "\(created.stdout)\(created.stderr)")
            let first = try #require(try await Self.service(p, "web"))
            let id = try #require(first["ID"]?.stringValue)
            #expect(first["Spec"]?["Labels"]?["berth.owner"]?.stringValue == p.owner)
            #expect(try await eventually { try await Self.runningTasks(p, id) == 2 })
            #expect(await p.berth("plan", "--detailed-exitcode").status == 0)

            try p.write("web.json", Self.swarmSpec("web", env: ["MODE": "b"]))
            let plan = await p.berth("plan", "--json")
            let op = try JSONParser.parse(plan.stdout).value["actions"]?.arrayValue?.first?["op"]?.stringValue
            #expect(op == "update", "\(plan.stdout)")
            #expect(await p.berth("apply").status == 0)
            let updated = try #require(try await Self.service(p, "web"))
            #expect(updated["ID"]?.stringValue == id, "updated in place, same service")
            #expect((updated["Version"]?["Index"]?.intValue ?? 0) > (first["Version"]?["Index"]?.intValue ?? 0))
            #expect(updated["Spec"]?["TaskTemplate"]?["ContainerSpec"]?["Env"]?.arrayValue?.contains(.string("MODE=b")) == true)

            for n in [3, 1] {
                try p.write("web.json", Self.swarmSpec("web", replicas: n, env: ["MODE": "b"]))
                #expect(await p.berth("apply").status == 0)
                #expect(try await eventually { try await Self.runningTasks(p, id) == n }, "scaling to \(n)")
            }
        }
    }

    @Test func outOfBandScaleIsRevertedByApplyAndByWatch() async throws {
        try await Project.with { p in
            defer { Task { _ = try? await p.engine.call("DELETE", "/services/\(p.owner)-api") } }
            try p.write("api.json", Self.swarmSpec("api", replicas: 1))
            #expect(await p.berth("apply").status == 0)
            try await Self.scaleOutOfBand(p, try #require(try await Self.service(p, "api")), to: 3)
            let plan = await p.berth("plan")
            #expect(plan.stdout.contains("drifted out of band: Mode.Replicated.Replicas"), "\(plan.stdout)")
            #expect(plan.stdout.contains("Mode.Replicated.Replicas: 3 -> 1"))
            #expect(await p.berth("apply").status == 0)
            #expect(Self.replicas(try await Self.service(p, "api")) == 1)

            // However soon this lands after the start, the watch's event stream catches it: a change
            // before the subscription took hold is found by the pass berth makes when it does.
            let watch = try WatchProcess(p)
            try await Self.scaleOutOfBand(p, try #require(try await Self.service(p, "api")), to: 4)
            // Within 45 s: before the 60 s resync, so the service events did it.
            #expect(try await eventually { Self.replicas(try await Self.service(p, "api")) == 1 }, "\(watch.log)")
            #expect(await watch.stop() == 0, "\(watch.log)")
        }
    }

    @Test func removedFileRemovesTheServiceAndUnmanagedServicesStay() async throws {
        try await Project.with { p in
            let foreignBody: JSONValue = .object([
                "Name": .string("\(p.owner)-cache"),
                "Labels": .object(["berth.name": .string("cache")]),
                "TaskTemplate": .object(["ContainerSpec": .object([
                    "Image": .string(TestEngine.demoImage), "Args": .array([.string("sleep"), .string("3600")]), "Init": .bool(true)])]),
                "Mode": .object(["Replicated": .object(["Replicas": .number("1")])]),
            ])
            let (status, made) = try await p.engine.call("POST", "/services/create", body: foreignBody)
            try #require(status == 201, "\(made?.serialized() ?? "")")
            let foreignID = made!["ID"]!.stringValue!
            defer { Task {
                for name in ["a", "b", "c"] { _ = try? await p.engine.call("DELETE", "/services/\(p.owner)-\(name)") }
                _ = try? await p.engine.call("DELETE", "/services/\(foreignID)")
            } }
            for name in ["a", "b", "c"] { try p.write("\(name).json", Self.swarmSpec(name, replicas: 1)) }
            #expect(await p.berth("apply").status == 0)
            try p.remove("c.json")
            let apply = await p.berth("apply")
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            #expect(try await Self.service(p, "c") == nil)
            #expect(try await Self.service(p, "a") != nil)
            #expect(try await Self.service(p, "b") != nil)
            let (foreignStatus, _) = try await p.engine.call("GET", "/services/\(foreignID)")
            #expect(foreignStatus == 200, "the unmanaged service is still there")
        }
    }

    @Test func invalidSwarmFragmentIsAClearErrorAndDeletesNothing() async throws {
        try await Project.with { p in
            defer { Task { _ = try? await p.engine.call("DELETE", "/services/\(p.owner)-web") } }
            try p.write("web.json", Self.swarmSpec("web", replicas: 1))
            #expect(await p.berth("apply").status == 0)
            let before = try #require(try await Self.service(p, "web"))
            try p.write("web.json", """
                {"name": "web", "target": "swarm", "image": "\(TestEngine.demoImage)",
                 "swarm": {"TaskTemplate": {"ContainerSpec": {"Env": "A=1"}}}}
                """)
            let apply = await p.berth("apply")
            #expect(apply.status == 1)
            #expect(apply.stderr.contains("web.json:2:54: $.swarm.TaskTemplate.ContainerSpec.Env: expected an array of strings, got string"), "\(apply.stderr)")
            let after = try #require(try await Self.service(p, "web"))
            #expect(after["ID"] == before["ID"] && after["Version"] == before["Version"])
        }
    }
}
