import BerthSystem
import BerthDocker
import BerthJSON
import BerthModel

/// `berth logs NAME`: a spec's container logs (or its Swarm service's), demultiplexed, each
/// line prefixed by its replica. `--follow` keeps reading until the process is interrupted.
enum LogsCommand {
    static func run(settings: Settings, arguments: Arguments, console: Console) async throws -> Int32 {
        let name = arguments.positionals[0]
        let follow = arguments.flags.contains("follow")
        let replica = arguments.values["replica"].flatMap { Int($0) }
        let tail = arguments.values["tail"] ?? "all"
        let client = DockerClient(endpoint: try settings.endpoint(), timeout: settings.engineTimeout)
        let listing = EngineListing(client: client, owner: settings.owner)
        let query = "stdout=1&stderr=1&follow=\(follow ? 1 : 0)&tail=\(tail)"

        let containers = try await listing.containers(name: name)
        if !containers.isEmpty {
            let chosen = containers.filter { replica == nil || $0.replica == replica }
            guard !chosen.isEmpty else {
                console.err("berth: \(name) has no replica \(replica!) (replicas: \(containers.map { String($0.replica) }.joined(separator: ", ")))")
                return ExitCode.failure
            }
            let width = chosen.map { "\(name)-\($0.replica)".count }.max()!
            var sources: [(String, String, Bool)] = []
            for container in chosen {
                let prefix = "\(name)-\(container.replica)".paddedWithSpaces(to: width)
                sources.append((prefix, "/containers/\(container.id)/logs?\(query)", try await listing.inspect(container.id).tty))
            }
            try await pump(sources, client: client, follow: follow, console: console) { _ in nil }
            return ExitCode.ok
        }
        if let service = try await listing.services(name: name).first {
            let slots = TaskSlots(listing: listing, serviceID: service.id)
            let path = "/services/\(service.id)/logs?\(query)&details=1"
            try await pump([(name, path, false)], client: client, follow: follow, console: console) { details in
                // details=1 puts the task's attributes before each line: the task names the slot.
                guard let task = details["com.docker.swarm.task.id"] else { return nil }
                guard let slot = await slots.slot(of: task) else { return "\(name)-?" }
                if let replica, slot != replica { return "" }
                return "\(name)-\(slot)"
            }
            return ExitCode.ok
        }
        let running = Set(try await listing.containers().map(\.name) + (try await listing.services()).map(\.name)).sorted()
        let hint = Arguments.suggestion(name, running)
        console.err("berth: no containers or Swarm service of spec \"\(name)\" under owner \(settings.owner)" + hint
                    + (running.isEmpty ? " (nothing runs for this owner; see berth ps)" : " (running: \(running.joined(separator: ", ")))"))
        return ExitCode.failure
    }

    /// Reads each source (prefix, logs path, TTY) and prints its lines, one source after the
    /// other, or all at once when following. `relabel` turns a Swarm line's details into its
    /// prefix ("" drops the line, nil keeps the source's).
    static func pump(_ sources: [(String, String, Bool)], client: DockerClient, follow: Bool, console: Console,
                     relabel: @escaping @Sendable ([String: String]) async -> String?) async throws {
        let service = sources.count == 1 && sources[0].1.hasPrefix("/services/")
        @Sendable func read(_ source: (String, String, Bool)) async throws {
            let (chunks, cancel) = try await client.logChunks(source.1, doing: "reading the logs of \(source.0.trimmingSpaces())")
            defer { cancel() }
            var decoder = LogDemultiplexer(raw: source.2)
            func show(_ line: LogDemultiplexer.Line) async {
                var prefix = source.0
                var text = line.text
                if service {
                    let (details, rest) = splitDetails(text)
                    text = rest
                    if let label = await relabel(details) {
                        if label.isEmpty { return }
                        prefix = label
                    }
                }
                if line.stream == .stderr { console.err("\(prefix) | \(text)") } else { console.out("\(prefix) | \(text)") }
            }
            for try await chunk in chunks {
                for line in decoder.feed(chunk) { await show(line) }
            }
            for line in decoder.finish() { await show(line) }
        }
        if follow {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for source in sources { group.addTask { try await read(source) } }
                try await group.waitForAll()
            }
        } else {
            for source in sources { try await read(source) }
        }
    }

    /// A service log line with details: `k=v,k=v message`; the attributes and the message.
    static func splitDetails(_ text: String) -> ([String: String], String) {
        guard let space = text.firstIndex(of: " "), text[..<space].contains("=") else { return ([:], text) }
        var details: [String: String] = [:]
        for pair in text[..<space].split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { details[String(parts[0])] = String(parts[1]) }
        }
        return (details, String(text[text.index(after: space)...]))
    }
}

/// A Swarm service's task IDs and their slots, asked again when a line names a task not
/// seen yet (one started while `logs -f` follows), once per task.
actor TaskSlots {
    let listing: EngineListing
    let serviceID: String
    private var slots: [String: Int] = [:]
    private var asked: Set<String> = []

    init(listing: EngineListing, serviceID: String) {
        self.listing = listing
        self.serviceID = serviceID
    }

    func slot(of task: String) async -> Int? {
        if let slot = slots[task] { return slot }
        guard asked.insert(task).inserted else { return nil }
        for found in (try? await listing.tasks(serviceID: serviceID, onlyWanted: false)) ?? [] { slots[found.id] = found.slot }
        return slots[task]
    }
}
