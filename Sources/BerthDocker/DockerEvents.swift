import BerthEngine
import BerthHTTP
import BerthJSON
import BerthModel
import FoundationEssentials

extension DockerContainerAdapter: EventSource {
    /// The engine's event stream, filtered to containers carrying this owner's label.
    /// Only events that can change what the planner decides are passed on.
    public func events(owner: String) async throws -> AsyncThrowingStream<ResourceEvent, Error> {
        let filters = JSONValue.object([
            "type": .array([.string("container")]),
            "label": .array([Labels.ownerFilter(owner)]),
        ])
        return try await client.events(filters: filters, doing: "following the engine's events") {
            DockerContainerAdapter.event($0, owner: owner, target: target)
        }
    }

    static let relevant: Set<String> = ["die", "destroy", "stop", "kill", "oom", "pause", "unpause", "rename", "update", "create", "start"]

    static func event(_ json: JSONValue, owner: String, target: TargetName = .docker) -> ResourceEvent? {
        guard json["Type"]?.stringValue == "container",
              let action = json["Action"]?.stringValue?.split(separator: ":").first.map(String.init),
              relevant.contains(action) else { return nil }
        let attributes = json["Actor"]?["Attributes"]?.objectValue ?? [:]
        guard attributes[Labels.owner]?.stringValue == owner, Labels.belongs(attributes[Labels.target]?.stringValue, to: target),
              let name = attributes[Labels.name]?.stringValue, Names.isValid(name) else { return nil }
        return ResourceEvent(target: target, name: SpecName(name), action: action)
    }
}

extension DockerClient {
    /// The engine's event stream with `filters`, each line turned into an event by `parse`
    /// (nil: not ours, or nothing the planner acts on). Ends with an error when the engine
    /// closes it, so the caller reconnects.
    func events(filters: JSONValue, doing: String,
                _ parse: @escaping @Sendable (JSONValue) -> ResourceEvent?) async throws -> AsyncThrowingStream<ResourceEvent, Error> {
        let stream = try await stream("/events?filters=\(Query.escape(filters.serialized()))", doing: doing)
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await line in stream.lines {
                        if let json = JSONValue(answer: line), let event = parse(json) { continuation.yield(event) }
                    }
                    continuation.finish(throwing: BerthError(.engineUnreachable, "the engine closed its event stream", isRetryable: true))
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in stream.cancel(); task.cancel() }
        }
    }

    /// A versioned long-lived GET (the event stream).
    func stream(_ path: String, doing: String) async throws -> HTTPStream {
        try await stream(HTTPRequest(method: "GET", path: path), doing: doing)
    }

    /// A versioned request whose answer is read as it arrives (events, pull, import and build
    /// progress). A refusal (non-2xx) is read whole and thrown with what the engine said.
    func stream(_ request: HTTPRequest, doing: String) async throws -> HTTPStream {
        let version = try await negotiatedVersion()
        var versioned = request
        versioned.path = "/v\(version)\(request.path)"
        let stream: HTTPStream
        do {
            stream = try await http.stream(versioned)
        } catch {
            throw transportError(error, doing: doing)
        }
        guard (200..<300).contains(stream.status) else {
            let body = await stream.refusalBody()
            throw DockerClient.engineError(HTTPResponse(status: stream.status, headers: stream.headers, body: body), doing: doing)
        }
        return stream
    }
}
