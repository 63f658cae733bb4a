import BerthSystem
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Something in the spec folder changed. Level-triggered consumers only need to know that
/// they should re-read; the path is there for logs and for narrowing a reconcile.
public enum SpecFolderChange: Sendable, Equatable, CustomStringConvertible {
    /// A file (a spec, or part of an app folder's build context; relative to the root) was created, written, moved in or out,
    /// deleted, or had its metadata changed.
    case file(String)
    /// Something coarse happened (events were lost, a directory was removed or renamed away,
    /// the root was replaced): re-read the whole folder.
    case rescan
    /// A new folder could not be watched (the user's inotify watches are used up): changes
    /// under it go unseen until the limit is raised; the text says so and what to do.
    case unwatched(String)

    public var description: String {
        switch self {
        case .file(let path): return "file \(path)"
        case .rescan: return "rescan"
        case .unwatched(let why): return why
        }
    }
}

/// Watches a spec folder tree with inotify and reports changes to spec files as they happen.
///
/// Every directory under the root is watched for IN_CREATE, IN_CLOSE_WRITE, IN_MOVED_FROM,
/// IN_MOVED_TO, IN_DELETE, IN_DELETE_SELF, IN_MOVE_SELF and IN_ATTRIB. New directories are
/// watched as they appear and listed, so files written into them before their watch existed
/// (`mkdir -p a/b && echo > a/b/x.json`) are still reported. Hidden files and directories
/// (`.git`) and editor leftovers (`*.swp`, `*.swx`, `*~`, `.#*`, vim's `4913`) are ignored;
/// other files count, since an app folder's build context lives in the tree too.
///
/// An atomic save (write a temporary file, rename it over `x.json`) is reported as
/// `.file("x.json")`. One save usually produces several changes for the same file; collapse
/// them downstream with a `Debouncer`.
///
/// The events are read on a dedicated thread that blocks in poll(2), never on Swift's
/// cooperative thread pool. Keep the watcher alive while iterating `changes`: releasing it
/// stops it.
public final class SpecFolderWatcher: Sendable {
    /// The watched folder as given to `init`.
    public let root: String

    /// The changes, in the order the kernel reported them. A single consumer is expected;
    /// the stream buffers without limit, so drain it promptly (feeding a `Debouncer` is
    /// enough). It finishes after `stop()`, or when the root's inotify instance fails.
    public let changes: AsyncStream<SpecFolderChange>

    private let inotify: Inotify

    /// Starts watching `root` and every directory below it. The watches are in place when
    /// `init` returns, so any later change is reported. Files already present are not.
    ///
    /// - Throws: `SystemError` naming `root` when it is missing, not a directory, or cannot
    ///   be watched (for example the inotify instance or watch limit was reached).
    public init(root: String) throws {
        let inotify = try Inotify()
        let tree = try WatchTree(root: root, inotify: inotify)
        self.root = root
        self.inotify = inotify
        let (stream, continuation) = AsyncStream.makeStream(of: SpecFolderChange.self, bufferingPolicy: .unbounded)
        changes = stream
        // A consumer that stops iterating (its task cancelled) should not leave the thread
        // running for nothing.
        continuation.onTermination = { _ in inotify.wake() }

        DetachedThread.start(name: "berth.spec-folder-watcher") {
            while let events = inotify.nextEvents() {
                for change in tree.handle(events) {
                    continuation.yield(change)
                }
            }
            // Finishing here rather than in stop() means the stream's end proves the
            // thread has left poll(2) and will touch nothing more.
            continuation.finish()
        }
    }

    deinit {
        inotify.wake()
    }

    /// Stops watching: wakes the reader thread out of poll(2), and it finishes `changes`
    /// before returning. The inotify descriptor, and with it every watch, is closed once
    /// both the thread and this watcher are gone. Safe to call more than once, from any
    /// thread.
    public func stop() {
        inotify.wake()
    }
}
