import BerthSystem
import FoundationEssentials

/// What an adapter noticed while carrying out an action that a person reading the journal
/// should know ("adopted container web-1 that an earlier attempt created"). The executor
/// sets one per attempt as a task-local and journals its lines with the outcome, so the
/// `Platform` protocol stays as it is.
public final class ActionNotes: @unchecked Sendable {
    /// The notes of the attempt running in this task, if the executor runs it.
    @TaskLocal public static var current: ActionNotes?

    private let lock = ThreadLock()
    private var lines: [String] = []

    public init() {}

    /// Adds a note to the current attempt's outcome; does nothing outside the executor.
    public static func add(_ note: String) { current?.append(note) }

    func append(_ note: String) { lock.withLock { lines.append(note) } }

    /// The notes joined by "; ", or nil when there are none.
    var text: String? { lock.withLock { lines.isEmpty ? nil : lines.joined(separator: "; ") } }
}
