import BerthEngine
import BerthHTTP
import BerthJSON
import BerthModel
import Foundation

extension DockerContainerAdapter: EventSource {
    /// The engine's event stream, filtered to containers carrying this owner's label.
    /// Only events that can change what the planner decides are passed on.
    public func events(owner: String) async throws -> AsyncThrowingStream<ResourceEvent, Error> {
        let filters = JSONValue.object([
            "type": .array([.string("container")]),
            "label": .array([.string("\(Labels.owner)=\(owner)")]),
        ]).serialized()
        let stream = try await client.stream("/events?filters=\(Query.escape(filters))", doing: "following the engine's events")
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await line in stream.lines {
                        guard let event = DockerContainerAdapter.event(line, owner: owner) else { continue }
                        continuation.yield(event)
                    }
                    continuation.finish(throwing: BerthError(.engineUnreachable, "the engine closed its event stream", isRetryable: true))
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in stream.cancel(); task.cancel() }
        }
    }

    static let relevant: Set<String> = ["die", "destroy", "stop", "kill", "oom", "pause", "unpause", "rename", "update", "create", "start"]

    static func event(_ line: [UInt8], owner: String) -> ResourceEvent? {
        guard let json = JSONValue(foundationData: line), json["Type"]?.stringValue == "container",
              let action = json["Action"]?.stringValue?.split(separator: ":").first.map(String.init),
              relevant.contains(action) else { return nil }
        let attributes = json["Actor"]?["Attributes"]?.objectValue ?? [:]
        guard attributes[Labels.owner]?.stringValue == owner, let name = attributes[Labels.name]?.stringValue,
              Names.isValid(name) else { return nil }
        return ResourceEvent(target: "docker", name: name, action: action)
    }
}

extension DockerClient {
    /// A versioned long-lived request (events, later build and pull progress).
    func stream(_ path: String, doing: String) async throws -> HTTPStream {
        let version = try await negotiatedVersion()
        let stream: HTTPStream
        do {
            stream = try await http.stream(HTTPRequest(method: "GET", path: "/v\(version)\(path)"))
        } catch {
            throw BerthError(error.kind == .connect ? .engineUnreachable : .engineError, "\(doing) at \(endpoint)",
                             cause: error.detail, isRetryable: error.isTransient)
        }
        guard (200..<300).contains(stream.status) else {
            stream.cancel()
            throw BerthError(.engineError, doing, cause: "engine answered \(stream.status)", isRetryable: stream.status >= 500)
        }
        return stream
    }
}
