import BerthHTTP
import BerthModel
import Foundation

/// The global options, resolved once: where specs and state live, who owns what, which engine.
public struct Settings: Sendable {
    public var specsDirectory: String
    public var stateDirectory: String
    public var owner: String
    public var dockerHost: String
    /// The longest one engine request may take ($BERTH_ENGINE_TIMEOUT, default 60 s): fault
    /// tests shorten it to see stalls become timeouts within seconds.
    public var engineTimeout: Duration = .seconds(60)

    public static let globalOptions: [Arguments.Option] = [
        .init(name: "specs", takesValue: true, help: "folder of spec files (default: specs)"),
        .init(name: "state", takesValue: true, help: "state folder: journal, lock, records (default: state)"),
        .init(name: "owner", takesValue: true, help: "owner label value (default: the name of the folder holding the specs folder)"),
        .init(name: "docker-host", takesValue: true, help: "engine address, unix:// or tcp:// (default: $DOCKER_HOST, else unix:///var/run/docker.sock)"),
        .init(name: "help", takesValue: false, help: "show help"),
    ]

    public init(arguments: Arguments, environment: [String: String]) throws {
        specsDirectory = arguments.values["specs"] ?? "specs"
        stateDirectory = arguments.values["state"] ?? "state"
        dockerHost = arguments.values["docker-host"] ?? environment["DOCKER_HOST"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "unix:///var/run/docker.sock"
        if let text = environment["BERTH_ENGINE_TIMEOUT"], !text.isEmpty {
            guard let timeout = try? Durations.parse(text, option: "engine-timeout"), timeout > .zero else {
                throw BerthError(.usage, "BERTH_ENGINE_TIMEOUT takes a duration like 500ms, 5s or 2m, got \"\(text)\"")
            }
            engineTimeout = timeout
        }
        if let owner = arguments.values["owner"] {
            guard Names.isValid(owner), owner.count <= SpecDecoder.maxNameLength else {
                throw BerthError(.usage, "--owner \"\(owner)\" is not a valid name: use lowercase letters, digits and '-', starting and ending with a letter or digit")
            }
            self.owner = owner
        } else {
            self.owner = Settings.defaultOwner(specsDirectory: specsDirectory)
        }
    }

    /// The folder holding specs/ names the project, as Compose names a project after its folder.
    static func defaultOwner(specsDirectory: String) -> String {
        let absolute = URL(fileURLWithPath: specsDirectory).standardizedFileURL
        return Names.sanitized(absolute.deletingLastPathComponent().lastPathComponent)
    }

    public func endpoint() throws -> HTTPEndpoint {
        do { return try HTTPEndpoint(parsing: dockerHost) } catch {
            throw BerthError(.usage, "docker host \"\(dockerHost)\" is not unix:///path or tcp://host:port")
        }
    }

    public var journalPath: String { stateDirectory + "/journal.jsonl" }
    public var configsPath: String { stateDirectory + "/configs.json" }
}
