import Foundation
import Glibc

/// Serves one accepted connection of `UnixHTTPTestServer`: reads the request, asks the
/// handler, and carries out the reply's steps. Runs on a thread of its own.
struct TestServerConnection {
    let fd: Int32
    let isTCP: Bool
    let core: TestServerCore
    /// Set on the TCP side of a TLS server: the handshake happens on the connection's thread.
    var tlsContext: TestServerTLSContext?

    /// A request head larger than this is a broken client; tests never send one.
    private static let maximumHeadBytes = 1 << 20

    func run() {
        var reset = false
        defer { finish(reset: reset) }
        // A client that connects and never writes must not pin the thread forever.
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var io = Transport(fd: fd, tls: nil)
        if let tlsContext {
            guard let session = TestServerTLSSession(context: tlsContext, fd: fd) else { return }
            io.tls = session
        }
        serve(io, reset: &reset)
    }

    private func serve(_ io: Transport, reset: inout Bool) {
        guard let request = readRequest(io) else { return }
        core.record(request)
        for step in core.handler(request).steps {
            switch step {
            case .pause(let delay, let gate):
                guard pause(delay, gate: gate, io: io) else { return }
            case .write(let bytes):
                guard io.send(bytes) else { return }
            case .stall:
                _ = pause(nil, gate: nil, io: io)
                return
            case .close:
                return
            case .reset:
                reset = true
                return
            case .stream(let produce):
                let writer = HTTPServerStreamWriter(write: { io.send($0) }, wait: { pause($0, gate: nil, io: io) })
                produce(writer)
                if !writer.isClosed { _ = io.send(Array("0\r\n\r\n".utf8)) }
                return
            }
        }
    }

    private func finish(reset: Bool) {
        if reset && isTCP {
            // Linger with a zero timeout makes close() send RST instead of FIN.
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        }
        core.closeConnection(fd)
    }

    private func readRequest(_ io: Transport) -> HTTPServerRequest? {
        let receive = io.receive
        var buffer: [UInt8] = []
        let separator = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            guard receive(&buffer), buffer.count < Self.maximumHeadBytes else { return nil }
            headEnd = buffer.firstRange(of: separator)?.lowerBound
        }
        let head = String(decoding: buffer[..<headEnd!], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3 else { return nil }
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.append((String(line[..<colon]), value))
        }
        var request = HTTPServerRequest(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers)
        var body = BodyInput(buffer: buffer, start: headEnd! + separator.count, stores: core.storesBodies)
        if core.answersBeforeBody {
            body.takeBuffered()
            request.bodyComplete = false
        } else if request.header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
            guard readChunked(into: &body, request: &request, receive: receive) else { return nil }
        } else {
            let length = request.header("Content-Length").flatMap { Int($0) } ?? 0
            guard body.take(length, refill: receive) else { return nil }
        }
        request.body = body.stored
        request.bodyCount = body.count
        request.bodyChecksum = body.checksum.value
        return request
    }

    /// De-chunks a chunked body (chunk extensions and trailer fields are ignored).
    private func readChunked(into body: inout BodyInput, request: inout HTTPServerRequest,
                             receive: (inout [UInt8]) -> Bool) -> Bool {
        while true {
            guard let line = body.line(refill: receive) else { return false }
            let sizeText = line.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard let size = Int(sizeText, radix: 16), size >= 0 else { return false }
            if size == 0 {
                while true {
                    guard let trailer = body.line(refill: receive) else { return false }
                    if trailer.isEmpty { return true }
                }
            }
            request.chunkCount += 1
            guard body.take(size, refill: receive), let end = body.line(refill: receive), end.isEmpty else { return false }
        }
    }

    /// Waits out `delay` and then `gate`, watching the client: false when it left or the
    /// server is stopping, so the thread ends with the connection. Nil delay waits for that.
    /// Reads and drops what the client sends meanwhile, unless the server answers before
    /// the body (then the body is left unread, as such a server would).
    private func pause(_ delay: Duration?, gate: HTTPTestGate?, io: Transport) -> Bool {
        let start = ContinuousClock.now
        while true {
            if core.isStopped { return false }
            let elapsed = ContinuousClock.now - start
            if let delay, elapsed >= delay {
                guard let gate else { return true }
                if gate.isOpen { return true }
                if elapsed >= delay + gate.timeout {
                    gate.markTimedOut()
                    return true
                }
            }
            if core.answersBeforeBody {
                // The request body stays unread (a server that answered early): watch for the
                // client hanging up without draining what it sends.
                let pollRDHUP: Int16 = 0x2000  // POLLRDHUP, which Glibc only exports under _GNU_SOURCE
                var watch = pollfd(fd: fd, events: pollRDHUP, revents: 0)
                if poll(&watch, 1, 5) > 0 { return false }
                continue
            }
            if let tls = io.tls {
                var watch = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                if tls.hasPending || poll(&watch, 1, 5) > 0 {
                    var dropped: [UInt8] = []
                    if !tls.receive(into: &dropped) { return false }
                }
                continue
            }
            var watch = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&watch, 1, 5) > 0 {
                var scratch = [UInt8](repeating: 0, count: 4096)
                let count = recv(fd, &scratch, scratch.count, Int32(MSG_DONTWAIT))
                if count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR) { return false }
            }
        }
    }
}

/// Reads and writes of one connection: plain on the descriptor, or through its TLS session.
/// Used only by the thread serving its connection (a streamed reply writes from that thread too).
struct Transport: @unchecked Sendable {
    let fd: Int32
    var tls: TestServerTLSSession?

    /// Appends what arrives to `buffer`; false when the client closed or went quiet.
    func receive(into buffer: inout [UInt8]) -> Bool {
        if let tls { return tls.receive(into: &buffer) }
        var scratch = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(fd, &scratch, scratch.count, 0)
            if count > 0 {
                buffer.append(contentsOf: scratch[0..<count])
                return true
            }
            if count < 0 && errno == EINTR { continue }
            return false
        }
    }

    func send(_ bytes: [UInt8]) -> Bool {
        if let tls { return tls.send(bytes) }
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += sent
        }
        return true
    }
}

/// The part of a request after its head: what has arrived but is not consumed yet, and
/// the body bytes taken so far (stored or only counted and checksummed).
struct BodyInput {
    private var buffer: [UInt8]
    private var start: Int
    let stores: Bool
    private(set) var stored: [UInt8] = []
    private(set) var count = 0
    private(set) var checksum = HTTPTestChecksum()

    init(buffer: [UInt8], start: Int, stores: Bool) {
        self.buffer = buffer
        self.start = start
        self.stores = stores
    }

    /// Takes whatever arrived along with the head as body, without reading more.
    mutating func takeBuffered() {
        consume(buffer.count - start)
    }

    /// Takes `length` body bytes, reading more as needed; false if the client stopped first.
    mutating func take(_ length: Int, refill: (inout [UInt8]) -> Bool) -> Bool {
        var left = length
        while left > 0 {
            if start == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                start = 0
                guard refill(&buffer) else { return false }
            }
            let piece = min(left, buffer.count - start)
            consume(piece)
            left -= piece
        }
        return true
    }

    /// The next CRLF-terminated line, without the CRLF; nil if the client stopped first.
    mutating func line(refill: (inout [UInt8]) -> Bool) -> String? {
        while true {
            if let end = buffer[start...].firstRange(of: [13, 10]) {
                let text = String(decoding: buffer[start..<end.lowerBound], as: UTF8.self)
                start = end.upperBound
                return text
            }
            if buffer.count - start > 4096 { return nil }
            if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            guard refill(&buffer) else { return nil }
        }
    }

    private mutating func consume(_ length: Int) {
        let piece = buffer[start..<(start + length)]
        checksum.update(piece)
        if stores { stored.append(contentsOf: piece) }
        count += length
        start += length
    }
}
