import BerthDocker
import Testing

/// Docker's 8-byte frame header taken apart, whatever the network's cuts.
@Suite("Log demultiplexing")
struct LogDemultiplexerTests {
    static func frame(_ stream: UInt8, _ text: String) -> [UInt8] {
        let payload = Array(text.utf8)
        let size = UInt32(payload.count)
        return [stream, 0, 0, 0, UInt8(size >> 24), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)] + payload
    }

    let bytes = frame(1, "one\ntw") + frame(2, "err\n") + frame(1, "o\r\nthree")

    @Test func framesBecomeLinesPerStream() {
        var decoder = LogDemultiplexer()
        let lines = decoder.feed(bytes) + decoder.finish()
        #expect(lines == [
            .init(stream: .stdout, text: "one"), .init(stream: .stderr, text: "err"),
            .init(stream: .stdout, text: "two"), .init(stream: .stdout, text: "three"),
        ])
    }

    /// Cut at every byte: a header or a payload split across reads gives the same lines.
    @Test func anyCutGivesTheSameLines() {
        var whole = LogDemultiplexer()
        let expected = whole.feed(bytes) + whole.finish()
        for cut in 0...bytes.count {
            var decoder = LogDemultiplexer()
            let lines = decoder.feed(Array(bytes[..<cut])) + decoder.feed(Array(bytes[cut...])) + decoder.finish()
            #expect(lines == expected, "cut at \(cut)")
        }
        var byteByByte = LogDemultiplexer()
        #expect(bytes.flatMap { byteByByte.feed([$0]) } + byteByByte.finish() == expected)
    }

    @Test func ttyLogsAreRaw() {
        var decoder = LogDemultiplexer(raw: true)
        #expect(decoder.feed(Array("a\nb".utf8)) == [.init(stream: .stdout, text: "a")])
        #expect(decoder.finish() == [.init(stream: .stdout, text: "b")])
    }
}
