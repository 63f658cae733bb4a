import BerthHTTP
import BerthTestSupport
import Foundation
import Testing

@Suite struct HTTPStreamTests {
    @Test func linesArriveWhileTheServerIsStillSending() async throws {
        let gate = HTTPTestGate(timeout: hangGuard)
        defer { gate.open() }
        let chunks = [HTTPServerChunk("{\"status\":\"start\"}\n"), HTTPServerChunk("{\"status\":\"die\"}\n", after: gate)]
        try await withServer({ _ in .chunked(status: 200, chunks: chunks) }) { server in
            let stream = try await HTTPClient(endpoint: server.endpoint).stream(HTTPRequest(method: "GET", path: "/events"))
            #expect(stream.status == 200)
            var lines = stream.lines.makeAsyncIterator()
            let first = try await lines.next()
            #expect(first?.text == #"{"status":"start"}"#)
            // The server is still waiting at the gate: line 1 came before the response ended.
            #expect(!gate.timedOut)
            gate.open()
            #expect(try await lines.next()?.text == #"{"status":"die"}"#)
            #expect(try await lines.next() == nil)
        }
    }

    @Test func linesAreReassembledAcrossChunkBoundaries() async throws {
        let chunks = ["{\"a\":", "1}\r\n{\"b\"", ":2}\n\n{\"c\":3}"].map { HTTPServerChunk($0, delay: .milliseconds(10)) }
        try await withServer({ _ in .chunked(status: 200, chunks: chunks) }) { server in
            let stream = try await HTTPClient(endpoint: server.endpoint).stream(HTTPRequest(method: "POST", path: "/images/create"))
            var received: [String] = []
            for try await line in stream.lines { received.append(line.text) }
            #expect(received == [#"{"a":1}"#, #"{"b":2}"#, #"{"c":3}"#])
        }
    }

    @Test func chunksCarryTheWholeBodyAndErrorStatusesStayReadable() async throws {
        try await withServer({ _ in .json(#"{"message":"pull access denied"}"#, status: 404) }) { server in
            let stream = try await HTTPClient(endpoint: server.endpoint).stream(HTTPRequest(method: "POST", path: "/images/create"))
            #expect(stream.status == 404)
            #expect(stream.headers["content-type"] == "application/json")
            var body: [UInt8] = []
            for try await chunk in stream.chunks { body += chunk }
            #expect(body.text == #"{"message":"pull access denied"}"#)
        }
    }

    @Test func cancellingTheConsumingTaskEndsTheStreamPromptly() async throws {
        // "two" is held until the test is done: a pause of any length could be outlasted
        let held = HTTPTestGate(timeout: hangGuard)
        let chunks = [HTTPServerChunk("one\n"), HTTPServerChunk("two\n", after: held)]
        try await withServer({ _ in .chunked(status: 200, chunks: chunks) }) { server in
            defer { held.open() }
            let stream = try await HTTPClient(endpoint: server.endpoint).stream(HTTPRequest(method: "GET", path: "/events"))
            let (firstLine, signal) = AsyncStream<String>.makeStream()
            let consumer = Task {
                var count = 0
                for try await line in stream.lines {
                    count += 1
                    signal.yield(line.text)
                }
                return count
            }
            var signals = firstLine.makeAsyncIterator()
            #expect(await signals.next() == "one")
            let start = ContinuousClock.now
            consumer.cancel()
            let count = try await consumer.value
            #expect(ContinuousClock.now - start < hangGuard)
            #expect(count == 1)
            #expect(await eventually { server.openConnections == 0 })
        }
    }

    @Test func cancelEndsAWaitingConsumerPromptly() async throws {
        // "two" is held until the test is done: a pause of any length could be outlasted
        let held = HTTPTestGate(timeout: hangGuard)
        let chunks = [HTTPServerChunk("one\n"), HTTPServerChunk("two\n", after: held)]
        try await withServer({ _ in .chunked(status: 200, chunks: chunks) }) { server in
            defer { held.open() }
            let stream = try await HTTPClient(endpoint: server.endpoint).stream(HTTPRequest(method: "GET", path: "/events"))
            var lines = stream.lines.makeAsyncIterator()
            #expect(try await lines.next()?.text == "one")
            Task {
                // A moment for the consumer to wait on the stream; a cancel before that must end it too.
                try await ScenarioTime.pass(.milliseconds(100))
                stream.cancel()
            }
            let start = ContinuousClock.now
            #expect(try await lines.next() == nil)
            #expect(ContinuousClock.now - start < hangGuard)
            #expect(await eventually { server.openConnections == 0 })
        }
    }

    @Test func idleTimeoutEndsASilentStreamWithAnError() async throws {
        // "two" is held until the test is done: a pause of any length could be outlasted
        let held = HTTPTestGate(timeout: hangGuard)
        let chunks = [HTTPServerChunk("one\n"), HTTPServerChunk("two\n", after: held)]
        try await withServer({ _ in .chunked(status: 200, chunks: chunks) }) { server in
            defer { held.open() }
            let client = HTTPClient(endpoint: server.endpoint)
            let stream = try await client.stream(HTTPRequest(method: "GET", path: "/events"), idleTimeout: .milliseconds(300))
            var received: [String] = []
            let start = ContinuousClock.now
            do {
                for try await line in stream.lines { received.append(line.text) }
                Issue.record("stream ended without an error")
            } catch let error as HTTPError {
                #expect(error.kind == .timeout)
                #expect(error.detail == "no data for 300ms on the stream")
            }
            #expect(received == ["one"])
            #expect(ContinuousClock.now - start < hangGuard)
        }
    }

    @Test func theBodyCanBeConsumedOnlyOnce() async throws {
        try await withServer({ _ in .text("once") }) { server in
            let stream = try await HTTPClient(endpoint: server.endpoint).stream(HTTPRequest(method: "GET", path: "/"))
            var body: [UInt8] = []
            for try await chunk in stream.chunks { body += chunk }
            #expect(body.text == "once")
            await #expect(throws: HTTPError.self) {
                for try await _ in stream.lines {}
            }
        }
    }
}
