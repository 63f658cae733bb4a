import BerthHTTP
import BerthJSON
import BerthModel
import BerthSystem
import FoundationEssentials

/// Gets each spec's image onto the engine before its containers are made: pulled, imported
/// from a tarball or built from a folder. Many specs sharing one image prepare it once
/// (concurrent callers wait for the same work); unrelated specs go on in parallel.
public actor ImagePreparer {
    public static let sourceLabel = "berth.source-hash"

    let client: DockerClient
    let progress: @Sendable (String) -> Void
    let auth: RegistryAuth
    private var inFlight: [String: Task<Void, Error>] = [:]
    /// Images found ready a moment ago are not asked about again for every replica of a
    /// cold apply; after `freshFor` the engine is asked again (someone may have removed it).
    private var readyAt: [String: ContinuousClock.Instant] = [:]
    static let freshFor: Duration = .seconds(30)
    private var failedAt: [String: (error: any Error, time: ContinuousClock.Instant)] = [:]
    static let failureHeldFor: Duration = .seconds(5)

    public init(client: DockerClient, auth: RegistryAuth = .fromDockerConfig(), progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.client = client; self.auth = auth; self.progress = progress
    }

    func report(_ note: String) { progress(note) }

    public func ensure(_ spec: Spec) async throws {
        let key = "\(spec.image)|\(spec.imageSource.sourceHash ?? "")|\(spec.imageSource.kind)"
        // ("always" too: one pull serves every replica of one apply.)
        if let ready = readyAt[key], ContinuousClock.now - ready < ImagePreparer.freshFor { return }
        if let running = inFlight[key] { return try await running.value }
        // Every replica of one pass shares a failed build or import instead of repeating it.
        if let failure = failedAt[key], ContinuousClock.now - failure.time < ImagePreparer.failureHeldFor { throw failure.error }
        let task = Task { try await self.prepare(spec) }
        inFlight[key] = task
        do { try await task.value } catch {
            inFlight[key] = nil
            if case .registry = spec.imageSource.kind {} else { failedAt[key] = (error, ContinuousClock.now) }
            throw error
        }
        failedAt[key] = nil
        inFlight[key] = nil
        readyAt[key] = ContinuousClock.now
    }

    /// The image behind `ref` as the engine holds it now, pinned: "repo@sha256:…" when it came
    /// from a registry (other nodes can pull that), else its ID "sha256:…" (a built or imported
    /// image exists only here). Nil when the engine has no such image.
    public nonisolated func identity(_ ref: String) async throws -> String? {
        let found = try await client.request("GET", "/images/\(Query.escape(ref))/json", doing: "inspecting image \(ref)", accept: [404])
        guard found.status != 404, let json = JSONValue(answer: found.body) else { return nil }
        if ref.contains("@") { return ref }
        let repo = ImageRef.split(ref).repo
        if let digest = json["RepoDigests"]?.arrayValue?.compactMap(\.stringValue).first(where: { $0.hasPrefix(repo + "@") }) {
            return digest
        }
        return json["Id"]?.stringValue
    }

    func prepare(_ spec: Spec) async throws {
        let ref = spec.image
        let found = try await client.request("GET", "/images/\(Query.escape(ref))/json", doing: "inspecting image \(ref)", accept: [404])
        let exists = found.status != 404
        let label = JSONValue(answer: found.body)?["Config"]?["Labels"]?[ImagePreparer.sourceLabel]?.stringValue
        switch spec.imageSource.kind {
        case .registry(let pull):
            if pull == .never && !exists {
                throw BerthError(.notFound, "image \(ref) is not on the engine", cause: "its pull policy is \"never\"; load it first (docker pull, docker load)")
            }
            if pull == .always || !exists { try await self.pull(ref) }
        case .importTarball(let src):
            if exists && label == spec.imageSource.sourceHash { return }
            try await importTarball(src: src, ref: ref, hash: spec.imageSource.sourceHash ?? "")
        case .build(let context, let dockerfile, let args):
            if exists && label == spec.imageSource.sourceHash { return }
            try await build(context: context, dockerfile: dockerfile, args: args, ref: ref, hash: spec.imageSource.sourceHash ?? "")
        }
    }

    /// Reads a progress stream to its end; returns the engine's error line, if it sent one.
    func follow(_ request: HTTPRequest, doing: String, _ handle: (JSONValue) -> Void) async throws -> String? {
        let stream = try await client.stream(request, doing: doing)
        var failure: String?
        do {
            for try await line in stream.lines {
                guard let json = JSONValue(answer: line) else { continue }
                if let error = json["errorDetail"]?["message"]?.stringValue ?? json["error"]?.stringValue {
                    failure = error
                    continue
                }
                handle(json)
            }
        } catch {
            throw BerthError(.engineError, "\(doing) at \(client.endpoint)", cause: "\(error)", isRetryable: true)
        }
        return failure
    }

    func pull(_ ref: String) async throws {
        let (repo, tag) = ImageRef.split(ref)
        var query = "/images/create?fromImage=\(Query.escape(repo))"
        if let tag { query += "&tag=\(Query.escape(tag))" }
        progress("pulling image \(ref)")
        var headers: [(String, String)] = []
        if let header = auth.header(for: ref) { headers.append(("X-Registry-Auth", header)) }
        var layers: [String: String] = [:]
        let failure = try await follow(HTTPRequest(method: "POST", path: query, headers: headers), doing: "pulling image \(ref)") { json in
            // One line per layer and state change, not per progress tick.
            guard let status = json["status"]?.stringValue else { return }
            let id = json["id"]?.stringValue ?? ""
            if layers[id] != status { layers[id] = status; progress("pull \(ref): " + (id.isEmpty ? status : "\(id): \(status)")) }
        }
        // A registry that cannot be reached now may answer later: retried with backoff.
        if let failure { throw BerthError(.engineError, "pulling image \(ref)", cause: failure, isRetryable: true) }
        progress("pulled image \(ref)")
    }

    func importTarball(src: String, ref: String, hash: String) async throws {
        let (repo, tag) = ImageRef.split(ref)
        let changes = Query.escape("LABEL \(ImagePreparer.sourceLabel)=\(hash)")
        let isURL = src.hasPrefix("http://") || src.hasPrefix("https://")
        let path = "/images/create?fromSrc=\(isURL ? Query.escape(src) : "-")&repo=\(Query.escape(repo))&tag=\(Query.escape(tag ?? "latest"))&changes=\(changes)"
        progress("importing image \(ref) from \(src)")
        let request = isURL
            ? HTTPRequest(method: "POST", path: path)
            : HTTPRequest(method: "POST", path: path, headers: [("Content-Type", "application/x-tar")], streaming: .file(path: src))
        let failure = try await follow(request, doing: "importing image \(ref) from \(src)") { _ in }
        if let failure { throw BerthError(.engineError, "importing image \(ref) from \(src)", cause: failure) }
        progress("imported image \(ref)")
    }

    func build(context: String, dockerfile: String, args: [String: String], ref: String, hash: String) async throws {
        let buildContext = try BuildContext(scanning: context, dockerfile: dockerfile)
        let argsJSON = JSONValue.object(args.mapValues { .string($0) }).serialized()
        let labels = JSONValue.object([ImagePreparer.sourceLabel: .string(hash)]).serialized()
        let path = "/build?t=\(Query.escape(ref))&dockerfile=\(Query.escape(dockerfile))&buildargs=\(Query.escape(argsJSON))&labels=\(Query.escape(labels))&rm=1&forcerm=1"
        progress("building image \(ref) from \(context)")
        let request = HTTPRequest(method: "POST", path: path, headers: [("Content-Type", "application/x-tar")],
                                  streaming: .producer { write in
                                      try withoutActuallyEscaping(write) { try buildContext.writeArchive(to: $0) }
                                  })
        var output: [String] = []
        let failure = try await follow(request, doing: "building image \(ref)") { json in
            guard let text = json["stream"]?.stringValue else { return }
            for piece in text.split(separator: "\n") where !piece.trimmingWhitespace().isEmpty {
                output.append(String(piece))
            }
            if text.hasPrefix("Step ") { progress("build \(ref): " + text.trimmingWhitespaceAndNewlines()) }
        }
        if let error = failure {
            // The failing step and what it printed: the last lines of the build's output.
            let tail = output.suffix(12).joined(separator: "\n    ")
            throw BerthError(.engineError, "building image \(ref) from \(context) failed", cause: "\(error)\n    \(tail)")
        }
        progress("built image \(ref)")
    }
}
