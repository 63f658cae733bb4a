import BerthJournal
import BerthJSON
import BerthTestSupport
import Foundation
import Testing

/// `berth watch` as a child process on a Kubernetes-only folder: the API's watch drives healing.
@Suite struct KubeWatchTests {
    func watch(_ p: KubeProject) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: WatchProcess.binary)
        process.arguments = ["watch", "--specs", p.specs, "--state", p.state, "--owner", p.owner, "--kubeconfig", p.kubeconfig,
                             "--docker-host", "unix:///nonexistent/berth-test/docker.sock", "--resync", "1h"]
        process.environment = WatchProcess.environment(["HOME": p.root.path, "PATH": "/usr/bin:/bin"])
        // The shared null device: a FileHandle of our own would be closed twice (by Process
        // and on release), which under parallel tests closes some other test's socket.
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func stop(_ process: Process) async {
        process.terminate()
        for _ in 0..<200 where process.isRunning { await Poll.pause(.milliseconds(50)) }
    }

    @Test func watchRecreatesADeletedDeploymentAndRevertsAScale() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("web.json", p.spec("web"))
        let process = try watch(p)
        defer { if process.isRunning { process.terminate() } }
        #expect(await eventually { p.server.deployment(namespace: "default", name: "web") != nil })
        // The watch on deployments must be open before the out-of-band changes.
        #expect(await eventually { p.server.openWatchCount > 0 })

        let deleted = ContinuousClock.now
        try p.server.delete(.deployments, namespace: "default", name: "web")
        #expect(await eventually { p.server.deployment(namespace: "default", name: "web") != nil }, "a deleted Deployment comes back")
        // A figure for the README, not a target: polling adds up to 100 ms.
        print("kubernetes heal after delete: \(ContinuousClock.now - deleted)")

        _ = try p.server.scale(namespace: "default", name: "web", replicas: 7)
        #expect(await eventually { p.server.deployment(namespace: "default", name: "web")?["spec"]?["replicas"]?.intValue == 2 },
                "an out-of-band scale is reverted")
        await stop(process)
        #expect(process.terminationStatus == 0)
    }

    @Test func afterA410TheWatchRelistsAndStillHeals() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("web.json", p.spec("web", ports: []))
        let process = try watch(p)
        defer { if process.isRunning { process.terminate() } }
        #expect(await eventually { p.server.deployment(namespace: "default", name: "web") != nil })
        #expect(await eventually { p.server.openWatchCount > 0 })
        let watchesBefore = p.requests("GET", "watch=1").count
        // History before now is gone, and every open watch ends: resuming from the last
        // resourceVersion gets 410 Expired, so berth must relist.
        p.server.compact()
        p.server.closeWatches()
        try p.server.delete(.deployments, namespace: "default", name: "web")
        #expect(await eventually { p.server.deployment(namespace: "default", name: "web") != nil }, "healed after the relist")
        #expect(p.requests("GET", "watch=1").count > watchesBefore)
        await stop(process)
    }

    @Test func aNewSpecFileIsAppliedByTheRunningWatch() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        let process = try watch(p)
        defer { if process.isRunning { process.terminate() } }
        // The journal's watch-start record comes after the folder's inotify watches are set up:
        // a file written from then on is seen.
        #expect(await eventually {
            ((try? JournalReader.read(path: p.state + "/journal.jsonl").records) ?? []).contains { $0.event == "watch-start" }
        })
        try p.write("api.json", p.spec("api", ports: []))
        #expect(await eventually { p.server.deployment(namespace: "default", name: "api") != nil })
        await stop(process)
    }

    /// A Kubernetes-only folder never talks to a Docker Engine: no event stream to lose, and
    /// the banner names the cluster.
    @Test func aKubernetesOnlyWatchLeavesDockerAlone() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("web.json", p.spec("web"))
        let watch = try WatchProcess(p, extra: ["--resync", "1s"])
        defer { watch.kill() }
        #expect(await eventually { p.server.deployment(namespace: "default", name: "web") != nil }, "\(watch.log)")
        // Several resyncs later (each lists from the API server), nothing has asked for the Docker Engine.
        let seen = p.requests("GET").count
        #expect(await eventually { p.requests("GET").count >= seen + 6 }, "\(watch.log)")
        #expect(await watch.stop() == 0, "\(watch.log)")
        #expect(watch.log.contains("targets kubernetes ("), "\(watch.log)")
        #expect(!watch.log.contains("docker.sock"), "\(watch.log)")
        #expect(!watch.log.contains("engine event stream lost"), "\(watch.log)")
    }

    /// A cluster that stops answering under a running watch: status says since when and exits
    /// 1; the loss and the recovery are journaled; status is fine again once it answers.
    @Test func aClusterOutageIsSaidAndJournaledUntilItIsBack() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("web.json", p.spec("web"))
        let watch = try WatchProcess(p, extra: ["--resync", "1s"])
        defer { watch.kill() }
        #expect(await eventually { p.server.deployment(namespace: "default", name: "web") != nil }, "\(watch.log)")
        let unavailable = #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"the server is currently unable to handle the request","reason":"ServiceUnavailable","code":503}"#
        p.server.failNext(pathContains: "/api", status: 503, body: unavailable, times: 60)
        var seen = Project.Run(status: 0, stdout: "", stderr: "")
        #expect(await eventually {
            seen = await p.berth("status")
            return seen.stdout.contains("target kubernetes: unreachable since")
        }, "\(seen.stdout)\n\(watch.log)")
        #expect(seen.status == 1)
        #expect(seen.stdout.contains("(from the running watch"))
        // The failures run out: the cluster answers again.
        let journal = p.state + "/journal.jsonl"
        func events(_ name: String) -> Int {
            ((try? String(contentsOfFile: journal, encoding: .utf8)) ?? "").components(separatedBy: "\"event\":\"\(name)\"").count - 1
        }
        #expect(await eventually { events("target-up") == 1 }, "\(watch.log)")
        #expect(events("target-down") == 1)
        #expect(await eventually { await p.berth("status").status == 0 })
        #expect(await watch.stop() == 0, "\(watch.log)")
        #expect(watch.count("kubernetes is unreachable") == 1, "said once:\n\(watch.log)")
    }
}

/// One berth per owner on a cluster, across machines: the owner's Lease.
@Suite struct KubeLeaseLockTests {
    @Test func theOwnersLeaseKeepsASecondBerthOffTheCluster() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("web.json", p.spec("web"))
        let lease = "berth-owner-\(p.owner)"
        let watch = try WatchProcess(p)
        defer { watch.kill() }
        // Both of web's objects are there: the watch has sent all it will, so the writes counted below are the second berth's.
        #expect(await eventually {
            p.server.deployment(namespace: "default", name: "web") != nil && p.server.object(.services, namespace: "default", name: "web") != nil
        }, "\(watch.log)")
        let holder = p.server.object(.leases, namespace: "default", name: lease)?["spec"]?["holderIdentity"]?.stringValue
        #expect(holder?.hasSuffix("/\(watch.process.processIdentifier)") == true, "\(String(describing: holder))")

        // A second berth of the same owner, as from another machine (its own state, specs and engine):
        // its plan would delete web and create api, but it may not touch the cluster.
        let other = p.root.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other.appendingPathComponent("specs"), withIntermediateDirectories: true)
        try p.spec("api").write(to: other.appendingPathComponent("specs/api.json"), atomically: true, encoding: .utf8)
        let writesBefore = p.requests("PATCH").count + p.requests("DELETE").count
        let refused = await p.berth("apply", "--specs", other.appendingPathComponent("specs").path,
                                    "--state", other.appendingPathComponent("state").path,
                                    "--docker-host", "unix:///nonexistent/berth-test/other.sock")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("nothing applied: owner \(p.owner) is in use on the cluster: the lease default/\(lease) is held by"),
                "\(refused.stderr)")
        #expect(p.requests("PATCH").count + p.requests("DELETE").count == writesBefore)
        #expect(p.server.deployment(namespace: "default", name: "web") != nil)

        #expect(await watch.stop() == 0, "\(watch.log)")
        #expect(p.server.object(.leases, namespace: "default", name: lease) == nil, "the watch gives its lease back")
    }
}
