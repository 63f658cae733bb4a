import BerthHTTP
import BerthTestSupport
import Foundation
import Glibc
import Testing

/// An error a producer throws, as a tar writer would when a file vanishes under it.
private struct VanishedFile: Error, CustomStringConvertible {
    var description: String { "file vanished while tarring: ctx/app/main.swift" }
}

/// Counts calls from the producer's thread.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() { lock.lock(); value += 1; lock.unlock() }
    var count: Int { lock.lock(); defer { lock.unlock() }; return value }
}

/// A temporary file of `megabytes` MiB of varied bytes, written a piece at a time, and
/// the checksum of its contents.
private func makeFile(megabytes: Int) throws -> (path: String, checksum: UInt64) {
    let path = TemporaryDirectory.root + "/berth-http-body-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).bin"
    var generator = SystemRandomNumberGenerator()
    let words = (0..<(1 << 17)).map { _ in generator.next() as UInt64 }
    let pattern = words.withUnsafeBytes { Array($0) }
    guard FileManager.default.createFile(atPath: path, contents: nil),
          let handle = FileHandle(forWritingAtPath: path) else { throw CocoaError(.fileWriteUnknown) }
    defer { try? handle.close() }
    var checksum = HTTPTestChecksum()
    for index in 0..<megabytes {
        // Each MiB rotated differently, so a lost, repeated or reordered piece changes the checksum.
        let cut = (index * 7919) % pattern.count
        let piece = Array(pattern[cut...] + pattern[..<cut])
        checksum.update(piece)
        try handle.write(contentsOf: piece)
    }
    return (path, checksum.value)
}

@Suite struct HTTPRequestBodyTests {
    @Test func fileBodyArrivesIntactWithItsLength() async throws {
        let (path, checksum) = try makeFile(megabytes: 20)
        defer { unlink(path) }
        let server = try UnixHTTPTestServer(storesBodies: false) { request in
            .json(#"{"status":"imported"}"#, status: request.bodyComplete ? 200 : 500)
        }
        try server.start()
        defer { server.stop() }
        let request = HTTPRequest(method: "POST", path: "/images/create?fromSrc=-", streaming: .file(path: path))
        #expect(request.body == nil)
        let response = try await HTTPClient(endpoint: server.endpoint).send(request)
        #expect(response.status == 200)
        let received = try #require(server.requests.first)
        #expect(received.header("content-length") == String(20 << 20))
        #expect(received.header("transfer-encoding") == nil)
        #expect(received.header("content-type") == "application/octet-stream")
        #expect(received.bodyCount == 20 << 20)
        #expect(received.bodyChecksum == checksum)
        #expect(received.body.isEmpty)
    }

    @Test func producerBodyIsSentChunkedOneChunkPerWrite() async throws {
        try await withServer({ _ in .response(status: 204) }) { server in
            let request = HTTPRequest(method: "POST", path: "/build", headers: [("Content-Type", "application/x-tar")],
                                      streaming: .producer { write in
                for index in 0..<1000 { try write(ArraySlice("entry \(index);".utf8)) }
                try write([])  // an empty write must not end the body early
            })
            let response = try await HTTPClient(endpoint: server.endpoint).send(request)
            #expect(response.status == 204)
            let received = try #require(server.requests.first)
            #expect(received.header("transfer-encoding") == "chunked")
            #expect(received.header("content-length") == nil)
            #expect(received.header("content-type") == "application/x-tar")
            #expect(received.chunkCount == 1000)
            #expect(received.bodyText == (0..<1000).map { "entry \($0);" }.joined())
        }
    }

    @Test func producerWithItsOwnContentLengthIsSentAsIs() async throws {
        try await withServer({ _ in .response(status: 204) }) { server in
            let client = HTTPClient(endpoint: server.endpoint)
            let request = HTTPRequest(method: "PUT", path: "/archive", headers: [("Content-Length", "10")],
                                      streaming: .producer { write in
                try write(ArraySlice("01234".utf8))
                try write(ArraySlice("56789".utf8))
            })
            _ = try await client.send(request)
            #expect(server.requests.first?.bodyText == "0123456789")
            #expect(server.requests.first?.header("transfer-encoding") == nil)

            let short = HTTPRequest(method: "PUT", path: "/archive", headers: [("Content-Length", "10")],
                                    streaming: .producer { write in try write(ArraySlice("0123".utf8)) })
            let error = await httpError { try await client.send(short) }
            #expect(error?.kind == .requestBody)
            #expect(error?.detail == "the body producer wrote 4 of the 10 bytes of its Content-Length")
        }
    }

    @Test func producerErrorAbortsTheRequestNamingItsMessage() async throws {
        try await withServer({ _ in .response(status: 200) }) { server in
            let request = HTTPRequest(method: "POST", path: "/build", streaming: .producer { write in
                for index in 0..<10 { try write(ArraySlice("piece \(index)\n".utf8)) }
                throw VanishedFile()
            })
            let start = ContinuousClock.now
            let error = await httpError { try await HTTPClient(endpoint: server.endpoint).send(request) }
            #expect(ContinuousClock.now - start < hangGuard)
            #expect(error?.kind == .requestBody)
            #expect(error?.isTransient == false)
            #expect(error?.detail == "the body producer failed: file vanished while tarring: ctx/app/main.swift")
            #expect(error?.description.hasPrefix("cannot send the request body to unix://") == true)
            // The connection was closed without the final chunk: the server never saw a whole request.
            #expect(await eventually { server.acceptedConnections == 1 && server.openConnections == 0 })
            #expect(server.requests.isEmpty)
        }
    }

    @Test func missingFileFailsBeforeConnecting() async throws {
        try await withServer({ _ in .response(status: 200) }) { server in
            let path = "/tmp/berth-http-no-such-\(getpid()).tar"
            let request = HTTPRequest(method: "POST", path: "/build", streaming: .file(path: path))
            let error = await httpError { try await HTTPClient(endpoint: server.endpoint).send(request) }
            #expect(error?.kind == .requestBody)
            #expect(error?.detail == "cannot open \(path): no such file or directory")
            #expect(server.acceptedConnections == 0)
        }
    }

    @Test func earlyErrorResponseIsReturnedWhenTheServerHangsUpMidBody() async throws {
        let server = try UnixHTTPTestServer(answersBeforeBody: true) { _ in
            .json(#"{"message":"invalid tar header"}"#, status: 400)
        }
        try server.start()
        defer { server.stop() }
        let writes = Counter()
        let piece = [UInt8](repeating: 0x61, count: 64 * 1024)
        // 64 MiB: far more than socket buffers hold, so the client is mid-body when the server hangs up.
        let request = HTTPRequest(method: "POST", path: "/images/create?fromSrc=-", streaming: .producer { write in
            for _ in 0..<1024 {
                try write(piece[...])
                writes.increment()
            }
        })
        let start = ContinuousClock.now
        let response = try await HTTPClient(endpoint: server.endpoint, timeout: .seconds(30)).send(request)
        #expect(ContinuousClock.now - start < hangGuard)
        #expect(response.status == 400)
        #expect(response.bodyText == #"{"message":"invalid tar header"}"#)
        #expect(writes.count < 1024)
        #expect(server.requests.first?.bodyComplete == false)
    }

    @Test func earlyErrorResponseOverTCPIsReturnedOrAClearReset() async throws {
        let server = try UnixHTTPTestServer(tcp: true, answersBeforeBody: true) { _ in
            .json(#"{"message":"invalid tar header"}"#, status: 400)
        }
        try server.start()
        defer { server.stop() }
        let endpoint = try #require(server.tcpEndpoint)
        let piece = [UInt8](repeating: 0x61, count: 64 * 1024)
        let request = HTTPRequest(method: "POST", path: "/build", streaming: .producer { write in
            for _ in 0..<1024 { try write(piece[...]) }
        })
        let start = ContinuousClock.now
        let client = HTTPClient(endpoint: endpoint, timeout: .seconds(30))
        switch await Task(operation: { try await client.send(request) }).result {
        case .success(let response):
            #expect(response.status == 400)
            #expect(response.bodyText == #"{"message":"invalid tar header"}"#)
        case .failure(let error):
            // A reset may discard the answer on the way in; then the loss must be named.
            #expect((error as? HTTPError)?.kind == .reset)
            #expect((error as? HTTPError)?.detail.contains("request") == true)
        }
        #expect(ContinuousClock.now - start < hangGuard)
    }

    @Test func serverHangingUpWithoutAnAnswerIsAReset() async throws {
        let server = try UnixHTTPTestServer(answersBeforeBody: true) { _ in .cutOff(.response(status: 200), afterBytes: 0) }
        try server.start()
        defer { server.stop() }
        let piece = [UInt8](repeating: 0x62, count: 64 * 1024)
        let request = HTTPRequest(method: "POST", path: "/build", streaming: .producer { write in
            for _ in 0..<1024 { try write(piece[...]) }
        })
        let error = await httpError { try await HTTPClient(endpoint: server.endpoint, timeout: .seconds(30)).send(request) }
        #expect(error?.kind == .reset)
        #expect(error?.isTransient == true)
        #expect(error?.detail.hasSuffix("bytes of the request were sent") == true)
    }

    @Test func stalledUploadTimesOutWithoutProgress() async throws {
        let server = try UnixHTTPTestServer(answersBeforeBody: true) { _ in .stall }
        try server.start()
        defer { server.stop() }
        let piece = [UInt8](repeating: 0x63, count: 64 * 1024)
        let request = HTTPRequest(method: "POST", path: "/build", streaming: .producer { write in
            for _ in 0..<1024 { try write(piece[...]) }
        })
        let start = ContinuousClock.now
        let error = await httpError {
            try await HTTPClient(endpoint: server.endpoint, timeout: .milliseconds(300)).send(request)
        }
        #expect(ContinuousClock.now - start < hangGuard)
        #expect(error?.kind == .timeout)
        #expect(error?.detail == "timed out after 300ms without progress sending the request")
    }

    @Test func cancellingAStreamedUploadEndsPromptly() async throws {
        let server = try UnixHTTPTestServer(answersBeforeBody: true) { _ in .stall }
        try server.start()
        defer { server.stop() }
        let writes = Counter()
        let piece = [UInt8](repeating: 0x64, count: 64 * 1024)
        let client = HTTPClient(endpoint: server.endpoint)
        let task = Task {
            try await client.send(HTTPRequest(method: "POST", path: "/build", streaming: .producer { write in
                for _ in 0..<1024 {
                    try write(piece[...])
                    writes.increment()
                }
            }))
        }
        // Socket buffers fill after a few writes; the client then waits for the server to read.
        #expect(await eventually { server.requests.count == 1 && writes.count > 0 })
        // A moment for the client to block in write(2); a cancel before that must end it too.
        try await ScenarioTime.pass(.milliseconds(50))
        let start = ContinuousClock.now
        task.cancel()
        let result = await task.result
        #expect(ContinuousClock.now - start < hangGuard)
        guard case .failure(let error as HTTPError) = result else {
            Issue.record("expected cancellation, got \(result)")
            return
        }
        #expect(error.kind == .cancelled)
        #expect(writes.count < 1024)
        #expect(await eventually { server.openConnections == 0 })
    }

    @Test func streamedRequestWithStreamedResponse() async throws {
        // Like POST /build: the server reads the whole context, then reports progress line by line.
        let gate = HTTPTestGate(timeout: hangGuard)
        defer { gate.open() }
        try await withServer({ request in
            let lines = request.bodyText.split(separator: "\n").map { HTTPServerChunk("echo \($0)\n") }
            return .chunked(status: 200, headers: [("Content-Type", "application/json")],
                            chunks: [lines[0]] + [HTTPServerChunk(bytes: [], after: gate)] + lines.dropFirst())
        }) { server in
            let request = HTTPRequest(method: "POST", path: "/build", headers: [("Content-Type", "application/x-tar")],
                                      streaming: .producer { write in
                for index in 0..<50 { try write(ArraySlice("step \(index)\n".utf8)) }
            })
            let stream = try await HTTPClient(endpoint: server.endpoint).stream(request)
            #expect(stream.status == 200)
            var lines = stream.lines.makeAsyncIterator()
            #expect(try await lines.next()?.text == "echo step 0")
            #expect(!gate.timedOut)
            gate.open()
            var rest: [String] = []
            while let line = try await lines.next() { rest.append(line.text) }
            #expect(rest == (1..<50).map { "echo step \($0)" })
            #expect(server.requests.first?.chunkCount == 50)
        }
    }

    @Test func bodyPropertyStaysTheInMemoryBody() {
        var request = HTTPRequest(method: "POST", path: "/containers/create", body: [1, 2])
        #expect(request.body == [1, 2])
        request.body = [3]
        guard case .bytes(let bytes)? = request.bodySource else {
            Issue.record("expected bytes, got \(String(describing: request.bodySource))")
            return
        }
        #expect(bytes == [3])
        request.bodySource = .file(path: "/tmp/context.tar")
        #expect(request.body == nil)
        request.body = nil
        #expect(request.bodySource == nil)
    }
}

@Suite struct HTTPTestChecksumTests {
    @Test func checksumDoesNotDependOnHowTheBytesAreSplit() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var whole = HTTPTestChecksum()
        whole.update(bytes)
        var split = HTTPTestChecksum()
        for cut in stride(from: 0, to: bytes.count, by: 13) { split.update(bytes[cut..<min(cut + 13, bytes.count)]) }
        #expect(split == whole)
        #expect(split.value == whole.value)
        var changed = bytes
        changed[500] ^= 1
        var other = HTTPTestChecksum()
        other.update(changed)
        #expect(other.value != whole.value)
        var longer = HTTPTestChecksum()
        longer.update(bytes + [0])
        #expect(longer.value != whole.value)
    }
}
