import BerthHTTP
import BerthModel

/// Docker's multiplexed log stream, taken apart: each frame is an 8-byte header (the stream,
/// 1 stdout or 2 stderr, three zero bytes, the payload's length as a big-endian UInt32) and
/// the payload. Frames do not follow lines, and the network does not follow frames, so the
/// decoder keeps what is incomplete until the next piece arrives.
public struct LogDemultiplexer: Sendable {
    public enum Stream: Sendable, Equatable { case stdout, stderr }

    /// One complete line, without its line break.
    public struct Line: Sendable, Equatable {
        public var stream: Stream
        public var text: String
        public init(stream: Stream, text: String) { self.stream = stream; self.text = text }
    }

    /// Bytes not yet a whole frame.
    private var pending: [UInt8] = []
    /// Per stream, text not yet ended by a line break.
    private var partial: [Stream: [UInt8]] = [:]
    /// A TTY container's logs are the raw bytes, all stdout, without frames.
    private let raw: Bool

    public init(raw: Bool = false) { self.raw = raw }

    /// Feeds the next piece of the stream and returns the lines it completes.
    public mutating func feed(_ bytes: [UInt8]) -> [Line] {
        if raw { return split(bytes, .stdout) }
        pending += bytes
        var lines: [Line] = []
        var offset = 0
        while pending.count - offset >= 8 {
            let size = Int(pending[offset + 4]) << 24 | Int(pending[offset + 5]) << 16 | Int(pending[offset + 6]) << 8 | Int(pending[offset + 7])
            guard pending.count - offset - 8 >= size else { break }
            // 0 is stdin (never sent for logs); anything but 2 is shown as stdout.
            let stream: Stream = pending[offset] == 2 ? .stderr : .stdout
            lines += split(Array(pending[(offset + 8)..<(offset + 8 + size)]), stream)
            offset += 8 + size
        }
        pending.removeFirst(offset)
        return lines
    }

    /// What is left at the end of the stream: the last lines that had no line break.
    public mutating func finish() -> [Line] {
        var lines: [Line] = []
        for stream in [Stream.stdout, .stderr] {
            if let rest = partial[stream], !rest.isEmpty { lines.append(Line(stream: stream, text: String(decoding: rest, as: UTF8.self))) }
        }
        partial = [:]
        return lines
    }

    private mutating func split(_ bytes: [UInt8], _ stream: Stream) -> [Line] {
        var buffer = partial[stream] ?? []
        var lines: [Line] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if buffer.last == UInt8(ascii: "\r") { buffer.removeLast() }
                lines.append(Line(stream: stream, text: String(decoding: buffer, as: UTF8.self)))
                buffer.removeAll(keepingCapacity: true)
            } else {
                buffer.append(byte)
            }
        }
        partial[stream] = buffer
        return lines
    }
}

extension DockerClient {
    /// A container's or a service's logs (`path`: /containers/ID/logs?… or
    /// /services/ID/logs?…) as they arrive, in pieces of the multiplexed stream.
    public func logChunks(_ path: String, doing: String) async throws -> (AsyncThrowingStream<[UInt8], Error>, cancel: @Sendable () -> Void) {
        let stream = try await stream(path, doing: doing)
        return (stream.chunks, { stream.cancel() })
    }
}
