import Foundation
import Glibc

/// One client connection of a `FaultProxy`, on a thread of its own: reads the request head,
/// asks the schedule, then answers itself, holds, or forwards and cuts where the fault says.
final class FaultProxyConnection: @unchecked Sendable {
    let client: Int32
    let proxy: FaultProxy
    private var upstream: Int32 = -1

    init(client: Int32, proxy: FaultProxy) {
        self.client = client
        self.proxy = proxy
    }

    func run() {
        defer {
            if upstream >= 0 { proxy.release(upstream) }
            proxy.release(client)
        }
        guard var request = readHead(client) else { return }
        let head = RequestHead(request)
        let (fault, schedule) = proxy.decide(method: head.method, path: head.path)
        switch fault {
        case .http500, .http503:
            drainBody(head, buffered: &request)
            let status = fault == .http500 ? "500 Internal Server Error" : "503 Service Unavailable"
            let body = #"{"message":"fault proxy: injected \#(status) for \#(head.method) \#(head.path)"}"#
            let reply = "HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
                + "Connection: close\r\n\r\n" + body
            FaultSockets.writeAll(client, Array(reply.utf8))
        case .stall:
            hold(seconds: schedule.stallSeconds)
            FaultSockets.setAbortiveClose(client)
        case .staleVersion:
            forward(head.withStaleVersion(request), fault: nil, schedule: schedule)
        default:
            forward(request, fault: fault, schedule: schedule, events: head.path.contains("/events") ? head : nil)
        }
    }

    /// Reads until the end of the head; nil if the client goes away first.
    private func readHead(_ fd: Int32) -> [UInt8]? {
        var bytes: [UInt8] = []
        while bytes.headEnd() == nil {
            guard bytes.count < 1 << 20, FaultSockets.wait([fd], stop: proxy.stopRead, milliseconds: 30_000)?.isEmpty == false
            else { return nil }
            let piece = FaultSockets.read(fd)
            if piece.isEmpty { return nil }
            bytes += piece
        }
        return bytes
    }

    /// Reads the request body the proxy will not forward, so closing does not look like a
    /// reset to the client (a Unix socket closed with unread data resets its peer).
    private func drainBody(_ head: RequestHead, buffered: inout [UInt8]) {
        let deadline = proxy.now + 5
        while !head.bodyComplete(buffered), proxy.now < deadline {
            guard FaultSockets.wait([client], stop: proxy.stopRead, milliseconds: 1000)?.isEmpty == false else { continue }
            let piece = FaultSockets.read(client)
            if piece.isEmpty { return }
            buffered += piece
        }
    }

    /// Answers nothing until the client gives up, the proxy stops or `seconds` pass.
    private func hold(seconds: Double) {
        let deadline = proxy.now + seconds
        while proxy.now < deadline {
            guard let ready = FaultSockets.wait([client], stop: proxy.stopRead, milliseconds: 500) else { return }
            if ready.contains(client), FaultSockets.read(client).isEmpty { return }
        }
    }

    /// Sends `request` upstream and pumps both ways, cutting the response as `fault` says.
    /// `events`: the head of an event stream, which `FaultProxy.cutEventStreams()` can cut.
    private func forward(_ request: [UInt8], fault: FaultKind?, schedule: FaultSchedule, events: RequestHead? = nil) {
        let cuts = proxy.cuts
        upstream = FaultSockets.connect(path: proxy.upstreamPath)
        guard upstream >= 0, proxy.register(upstream) else {
            FaultSockets.writeAll(client, Array("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
            if upstream >= 0 { close(upstream); upstream = -1 }
            return
        }
        guard FaultSockets.writeAll(upstream, request) else { return }
        var cutter = ResponseCutter(fault: fault, schedule: schedule, started: proxy.now)
        var clientOpen = true
        while true {
            let timeout: Int32 = fault == .cutEvents || events != nil ? 200 : -1
            let watched = clientOpen ? [client, upstream] : [upstream]
            guard let ready = FaultSockets.wait(watched, stop: proxy.stopRead, milliseconds: timeout) else { return }
            if let events, proxy.cuts != cuts {
                proxy.logCut(method: events.method, path: events.path)
                FaultSockets.setAbortiveClose(client)
                return
            }
            if ready.contains(client) {
                // The rest of the request body, byte for byte; a client that is done writing
                // simply stops being watched (a half-close would make the engine drop the request).
                let piece = FaultSockets.read(client)
                if piece.isEmpty { clientOpen = false } else if !FaultSockets.writeAll(upstream, piece) { return }
            }
            var piece: [UInt8] = []
            if ready.contains(upstream) {
                piece = FaultSockets.read(upstream)
                if piece.isEmpty { return }
            }
            switch cutter.pass(piece, now: proxy.now) {
            case .forward(let bytes):
                if !FaultSockets.writeAll(client, bytes) { return }
            case .cut(let bytes):
                FaultSockets.writeAll(client, bytes)
                FaultSockets.setAbortiveClose(client)
                return
            }
        }
    }
}

/// What the proxy parses of a request head: method, path, and how the body is framed.
struct RequestHead {
    var method = ""
    var path = ""
    var contentLength = 0
    var chunked = false
    var headLength = 0

    init(_ bytes: [UInt8]) {
        headLength = bytes.headEnd() ?? bytes.count
        let text = String(decoding: bytes[0..<headLength], as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        let first = lines.first?.split(separator: " ") ?? []
        if first.count >= 2 { method = String(first[0]); path = String(first[1]) }
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let name = parts[0].lowercased(), value = parts[1].trimmingCharacters(in: .whitespaces)
            if name == "content-length" { contentLength = Int(value) ?? 0 }
            if name == "transfer-encoding" && value.lowercased().contains("chunked") { chunked = true }
        }
    }

    func bodyComplete(_ buffered: [UInt8]) -> Bool {
        let body = buffered.count - headLength
        if chunked { return String(decoding: buffered[headLength...], as: UTF8.self).hasSuffix("0\r\n\r\n") }
        return body >= contentLength
    }

    /// The request with `version=N` in its query turned into `version=N-1`.
    func withStaleVersion(_ request: [UInt8]) -> [UInt8] {
        guard let range = path.range(of: #"version=\d+"#, options: .regularExpression),
              let version = Int(path[range].dropFirst("version=".count)), version > 0 else { return request }
        let stale = path.replacingCharacters(in: range, with: "version=\(version - 1)")
        let line = "\(method) \(path) "
        let text = String(decoding: request, as: UTF8.self)
        guard text.hasPrefix(line) else { return request }
        return Array("\(method) \(stale) ".utf8) + Array(request[line.utf8.count...])
    }
}
