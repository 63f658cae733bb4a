import BerthJournal
import BerthSystem
import FoundationEssentials

/// For a plain `--specs` folder: the commit its work tree's HEAD points at, and whether the
/// folder differs from it (uncommitted edits, new files), so each record says what it was
/// made from. Asked once per pass; a folder outside any work tree is found out once and
/// never asked about again.
final class LocalRevision: @unchecked Sendable {
    let directory: String
    private let git = GitCommand()
    private let lock = ThreadLock()
    private var inWorkTree: Bool?

    init(directory: String) {
        self.directory = directory
    }

    /// HEAD and `dirty`, or nil when the folder is not in a work tree (or git is missing).
    func current() -> JournalRevision? {
        lock.lock()
        defer { lock.unlock() }
        if inWorkTree == false { return nil }
        guard FileSystem.isDirectory(directory),
              let head = try? git.runBlocking(["-C", directory, "log", "-1", "--no-show-signature", "--format=%H%x00%s%x00%an <%ae>%x00%cI", "HEAD", "--"]) else {
            inWorkTree = false
            return nil
        }
        inWorkTree = true
        let fields = head.stdoutText.trimmingNewlines().split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 4 else { return nil }
        let changes = try? git.runBlocking(["-C", directory, "status", "--porcelain", "--untracked-files=normal", "--", "."])
        return JournalRevision(hash: fields[0], subject: fields[1], author: fields[2], time: fields[3],
                               dirty: changes.map { !$0.stdout.isEmpty })
    }
}
