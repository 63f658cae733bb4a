import BerthJSON
import Foundation
import Testing

/// Images as desired state: imported from a tarball, built from a folder, app folders, pulls
/// that fail. No registry is reachable here, so everything starts from Debian's busybox.
@Suite(.timeLimit(.minutes(10)))
struct ImageTests {
    /// A tarball of a root file system with the static busybox and a few applet links.
    static func makeTarball(at path: String) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("berth-rootfs-\(UUID().uuidString)")
        let bin = root.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: bin.appendingPathComponent("busybox").path)
        for applet in ["sh", "sleep", "cat", "echo", "false"] {
            try FileManager.default.createSymbolicLink(atPath: bin.appendingPathComponent(applet).path, withDestinationPath: "busybox")
        }
        #expect(run(["/bin/tar", "-C", root.path, "-cf", path, "."]) == 0)
    }

    static func run(_ args: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: args[0])
        process.arguments = Array(args.dropFirst())
        try? process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    static func imageID(_ p: Project, _ ref: String) async throws -> String? {
        let (status, json) = try await p.engine.call("GET", "/images/\(ref)/json")
        return status == 200 ? json?["Id"]?.stringValue : nil
    }

    /// The project's containers go first (the image is then in use by nothing), then the image.
    static func removeImagesLater(_ p: Project, _ ref: String) async {
        await p.engine.cleanUp(owner: p.owner, foreign: [])
        await removeImages(p, [ref])
    }

    static func removeImages(_ p: Project, _ refs: [String]) async {
        for ref in refs { _ = try? await p.engine.call("DELETE", "/images/\(ref)?force=true") }
    }

    @Test func importFromATarballOnceAndOnlyAgainWhenItChanges() async throws {
        try await Project.with { p in
            let ref = "\(p.owner)/imported:1"
            defer { Task { await Self.removeImages(p, [ref]) } }
            try Self.makeTarball(at: p.specs + "/rootfs.tar")
            try p.write("app.json", """
                {"name": "app", "image": {"import": {"src": "rootfs.tar"}, "ref": "\(ref)"}, "command": ["sleep", "3600"]}
                """)
            let apply = await p.berth("apply")
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            #expect(apply.stderr.contains("image: importing image \(ref)"))
            let first = try #require(try await Self.imageID(p, ref))
            #expect(try await p.containers().first?.state == "running")
            #expect(await p.berth("plan", "--detailed-exitcode").status == 0)
            let again = await p.berth("apply")
            #expect(!again.stderr.contains("importing image"), "no change, no import")
            #expect(try await Self.imageID(p, ref) == first)
        }
    }

    @Test func buildRebuildsOnlyWhenTheContextChanges() async throws {
        try await Project.with { p in
            let base = "\(p.owner)/base:1", ref = "\(p.owner)/built:1"
            defer { Task { await Self.removeImages(p, [ref, base]) } }
            // The base image is imported from a tarball made here, then built upon.
            try Self.makeTarball(at: p.specs + "/rootfs.tar")
            try p.write("base.json", """
                {"name": "base", "image": {"import": {"src": "rootfs.tar"}, "ref": "\(base)"}, "command": ["sleep", "3600"]}
                """)
            #expect(await p.berth("apply").status == 0)
            try p.write("ctx/Dockerfile", "FROM \(base)\nCOPY msg.txt /msg.txt\nCMD [\"sleep\", \"3600\"]\n")
            try p.write("ctx/msg.txt", "first\n")
            try p.write("ctx/.dockerignore", "ignored.txt\n")
            try p.write("ctx/ignored.txt", "a\n")
            try p.write("app.json", """
                {"name": "app", "image": {"build": {"context": "ctx"}, "ref": "\(ref)"}, "replicas": 2}
                """)
            try p.write("other.json", p.spec("other"))
            let built = await p.berth("apply")
            #expect(built.status == 0, "\(built.stdout)\(built.stderr)")
            #expect(built.stderr.contains("image: build \(ref): Step 2/4 : COPY msg.txt /msg.txt"), "\(built.stderr)")
            let image = try #require(try await Self.imageID(p, ref))
            let before = Dictionary(uniqueKeysWithValues: try await p.containers().map { ($0.name, $0.id) })

            // A touch that changes no byte, and a change to an ignored file, rebuild nothing.
            let msg = p.root.appendingPathComponent("specs/ctx/msg.txt").path
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(60)], ofItemAtPath: msg)
            try p.write("ctx/ignored.txt", "b\n")
            #expect(await p.berth("plan", "--detailed-exitcode").status == 0)

            try p.write("ctx/msg.txt", "second\n")
            let plan = await p.berth("plan", "--json")
            let ops = (try JSONParser.parse(plan.stdout).value["actions"]?.arrayValue ?? []).map { "\($0["op"]!.stringValue!) \($0["name"]!.stringValue!)" }
            #expect(ops == ["replace app", "replace app"], "\(plan.stdout)")
            let rebuilt = await p.berth("apply")
            #expect(rebuilt.status == 0, "\(rebuilt.stdout)\(rebuilt.stderr)")
            #expect(rebuilt.stderr.components(separatedBy: "image: building image").count - 1 == 1, "one build for two replicas")
            #expect(try await Self.imageID(p, ref) != image)
            let after = Dictionary(uniqueKeysWithValues: try await p.containers().map { ($0.name, $0.id) })
            #expect(after["\(p.owner)-other-1"] == before["\(p.owner)-other-1"])
            #expect(after["\(p.owner)-app-1"] != before["\(p.owner)-app-1"])
        }
    }

    @Test func aFailingBuildShowsItsStepAndTouchesNothingThatRuns() async throws {
        try await Project.with { p in
            let ref = "\(p.owner)/failing:1"
            defer { Task { await Self.removeImages(p, [ref]) } }
            try p.write("ctx/Dockerfile", "FROM \(TestEngine.demoImage)\nCMD [\"sleep\", \"3600\"]\n")
            try p.write("app.json", """
                {"name": "app", "image": {"build": {"context": "ctx"}, "ref": "\(ref)"}}
                """)
            #expect(await p.berth("apply").status == 0)
            let running = try #require(try await p.containers().first)
            try p.write("ctx/Dockerfile", "FROM \(TestEngine.demoImage)\nRUN echo about to fail && false\nCMD [\"sleep\", \"3600\"]\n")
            let failed = await p.berth("apply")
            #expect(failed.status == 1)
            #expect(failed.stderr.contains("building image \(ref) from"), "\(failed.stderr)")
            #expect(failed.stderr.contains("about to fail"), "the failing step's output is shown")
            let now = try await p.containers()
            #expect(now.map(\.id) == [running.id] && now.first?.state == "running")
        }
    }

    @Test func anAppFolderIsDeployedAndScaled() async throws {
        try await Project.with { p in
            try p.write("shop/Dockerfile", "FROM \(TestEngine.demoImage)\nCOPY index.html /www/index.html\nCMD [\"httpd\", \"-f\", \"-p\", \"8080\"]\n")
            try p.write("shop/index.html", "<h1>shop</h1>\n")
            try p.write("shop/package.json", "{ this is not a spec")
            try p.write("shop/app.json", #"{"name": "shop", "replicas": 2, "env": {"MODE": "demo"}}"#)
            let apply = await p.berth("apply")
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            #expect(try await p.containers().filter { $0.state == "running" }.map(\.name) == ["\(p.owner)-shop-1", "\(p.owner)-shop-2"])
            try p.write("shop/app.json", #"{"name": "shop", "replicas": 3, "env": {"MODE": "demo"}}"#)
            #expect(await p.berth("apply").status == 0)
            #expect(try await p.containers().count == 3)
            let first = try #require(try await p.containers().first)
            let image = try await p.engine.inspect(first.id)?["Config"]?["Image"]?.stringValue
            #expect(image?.hasPrefix("berth-app/shop:") == true)
            if let image { await Self.removeImagesLater(p, image) }
        }
    }

    @Test func watchRebuildsAnAppFolderWhenAFileInItChanges() async throws {
        try await Project.with { p in
            try p.write("site/Dockerfile", "FROM \(TestEngine.demoImage)\nCOPY index.html /www/index.html\nCMD [\"httpd\", \"-f\", \"-p\", \"8080\"]\n")
            try p.write("site/index.html", "one\n")
            try p.write("site/app.json", #"{"name": "site"}"#)
            let watch = try WatchProcess(p)
            #expect(try await eventually { try await p.containers().first?.state == "running" }, "\(watch.log)")
            let first = try #require(try await p.containers().first)
            try p.write("site/index.html", "two\n")
            #expect(try await eventually {
                let now = try await p.containers()
                return now.count == 1 && now[0].id != first.id && now[0].state == "running"
            }, "\(watch.log)")
            #expect(watch.log.contains("image: building image berth-app/site:"))
            #expect(await watch.stop() == 0, "\(watch.log)")
            if let image = try await p.engine.inspect(first.id)?["Config"]?["Image"]?.stringValue { await Self.removeImagesLater(p, image) }
        }
    }

    @Test func anUnreachableRegistryFailsClearlyRetriesAndOthersConverge() async throws {
        try await Project.with { p in
            // A registry on a loopback port nothing listens on: refused at once, no traffic leaves.
            try p.write("remote.json", #"{"name": "remote", "image": "127.0.0.1:9/nothing:1"}"#)
            try p.write("local.json", p.spec("local"))
            let apply = await p.berth("apply")
            #expect(apply.status == 1)
            #expect(apply.stderr.contains("pulling image 127.0.0.1:9/nothing:1"), "\(apply.stderr)")
            #expect(apply.stderr.contains("retry: create docker container remote #1: attempt 1 failed"), "\(apply.stderr)")
            #expect(try await p.containers().map(\.name) == ["\(p.owner)-local-1"])
        }
    }

    @Test func removeImageDropsTheImageWithItsLastContainer() async throws {
        try await Project.with { p in
            let ref = "\(p.owner)/removable:1"
            defer { Task { await Self.removeImages(p, [ref]) } }
            try Self.makeTarball(at: p.specs + "/rootfs.tar")
            for name in ["a", "b"] {
                try p.write("\(name).json", """
                    {"name": "\(name)", "image": {"import": {"src": "rootfs.tar"}, "ref": "\(ref)"}, "command": ["sleep", "3600"], "removeImage": true}
                    """)
            }
            try p.write("keep.json", p.spec("keep"))
            #expect(await p.berth("apply").status == 0)
            try p.remove("a.json")
            let first = await p.berth("apply")
            #expect(first.stderr.contains("image \(ref) kept"), "still used by b: \(first.stderr)")
            #expect(try await Self.imageID(p, ref) != nil)
            try p.remove("b.json")
            let second = await p.berth("apply")
            #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
            #expect(try await Self.imageID(p, ref) == nil)
        }
    }
}
