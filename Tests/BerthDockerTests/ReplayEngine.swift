@testable import BerthDocker
import BerthJSON
import BerthTestSupport
import Foundation
import Testing

/// A real Docker Engine's answers, recorded by scripts/record-docker-answers.py into
/// Fixtures/engine-answers.json (Debian 12's docker.io, API 1.41): each exchange by name with
/// the request that was made and the status and body the engine gave.
struct EngineAnswers: Sendable {
    struct Exchange: Sendable {
        var method: String
        var path: String
        var status: Int
        var answer: JSONValue?
        var body: JSONValue?
    }

    let exchanges: [String: Exchange]

    static let recorded: EngineAnswers = {
        let url = Bundle.module.url(forResource: "engine-answers", withExtension: "json", subdirectory: "Fixtures")
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/engine-answers.json")
        let json = JSONValue(answer: Array((try? Data(contentsOf: url)) ?? Data()))
        var exchanges: [String: Exchange] = [:]
        for (name, entry) in json?["exchanges"]?.objectValue ?? [:] {
            exchanges[name] = Exchange(method: entry["method"]?.stringValue ?? "", path: entry["path"]?.stringValue ?? "",
                                       status: entry["status"]?.intValue ?? 0, answer: entry["answer"], body: entry["body"])
        }
        return EngineAnswers(exchanges: exchanges)
    }()

    subscript(name: String) -> Exchange {
        guard let exchange = exchanges[name] else { preconditionFailure("no recorded exchange \(name) in engine-answers.json") }
        return exchange
    }

    /// The id the engine gave a container or service in a recorded create.
    func id(_ name: String) -> String { self[name].answer?["Id"]?.stringValue ?? self[name].answer?["ID"]?.stringValue ?? "" }
}

/// One step of a conversation: the request berth must make next, and the recorded answer.
struct Step: Sendable, CustomStringConvertible {
    var method: String
    var path: String
    var answer: String

    /// The recorded exchange as it was made.
    static func recorded(_ name: String) -> Step {
        let exchange = EngineAnswers.recorded[name]
        return Step(method: exchange.method, path: exchange.path, answer: name)
    }

    /// The answer recorded as `name`, to a request the recording made with other names or ids
    /// ("POST /containers/ID/stop").
    static func answer(_ name: String, to request: String) -> Step {
        let parts = request.split(separator: " ", maxSplits: 1).map(String.init)
        return Step(method: parts[0], path: parts[1], answer: name)
    }

    var description: String { "\(method) \(path)" }
}

/// An engine on a Unix socket that expects berth's requests in a given order and answers each
/// with the real engine's recorded answer. A request out of order gets a 500 that names what
/// was expected, and is listed in `unexpected`; GET /version is answered whenever asked.
final class ReplayEngine: Sendable {
    private let server: UnixHTTPTestServer
    private let state: Locked

    init(_ steps: [Step]) throws {
        let state = Locked(steps)
        self.state = state
        server = try UnixHTTPTestServer { request in
            let path = ReplayEngine.unversioned(request.path)
            let answers = EngineAnswers.recorded
            if path == "/version" { return ReplayEngine.reply(answers["version"], name: "version") }
            let asked = "\(request.method) \(ReplayEngine.decoded(path))"
            guard let step = state.next(asked: asked, body: JSONValue(answer: request.body)) else {
                return ReplayEngine.refusal("replay: nothing more was expected, got \(asked)")
            }
            guard asked == "\(step.method) \(ReplayEngine.decoded(step.path))" else {
                state.mismatch("expected \(step), got \(asked)")
                return ReplayEngine.refusal("replay: expected \(step), got \(asked)")
            }
            return ReplayEngine.reply(answers[step.answer], name: step.answer)
        }
        try server.start()
    }

    deinit { server.stop() }

    var client: DockerClient { DockerClient(endpoint: server.endpoint, timeout: .seconds(30)) }

    /// Requests that came out of order or after the conversation ended.
    var unexpected: [String] { state.read { $0.unexpected } }
    /// Steps berth never got to.
    var remaining: [String] { state.read { $0.steps.map(\.description) } }
    /// The JSON bodies berth sent, by the request they came with.
    var bodies: [(request: String, body: JSONValue?)] { state.read { $0.bodies } }

    static func reply(_ exchange: EngineAnswers.Exchange, name: String) -> HTTPServerReply {
        // The event stream was recorded as its lines: they go out one chunk each, then it ends.
        if name == "events", let lines = exchange.answer?.arrayValue {
            return .chunked(status: exchange.status, headers: [("Content-Type", "application/json")],
                            chunks: lines.map { HTTPServerChunk($0.serialized() + "\n") })
        }
        guard let answer = exchange.answer else { return .response(status: exchange.status) }
        return .json(answer.serialized(), status: exchange.status)
    }

    static func refusal(_ message: String) -> HTTPServerReply {
        .json(JSONValue.object(["message": .string(message)]).serialized(), status: 500)
    }

    static func unversioned(_ path: String) -> String {
        guard path.hasPrefix("/v"), let slash = path.dropFirst().firstIndex(of: "/") else { return path }
        return String(path[slash...])
    }

    static func decoded(_ path: String) -> String { path.removingPercentEncoding ?? path }

    private final class Locked: @unchecked Sendable {
        struct State {
            var steps: [Step]
            var unexpected: [String] = []
            var bodies: [(request: String, body: JSONValue?)] = []
        }
        private let lock = NSLock()
        private var state: State

        init(_ steps: [Step]) { state = State(steps: steps) }

        func next(asked: String, body: JSONValue?) -> Step? {
            lock.withLock {
                state.bodies.append((asked, body))
                guard !state.steps.isEmpty else {
                    state.unexpected.append(asked)
                    return nil
                }
                return state.steps.removeFirst()
            }
        }

        func mismatch(_ text: String) { lock.withLock { state.unexpected.append(text) } }

        func read<T>(_ body: (State) -> T) -> T { lock.withLock { body(state) } }
    }
}
