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
    /// One line from stdin without its newline, nil at its end (apply's confirmation).
    let inputLine: @Sendable () -> String?
    /// Whether stdin is a terminal (a person typing), for a hint on stderr and apply's question.
    let inputIsTerminal: Bool
    /// Whether stdout and stderr are terminals: colour (with `--color auto`) and the one
    /// updating progress line need one.
    let outputIsTerminal: Bool
    let errorIsTerminal: Bool
    /// Whether plan text is coloured: decided once from `--color`, NO_COLOR and TERM.
    private var colored = false
    /// A progress line is shown without its newline, on stdout (true) or stderr (false): the
    /// next write clears it first.
    private var statusOn: Bool?

    /// Writes to the process's stdout and stderr.
    public static func live() -> Console {
        Console(sink: { isError, text in
            FileSystem.writeAll(isError ? 2 : 1, Array(text.utf8))
        }, input: { try FileSystem.readToEnd(0, name: "stdin") },
        inputLine: { readLine(strippingNewline: true) },
        inputIsTerminal: isatty(0) == 1, outputIsTerminal: isatty(1) == 1, errorIsTerminal: isatty(2) == 1)
    }

    /// Keeps everything for inspection; `input` is what stdin holds.
    public static func capturing(input: String = "") -> Console {
        let lines = LineQueue(input)
        return Console(sink: nil, input: { Array(input.utf8) }, inputLine: { lines.next() })
    }

    init(sink: (@Sendable (Bool, String) -> Void)?, input: @escaping @Sendable () throws -> [UInt8] = { [] },
         inputLine: @escaping @Sendable () -> String? = { nil },
         inputIsTerminal: Bool = false, outputIsTerminal: Bool = false, errorIsTerminal: Bool = false) {
        self.sink = sink; self.input = input; self.inputLine = inputLine; self.inputIsTerminal = inputIsTerminal
        self.outputIsTerminal = outputIsTerminal; self.errorIsTerminal = errorIsTerminal
    }

    /// Control characters (escape sequences, carriage returns) from specs, files or engines
    /// are written escaped, whichever command shows them; newlines stay.
    public func out(_ line: String) { emit(false, Printable.lines(line) + "\n") }
    public func err(_ line: String) { emit(true, Printable.lines(line) + "\n") }

    /// Plan text, escaped like `out`, then coloured by `Terminal.paint` when colour is on.
    func outPlan(_ text: String) {
        let safe = Printable.lines(text)
        emit(false, (color ? Terminal.paint(safe) : safe) + "\n")
    }

    /// `text` in `style` when colour is on (a failure in red), escaped like `err`.
    func err(_ text: String, style: Terminal.Style) {
        let safe = Printable.lines(text)
        emit(true, (color ? style.wrap(safe) : safe) + "\n")
    }

    /// A question on stdout without a newline, the answer typed after it.
    func ask(_ question: String) -> String? {
        emit(false, Printable.lines(question))
        return inputLine()
    }

    var color: Bool {
        get { lock.withLock { colored } }
        set { lock.withLock { colored = newValue } }
    }

    /// A long step's progress (a pull's layers, a build's steps, a rollout): on a terminal one
    /// line that each call overwrites, else one line each, as `err` (or `out` with `onStdout`).
    func status(_ line: String, onStdout: Bool = false) {
        guard onStdout ? outputIsTerminal : errorIsTerminal, sink != nil else {
            if onStdout { out(line) } else { err(line) }
            return
        }
        let safe = Printable.lines(line).replacingAll("\n", with: " ")
        let width = Terminal.columns(fd: onStdout ? 1 : 2)
        let shown = safe.count > width - 1 ? String(safe.prefix(width - 2)) + "…" : safe
        lock.withLock {
            clearStatus()
            sink?(!onStdout, "\r\u{1B}[K" + shown)
            statusOn = onStdout
        }
    }

    /// Clears the progress line, if one is shown (the command ends, or a question comes).
    func endStatus() { emit(true, "") }

    private func emit(_ isError: Bool, _ text: String) {
        lock.lock(); defer { lock.unlock() }
        clearStatus()
        if text.isEmpty { return }
        if let sink { sink(isError, text) } else { captured.append((isError, text)) }
    }

    /// Call with the lock held.
    private func clearStatus() {
        guard let stream = statusOn else { return }
        sink?(!stream, "\r\u{1B}[K")
        statusOn = nil
    }

    public var stdout: String { lock.lock(); defer { lock.unlock() }; return captured.filter { !$0.0 }.map(\.1).joined() }
    public var stderr: String { lock.lock(); defer { lock.unlock() }; return captured.filter { $0.0 }.map(\.1).joined() }
}

/// The lines a captured console's stdin holds, handed out one at a time.
private final class LineQueue: @unchecked Sendable {
    private let lock = ThreadLock()
    private var lines: [String]
    init(_ text: String) { lines = text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
    func next() -> String? { lock.withLock { lines.isEmpty ? nil : lines.removeFirst() } }
}
