import Dispatch
import Glibc

/// SIGTERM, SIGINT and SIGHUP as an async stream, for a daemon's run loop. The default
/// action is switched off first, so the signal is delivered here and nowhere else.
// Dispatch sources are thread-safe but not marked Sendable; they are only cancelled in deinit.
public final class Signals: @unchecked Sendable {
    public enum Kind: Sendable, Equatable { case terminate, interrupt, hangup }

    private let sources: [any DispatchSourceSignal]
    public let received: AsyncStream<Kind>

    public init() {
        let (stream, continuation) = AsyncStream<Kind>.makeStream()
        received = stream
        var sources: [any DispatchSourceSignal] = []
        for (number, kind) in [(SIGTERM, Kind.terminate), (SIGINT, .interrupt), (SIGHUP, .hangup)] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(kind) }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    deinit { for source in sources { source.cancel() } }
}
