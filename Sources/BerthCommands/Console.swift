import BerthModel
import BerthSystem
import FoundationEssentials
import Glibc

/// Where commands write. The live one goes to stdout/stderr; tests capture.
public final class Console: @unchecked Sendable {
    private let lock = ThreadLock()
    private let sink: (@Sendable (_ isError: Bool, _ text: String) -> Void)?
    private var captured: [(Bool, String)] = []
    /// What the command reads from stdin (`berth seal` without a VALUE).
    let input: @Sendable () throws -> [UInt8]
    /// Whether stdin is a terminal (a person typing), for a hint on stderr.
    let inputIsTerminal: Bool

    /// Writes to the process's stdout and stderr.
    public static func live() -> Console {
        Console(sink: { isError, text in
            FileSystem.writeAll(isError ? 2 : 1, Array(text.utf8))
        }, input: { try FileSystem.readToEnd(0, name: "stdin") }, inputIsTerminal: isatty(0) == 1)
    }

    /// Keeps everything for inspection; `input` is what stdin holds.
    public static func capturing(input: String = "") -> Console {
        Console(sink: nil, input: { Array(input.utf8) }, inputIsTerminal: false)
    }

    init(sink: (@Sendable (Bool, String) -> Void)?, input: @escaping @Sendable () throws -> [UInt8] = { [] }, inputIsTerminal: Bool = false) {
        self.sink = sink; self.input = input; self.inputIsTerminal = inputIsTerminal
    }

    /// Control characters (escape sequences, carriage returns) from specs, files or engines
    /// are written escaped, whichever command shows them; newlines stay.
    public func out(_ line: String) { emit(false, Printable.lines(line) + "\n") }
    public func err(_ line: String) { emit(true, Printable.lines(line) + "\n") }

    private func emit(_ isError: Bool, _ text: String) {
        lock.lock(); defer { lock.unlock() }
        if let sink { sink(isError, text) } else { captured.append((isError, text)) }
    }

    public var stdout: String { lock.lock(); defer { lock.unlock() }; return captured.filter { !$0.0 }.map(\.1).joined() }
    public var stderr: String { lock.lock(); defer { lock.unlock() }; return captured.filter { $0.0 }.map(\.1).joined() }
}
