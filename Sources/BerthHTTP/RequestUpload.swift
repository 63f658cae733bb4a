import Glibc

/// A request body opened on the I/O thread and ready to go onto the wire: a file is
/// opened (and sized) before connecting, so a missing file never reaches the server.
struct OutgoingBody {
    private enum Source {
        case none
        case bytes([UInt8])
        case file(fd: Int32, path: String, size: Int?)
        case producer(@Sendable (_ write: (ArraySlice<UInt8>) throws -> Void) throws -> Void, declared: Int?)
    }

    static let pieceSize = 64 * 1024

    private var source: Source
    let framing: HTTPRequest.BodyFraming
    private let endpoint: String

    init(_ request: HTTPRequest, endpoint: HTTPEndpoint) throws(HTTPError) {
        self.endpoint = endpoint.description
        let octets = "application/octet-stream"
        switch request.bodySource {
        case nil:
            source = .none
            framing = .none
        case .bytes(let bytes)?:
            source = .bytes(bytes)
            framing = .length(bytes.count, defaultType: "application/json")
        case .file(let path)?:
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            if fd < 0 {
                throw HTTPError(.requestBody, endpoint: endpoint.description, detail: "cannot open \(path): \(errnoText(errno))")
            }
            var info = stat()
            if fstat(fd, &info) != 0 {
                let code = errno
                Glibc.close(fd)
                throw HTTPError(.requestBody, endpoint: endpoint.description, detail: "cannot stat \(path): \(errnoText(code))")
            }
            if info.st_mode & S_IFMT == S_IFREG {
                source = .file(fd: fd, path: path, size: Int(info.st_size))
                framing = .length(Int(info.st_size), defaultType: octets)
            } else {
                // A pipe or device has no size to announce: send it chunked until it ends.
                source = .file(fd: fd, path: path, size: nil)
                framing = .chunked(defaultType: octets)
            }
        case .producer(let produce)?:
            let declared = request.headers.first { $0.0.lowercased() == "content-length" }.map(\.1)
            if let declared {
                guard let count = Int(declared.trimmingSpaces), count >= 0 else {
                    throw HTTPError(.protocolError, endpoint: endpoint.description,
                                    detail: "Content-Length '\(declared)' is not a number")
                }
                source = .producer(produce, declared: count)
                framing = .length(count, defaultType: octets)
            } else {
                source = .producer(produce, declared: nil)
                framing = .chunked(defaultType: octets)
            }
        }
    }

    /// Whether sending may take long: limits then apply to progress, not to the whole send.
    var isStreamed: Bool {
        switch source {
        case .none, .bytes: return false
        case .file, .producer: return true
        }
    }

    /// Releases the file, if any. Call once.
    func close() {
        if case .file(let fd, _, _) = source { Glibc.close(fd) }
    }

    /// Writes the head and the body through `upload`. A failure of the connection throws
    /// what `upload` recorded; a failure of the source throws kind `.requestBody`.
    func send(head: [UInt8], through upload: inout RequestUpload) throws(HTTPError) {
        switch source {
        case .none:
            try upload.write(head)
        case .bytes(let bytes):
            try upload.write(head + bytes)
        case .file(let fd, let path, let size):
            try upload.write(head)
            try sendFile(fd: fd, path: path, size: size, through: &upload)
        case .producer(let produce, let declared):
            try upload.write(head)
            try sendProduced(produce, declared: declared, through: &upload)
        }
    }

    private func sendFile(fd: Int32, path: String, size: Int?, through upload: inout RequestUpload) throws(HTTPError) {
        var piece = [UInt8](repeating: 0, count: Self.pieceSize)
        var total = 0
        while true {
            let wanted = size.map { min(Self.pieceSize, $0 - total) } ?? Self.pieceSize
            if wanted == 0 { break }
            let count = piece.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, wanted) }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                throw HTTPError(.requestBody, endpoint: endpoint, detail: "cannot read \(path): \(errnoText(code))")
            }
            if count == 0 {
                guard let size else { break }
                throw HTTPError(.requestBody, endpoint: endpoint,
                                detail: "\(path) ended after \(total) of its \(size) bytes (it changed while being sent)")
            }
            total += count
            if size == nil {
                try upload.writeChunk(piece[0..<count])
            } else {
                try piece.withUnsafeBytes { raw in
                    Result { () throws(HTTPError) in try upload.write(UnsafeRawBufferPointer(rebasing: raw[0..<count])) }
                }.get()
            }
        }
        if size == nil { try upload.write(RequestUpload.lastChunk) }
    }

    private func sendProduced(
        _ produce: @Sendable (_ write: (ArraySlice<UInt8>) throws -> Void) throws -> Void,
        declared: Int?,
        through upload: inout RequestUpload
    ) throws(HTTPError) {
        var total = 0
        var overrun: HTTPError?
        let endpoint = self.endpoint
        do {
            try produce { piece in
                if piece.isEmpty { return }
                if let declared {
                    if total + piece.count > declared {
                        let error = HTTPError(.requestBody, endpoint: endpoint,
                                              detail: "the body producer wrote more than the \(declared) bytes of its Content-Length")
                        overrun = error
                        throw error
                    }
                    total += piece.count
                    try piece.withUnsafeBytes { raw in
                        Result { () throws(HTTPError) in try upload.write(raw) }
                    }.get()
                } else {
                    total += piece.count
                    try upload.writeChunk(piece)
                }
            }
        } catch {
            // The connection's own failure (or an early answer) comes first: the producer
            // most likely just passed on what `write` threw.
            if let failure = upload.failure { throw failure }
            if let overrun { throw overrun }
            throw HTTPError(.requestBody, endpoint: endpoint, detail: "the body producer failed: \(error)")
        }
        if let failure = upload.failure {
            // The producer swallowed the error `write` threw and returned.
            throw failure
        }
        if let declared {
            if total != declared {
                throw HTTPError(.requestBody, endpoint: endpoint,
                                detail: "the body producer wrote \(total) of the \(declared) bytes of its Content-Length")
            }
        } else {
            try upload.write(RequestUpload.lastChunk)
        }
    }
}

/// Writes a request onto a socket while watching for a server that answers before it has
/// read the whole body (Docker rejects a bad build or import with a 400 and hangs up).
/// Used from the request's I/O thread only.
struct RequestUpload {
    static let lastChunk = Array("0\r\n\r\n".utf8)

    let socket: any ConnectionStream
    var reader: HTTPResponseReader
    let method: String
    let endpoint: String
    /// Bytes of the request written so far, head included.
    private(set) var written = 0
    /// A response head that arrived while the request was still being written.
    private(set) var early: ResponseHead?
    /// Why writing stopped: the connection failed, or the server answered with an error early.
    private(set) var failure: HTTPError?
    private var frame: [UInt8] = []

    init(socket: any ConnectionStream, reader: HTTPResponseReader, method: String) {
        self.socket = socket
        self.reader = reader
        self.method = method
        endpoint = reader.endpoint
    }

    mutating func write(_ bytes: [UInt8]) throws(HTTPError) {
        try bytes.withUnsafeBytes { raw in
            Result { () throws(HTTPError) in try write(raw) }
        }.get()
    }

    /// Writes `piece` as one chunk of a chunked body (one system call for small pieces).
    mutating func writeChunk(_ piece: ArraySlice<UInt8>) throws(HTTPError) {
        guard !piece.isEmpty else { return }
        frame.removeAll(keepingCapacity: true)
        frame.append(contentsOf: String(piece.count, radix: 16).utf8)
        frame.append(13)
        frame.append(10)
        frame.append(contentsOf: piece)
        frame.append(13)
        frame.append(10)
        let bytes = frame
        try write(bytes)
    }

    /// Writes all of `raw`, or records why it cannot and throws that.
    mutating func write(_ raw: UnsafeRawBufferPointer) throws(HTTPError) {
        if let failure { throw failure }
        var offset = 0
        while offset < raw.count {
            do throws(HTTPError) {
                let count = try socket.write(UnsafeRawBufferPointer(rebasing: raw[offset...]), stopWhenReadable: early == nil)
                offset += count
                written += count
                if offset < raw.count {
                    // The server spoke before taking the whole request.
                    let head = try reader.readHead(method: method)
                    early = head
                    if head.status >= 300 {
                        failure = HTTPError(.reset, endpoint: endpoint, detail:
                            "the server answered \(head.status) before the whole request was sent")
                        throw failure!
                    }
                }
            } catch {
                if failure == nil { failure = explain(error) }
                throw failure!
            }
        }
    }

    /// A write failed: the peer may have hung up after answering (a 400 before reading the
    /// body), so look for that answer before reporting the lost connection.
    private mutating func explain(_ error: HTTPError) -> HTTPError {
        guard early == nil, error.kind == .reset else { return error }
        do throws(HTTPError) {
            early = try reader.readHead(method: method)
            return HTTPError(.reset, endpoint: endpoint, detail: "the server answered before the whole request was sent")
        } catch let answer where answer.kind == .tls {
            // The server refused the TLS session (a TLS 1.3 client certificate check) and hung up.
            return answer
        } catch _ {
            return HTTPError(.reset, endpoint: endpoint,
                             detail: "\(error.detail) after \(written) bytes of the request were sent")
        }
    }

    /// What to answer once the body is sent or sending stopped: a head that arrived early
    /// (then the caller returns it), nil when the head is still to be read, or the failure.
    mutating func send(head: [UInt8], body: OutgoingBody) throws(HTTPError) -> ResponseHead? {
        do throws(HTTPError) {
            try body.send(head: head, through: &self)
        } catch {
            if failure != nil, let early { return early }
            throw error
        }
        return early
    }
}
