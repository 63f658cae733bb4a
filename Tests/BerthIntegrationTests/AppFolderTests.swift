import Foundation
import Testing

/// App folders as a user meets them (issue 19): the image tag does not depend on how
/// `--specs` was typed, and a rebuild does not leave the previous image behind.
@Suite(.timeLimit(.minutes(10)))
struct AppFolderTests {
    /// `path` written relative to the current directory, as a person in another folder types it.
    static func relative(_ path: String) -> String {
        let here = FileManager.default.currentDirectoryPath.split(separator: "/")
        return String(repeating: "../", count: here.count) + path.drop { $0 == "/" }
    }

    static func imageOf(_ p: Project) async throws -> String? {
        guard let first = try await p.containers().first else { return nil }
        return try await p.engine.inspect(first.id)?["Image"]?.stringValue
    }

    @Test func relativeAndAbsoluteSpecsFoldersPlanNothing() async throws {
        try await Project.with { p in
            try p.write("site/Dockerfile", "FROM \(TestEngine.demoImage)\nCOPY index.html /www/index.html\nCMD [\"httpd\", \"-f\", \"-p\", \"8080\"]\n")
            try p.write("site/index.html", "one\n")
            try p.write("site/app.json", #"{"name": "site", "docker": {"HostConfig": {"Init": true}}}"#)
            let apply = await p.berth("apply")
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            let image = try await Self.imageOf(p)
            for typed in [Self.relative(p.specs), p.specs + "/", p.specs + "/../specs"] {
                let plan = await p.berth("plan", "--detailed-exitcode", "--specs", typed)
                #expect(plan.status == 0, "--specs \(typed): \(plan.stdout)\(plan.stderr)")
            }

            // An edit rebuilds under a new tag, and the image berth made before goes.
            try p.write("site/index.html", "two\n")
            let rebuilt = await p.berth("apply", "--specs", Self.relative(p.specs))
            #expect(rebuilt.status == 0, "\(rebuilt.stdout)\(rebuilt.stderr)")
            let now = try #require(try await Self.imageOf(p))
            #expect(now != image)
            if let image { #expect(try await p.engine.call("GET", "/images/\(image)/json").0 == 404, "the previous image is removed") }
            for container in try await p.containers() { _ = try await p.engine.call("DELETE", "/containers/\(container.id)?force=true") }
            _ = try await p.engine.call("DELETE", "/images/\(now)?force=true")
        }
    }
}
