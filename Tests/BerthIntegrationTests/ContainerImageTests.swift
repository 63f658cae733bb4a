import BerthHTTP
import BerthJSON
import BerthTestSupport
import Foundation
import Testing

/// The image `make image` builds (scripts/image.sh), run on the real engine as a user runs it:
/// the engine's socket bind-mounted at /var/run/docker.sock and a specs folder at /specs.
/// Enabled when BERTH_TEST_IMAGE names the image (`make image-test`, and `make test`'s release
/// phase, set it); a name given that the engine does not have is a failure, not a skip.
@Suite(.enabled(if: !(ProcessInfo.processInfo.environment["BERTH_TEST_IMAGE"] ?? "").isEmpty,
                 "set BERTH_TEST_IMAGE=berth:VERSION (make image-test)"),
       .timeLimit(.minutes(10)))
struct ContainerImageTests {
    static var image: String? { ProcessInfo.processInfo.environment["BERTH_TEST_IMAGE"].flatMap { $0.isEmpty ? nil : $0 } }

    @Test func applyInTheContainerConvergesOnTheEngine() async throws {
        let engine = try TestEngine()
        let image = try #require(Self.image)
        try await Self.requireImage(engine, image)
        let socket = try Self.socketPath(engine.host)
        let owner = "img-" + String(UUID().uuidString.lowercased().prefix(8))
        let specs = try TemporaryDirectory(prefix: "image-specs")
        var made: [String] = []
        defer { specs.remove() }
        try #"{"name": "in-image", "image": "berth-demo/busybox:1", "command": ["sleep", "3600"]}"#
            .write(toFile: specs.path + "/in-image.json", atomically: true, encoding: .utf8)

        let apply = try await Self.run(engine, image, ["apply", "--specs", "/specs", "--state", "/state", "--owner", owner],
                                       binds: ["\(socket):/var/run/docker.sock", "\(specs.path):/specs:ro"], made: &made)
        let containers = try await engine.containers(label: "berth.owner=\(owner)")
        await Self.remove(engine, made)
        await engine.cleanUp(owner: owner)
        #expect(apply.status == 0, "berth apply in \(image) exited \(apply.status): \(apply.output)")
        #expect(containers.count == 1, "\(containers.map(\.name))")
        #expect(containers.first?.labels["berth.name"] == "in-image", "\(containers.first?.labels ?? [:])")
        #expect(containers.first?.state == "running", "the container berth made in the image: \(containers.first?.state ?? "none")")
    }

    @Test func versionPrintsTheVersionOfTheRelease() async throws {
        let engine = try TestEngine()
        let image = try #require(Self.image)
        try await Self.requireImage(engine, image)
        var made: [String] = []
        let version = try await Self.run(engine, image, ["version"], binds: [], made: &made)
        await Self.remove(engine, made)
        #expect(version.status == 0, "berth version in \(image): \(version.output)")
        let first = version.output.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.hasPrefix("berth "), "berth version printed: \(version.output)")
        #expect(!first.contains("commit unknown"), "the release is stamped with its commit: \(first)")
        // git describe --always without a tag is the commit itself: the binary names it too.
        let tag = String(image.split(separator: ":").last ?? "").replacingOccurrences(of: "-modified", with: "")
        if tag.range(of: "^[0-9a-f]{7,}$", options: .regularExpression) != nil {
            #expect(first.contains("(commit \(tag)"), "image \(image), berth version: \(first)")
        }
    }

    /// What a run of the image printed and how it ended.
    struct Run { var status: Int; var output: String }

    /// Runs the image with `command` to its end (create, start, wait), as `docker run` would.
    static func run(_ engine: TestEngine, _ image: String, _ command: [String], binds: [String],
                    made: inout [String]) async throws -> Run {
        let body: JSONValue = .object([
            "Image": .string(image), "Cmd": .array(command.map { .string($0) }),
            "Labels": .object(["berth.test": .string("ContainerImageTests")]),
            "HostConfig": .object(["Binds": .array(binds.map { .string($0) })]),
        ])
        let (status, created) = try await engine.call("POST", "/containers/create", body: body)
        try #require(status == 201, "creating a container of \(image): \(status) \(created?.serialized() ?? "")")
        let id = try #require(created?["Id"]?.stringValue)
        made.append(id)
        let (started, answer) = try await engine.call("POST", "/containers/\(id)/start")
        try #require(started == 204, "starting \(image) \(command): \(started) \(answer?.serialized() ?? "")")
        var exit: Int?
        // Hang guard only: an apply of one container ends in seconds.
        _ = try await Poll.until(hangGuard: .seconds(240)) {
            let state = try await engine.inspect(id)?["State"]
            guard state?["Status"]?.stringValue == "exited" else { return false }
            exit = state?["ExitCode"]?.intValue
            return true
        }
        let logs = try await engine.http.send(HTTPRequest(method: "GET", path: "/v1.41/containers/\(id)/logs?stdout=1&stderr=1"))
        return Run(status: exit ?? -1, output: demultiplex(logs.body))
    }

    /// The engine's log stream without a terminal: frames of an 8-byte header (stream, 0, 0, 0,
    /// size big-endian) and the bytes written.
    static func demultiplex(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = [], index = 0
        while index + 8 <= bytes.count {
            let size = bytes[index + 4..<index + 8].reduce(0) { $0 << 8 | Int($1) }
            let end = min(bytes.count, index + 8 + size)
            out += bytes[index + 8..<end]
            index = end
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func requireImage(_ engine: TestEngine, _ image: String) async throws {
        let (status, _) = try await engine.call("GET", "/images/\(image)/json")
        try #require(status == 200, "BERTH_TEST_IMAGE=\(image) is not on the engine at \(engine.host): run make image")
    }

    /// The engine's socket on this machine, to bind-mount into the container.
    static func socketPath(_ host: String) throws -> String {
        guard host.hasPrefix("unix://") else { throw TestSetupError("the image test mounts the engine's socket; \(host) is not unix://") }
        return String(host.dropFirst("unix://".count))
    }

    static func remove(_ engine: TestEngine, _ ids: [String]) async {
        for id in ids { _ = try? await engine.call("DELETE", "/containers/\(id)?force=true&v=true") }
    }
}
