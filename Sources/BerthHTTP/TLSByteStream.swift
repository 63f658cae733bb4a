import COpenSSL
import Glibc

/// A `ByteStream` speaking TLS over a connected `SocketByteStream`.
///
/// OpenSSL reads and writes memory BIOs only; this type moves the ciphertext between them
/// and the socket. So every wait happens in the socket's `poll()`, and the deadline, the
/// idle timeout and `close()` from another thread work exactly as they do for plain TCP.
///
/// `@unchecked Sendable`: the `SSL*` and its BIOs are touched only inside `state`'s lock,
/// and never while blocking on the socket (OpenSSL calls on memory BIOs do not block).
/// `close()` goes to the socket alone, which wakes the I/O thread; the `SSL*` is freed in
/// `deinit`, when no thread can be using it.
final class TLSByteStream: ConnectionStream, @unchecked Sendable {
    /// Ciphertext to send and plaintext already decrypted, carried between calls.
    struct Buffers {
        var unsent: [UInt8] = []
        var received: [UInt8] = []
    }

    /// Where a failure happened, which decides how it is reported.
    enum Phase {
        case handshake, reading, writing
    }

    let socket: SocketByteStream
    let settings: TLSSettings
    /// The name the certificate must carry: the server name override or the host.
    let checkedName: String
    let endpoint: String
    private let ssl: OpaquePointer
    private let context: TLSContext
    private let state = Locked(Buffers())

    /// The largest plaintext handed to one `SSL_write`: one TLS record.
    private static let recordSize = 16 * 1024

    init(socket: SocketByteStream, context: TLSContext, host: String) throws(HTTPError) {
        self.socket = socket
        self.context = context
        settings = context.settings
        endpoint = socket.endpoint.description
        checkedName = settings.serverName ?? host
        guard let ssl = SSL_new(context.pointer) else {
            throw HTTPError(.invalidEndpoint, endpoint: endpoint, detail: "cannot create a TLS session" + TLSContext.queuedReason())
        }
        self.ssl = ssl
        // SSL_set_bio hands both BIOs to the session: SSL_free frees them.
        SSL_set_bio(ssl, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()))
        SSL_set_connect_state(ssl)
        let isAddress = TLSByteStream.isIPAddress(checkedName)
        if !settings.insecureSkipVerify {
            let parameters = SSL_get0_param(ssl)
            if isAddress {
                X509_VERIFY_PARAM_set1_ip_asc(parameters, checkedName)
            } else {
                X509_VERIFY_PARAM_set_hostflags(parameters, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
                X509_VERIFY_PARAM_set1_host(parameters, checkedName, 0)
            }
        }
        // SNI carries host names only (RFC 6066); an address is never sent.
        if !isAddress { _ = berth_SSL_set_tlsext_host_name(ssl, checkedName) }
    }

    deinit {
        SSL_free(ssl)
    }

    func setLimits(deadline: ContinuousClock.Instant?, idleTimeout: Duration?) {
        socket.setLimits(deadline: deadline, idleTimeout: idleTimeout)
    }

    /// Connects the socket and completes the handshake, both within `timeout`.
    func connect(timeout: Duration) throws(HTTPError) {
        let deadline = ContinuousClock.now + timeout
        try socket.connect(timeout: timeout)
        socket.setLimits(deadline: deadline, idleTimeout: nil)
        do throws(HTTPError) {
            _ = try drive(.handshake) { SSL_connect($0) }
        } catch where error.kind == .timeout {
            throw HTTPError(.connect, endpoint: endpoint, detail: "timed out after \(describe(timeout)) in the TLS handshake")
        }
    }

    func write(_ bytes: [UInt8]) throws(HTTPError) {
        _ = try bytes.withUnsafeBytes { raw in
            Result { () throws(HTTPError) -> Int in try write(raw, stopWhenReadable: false) }
        }.get()
    }

    /// Encrypts and sends `bytes` a record at a time. With `stopWhenReadable`, returns early
    /// once the server has sent application data (kept for the next `read`); plaintext
    /// counted as written may still wait as ciphertext, sent before anything else.
    func write(_ bytes: UnsafeRawBufferPointer, stopWhenReadable: Bool) throws(HTTPError) -> Int {
        guard try flush(stopWhenReadable: stopWhenReadable) else { return 0 }
        var offset = 0
        while offset < bytes.count {
            let piece = min(TLSByteStream.recordSize, bytes.count - offset)
            let start = bytes.baseAddress! + offset
            let count = try drive(.writing) { SSL_write($0, start, Int32(piece)) }
            if count == 0 { throw HTTPError(.reset, endpoint: endpoint, detail: "the server closed the TLS session") }
            offset += count
            guard try flush(stopWhenReadable: stopWhenReadable) else { return offset }
        }
        return offset
    }

    func read(into buffer: inout [UInt8], max: Int) throws(HTTPError) -> Int {
        let early = state.withLock { s in
            let taken = s.received.prefix(max)
            s.received.removeFirst(taken.count)
            return taken
        }
        if !early.isEmpty {
            buffer.append(contentsOf: early)
            return early.count
        }
        var scratch = [UInt8](repeating: 0, count: max)
        let count = try scratch.withUnsafeMutableBytes { raw in
            Result { () throws(HTTPError) -> Int in
                try drive(.reading) { SSL_read($0, raw.baseAddress!, Int32(clamping: raw.count)) }
            }
        }.get()
        buffer.append(contentsOf: scratch[0..<count])
        return count
    }

    func close() {
        socket.close()
    }

    // MARK: - Moving ciphertext

    /// Calls `operation` until it succeeds, feeding it what the server sends and sending
    /// what it produces. Returns its result, or 0 when the server ended the session.
    private func drive(_ phase: Phase, _ operation: (OpaquePointer) -> Int32) throws(HTTPError) -> Int {
        while true {
            let outcome = call(operation)
            switch phase {
            case .handshake where outcome.result > 0 || outcome.isWaiting:
                _ = try flush(stopWhenReadable: false)
            case .writing where outcome.result <= 0 && outcome.produced:
                // A record written goes out in `write`, which may stop early; anything else now.
                _ = try flush(stopWhenReadable: false)
            case .reading where outcome.produced:
                // Rare (a key update): sent best effort, since a read must still return what
                // arrived when the server has stopped reading a request it answered early.
                _ = try? flush(stopWhenReadable: false)
            default:
                break
            }
            if outcome.result > 0 { return Int(outcome.result) }
            switch outcome.error {
            case SSL_ERROR_WANT_READ:
                guard try receive() else {
                    if phase == .handshake {
                        throw HTTPError(.connect, endpoint: endpoint, detail: "the server closed the connection during the TLS handshake")
                    }
                    // A peer that hangs up without close_notify ends the stream as on plain TCP:
                    // HTTP's own framing tells a cut-off body from a complete one.
                    return 0
                }
            case SSL_ERROR_WANT_WRITE:
                continue
            case SSL_ERROR_ZERO_RETURN:
                return 0
            default:
                // Best effort: tell the server why (OpenSSL queued an alert), then report.
                _ = try? flush(stopWhenReadable: false)
                throw failure(outcome, phase: phase)
            }
        }
    }

    /// Runs one OpenSSL call under the lock, collecting its error and the ciphertext it produced.
    private func call(_ operation: (OpaquePointer) -> Int32) -> TLSOutcome {
        state.withLock { s in
            ERR_clear_error()
            let result = operation(ssl)
            var outcome = TLSOutcome(result: result, error: result > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl, result))
            if outcome.error == SSL_ERROR_SSL || outcome.error == SSL_ERROR_SYSCALL {
                outcome.collect(from: ssl)
            }
            ERR_clear_error()
            let output = SSL_get_wbio(ssl)
            let pending = Int(BIO_ctrl_pending(output))
            if pending > 0 {
                let produced = [UInt8](unsafeUninitializedCapacity: pending) { raw, count in
                    count = Int(max(BIO_read(output, raw.baseAddress, Int32(pending)), 0))
                }
                s.unsent.append(contentsOf: produced)
                outcome.produced = true
            }
            return outcome
        }
    }

    /// Sends the ciphertext waiting in `unsent`. With `stopWhenReadable`, returns false once
    /// the server has sent application data; TLS housekeeping (TLS 1.3 session tickets
    /// arrive right after the handshake) is consumed and sending goes on.
    private func flush(stopWhenReadable: Bool) throws(HTTPError) -> Bool {
        while true {
            let pending = state.withLock { s in
                defer { s.unsent.removeAll() }
                return s.unsent
            }
            if pending.isEmpty { return true }
            let sent = try pending.withUnsafeBytes { raw in
                Result { () throws(HTTPError) -> Int in try socket.write(raw, stopWhenReadable: stopWhenReadable) }
            }.get()
            if sent == pending.count { return true }
            state.withLock { $0.unsent.insert(contentsOf: pending[sent...], at: 0) }
            if try serverSentData() { return false }
        }
    }

    /// Reads what the server sent while a request was going out and decrypts it: true when
    /// that includes application data (kept for `read`) or the end of the connection.
    private func serverSentData() throws(HTTPError) -> Bool {
        guard try receive() else { return true }
        var scratch = [UInt8](repeating: 0, count: TLSByteStream.recordSize)
        let outcome = scratch.withUnsafeMutableBytes { raw in
            call { SSL_read($0, raw.baseAddress!, Int32(raw.count)) }
        }
        if outcome.result > 0 {
            state.withLock { $0.received.append(contentsOf: scratch[0..<Int(outcome.result)]) }
            return true
        }
        switch outcome.error {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return false
        case SSL_ERROR_ZERO_RETURN: return true
        default: throw failure(outcome, phase: .writing)
        }
    }

    /// Reads what the socket has into OpenSSL's input; false at the end of the connection.
    private func receive() throws(HTTPError) -> Bool {
        var bytes: [UInt8] = []
        let count = try socket.read(into: &bytes, max: 64 * 1024)
        state.withLock { _ in
            let input = SSL_get_rbio(ssl)
            if count == 0 {
                _ = berth_BIO_set_mem_eof_return(input, 0)
            } else {
                _ = bytes.withUnsafeBytes { BIO_write(input, $0.baseAddress!, Int32(count)) }
            }
        }
        return count > 0
    }

    private static func isIPAddress(_ text: String) -> Bool {
        var scratch = in6_addr()
        return inet_pton(AF_INET, text, &scratch) == 1 || inet_pton(AF_INET6, text, &scratch) == 1
    }
}
