import Foundation
import Testing

/// A failing build must never take down what runs (issue 19, item 3).
@Suite(.timeLimit(.minutes(10)))
struct BuildFailureTests {
    /// Whether something answers HTTP on 127.0.0.1:port, as a user's curl would see it.
    static func answers(_ port: Int) -> Bool {
        ImageTests.run(["/usr/bin/curl", "-fsS", "--max-time", "5", "-o", "/dev/null", "http://127.0.0.1:\(port)/"]) == 0
    }

    @Test func aFailingBuildUnderAStopFirstReplacementLeavesTheOldContainerServing() async throws {
        try await Project.with { p in
            let port = 18_000 + Int.random(in: 0..<2000)
            try p.write("site/Dockerfile", "FROM \(TestEngine.demoImage)\nCOPY index.html /www/index.html\nCMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n")
            try p.write("site/index.html", "one\n")
            try p.write("site/app.json", #"{"name": "site", "ports": ["127.0.0.1:\#(port):8080"], "docker": {"HostConfig": {"Init": true}}}"#)
            let first = await p.berth("apply")
            #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
            let running = try #require(try await p.containers().first)
            #expect(try await eventually { Self.answers(port) })
            let image = try await p.engine.inspect(running.id)?["Config"]?["Image"]?.stringValue

            try p.write("site/index.html", "two\n")
            try p.write("site/Dockerfile", "FROM \(TestEngine.demoImage)\nRUN echo about to fail && false\n")
            let plan = await p.berth("plan")
            #expect(plan.stdout.contains("[stop-first]"), "\(plan.stdout)")
            let failed = await p.berth("apply")
            #expect(failed.status == 1, "\(failed.stdout)\(failed.stderr)")
            #expect(failed.stderr.contains("about to fail"), "\(failed.stderr)")
            let now = try await p.containers()
            #expect(now.map(\.id) == [running.id] && now.first?.state == "running", "the old container still runs")
            #expect(Self.answers(port), "and its port still answers")
            for container in try await p.containers() { _ = try await p.engine.call("DELETE", "/containers/\(container.id)?force=true") }
            if let image { _ = try await p.engine.call("DELETE", "/images/\(image)?force=true") }
        }
    }
}

/// A `docker save` archive given as an import tarball is refused with a hint (issue 19, item 10).
@Suite(.timeLimit(.minutes(10)))
struct SavedArchiveTests {
    @Test func aDockerSaveArchiveIsRefusedWithAHint() async throws {
        try await Project.with { p in
            let saved = try await p.engine.http.send(.init(method: "GET", path: "/v1.41/images/\(TestEngine.demoImage)/get"))
            try #require(saved.status == 200)
            try Data(saved.body).write(to: URL(fileURLWithPath: p.specs + "/saved.tar"))
            try p.write("app.json", """
                {"name": "app", "image": {"import": {"src": "saved.tar"}, "ref": "\(p.owner)/saved:1"}, "command": ["sleep", "3600"]}
                """)
            let apply = await p.berth("apply")
            #expect(apply.status == 1)
            #expect(apply.stderr.contains("saved.tar is a `docker save` archive (it holds manifest.json), not a root file system tarball: load it with `docker load -i"), "\(apply.stderr)")
            #expect(try await p.containers().isEmpty)
            #expect(try await p.engine.call("GET", "/images/\(p.owner)/saved:1/json").0 == 404)
        }
    }
}
