import BerthJournal
import BerthModel
import BerthSystem

/// What a command that changes things holds for its whole run: the state folder's lock (one
/// berth per state folder), the owner lock (one berth per owner and engine) and the journal.
/// Every command reaches the state folder through `open` (writers) or `inspect` (readers),
/// so `StateFolderGuard`'s rules hold everywhere.
struct StateFolder {
    let lock: Locks
    let journal: Journal

    /// The files berth keeps directly in the state folder, and its folders.
    static let files = ["lock", "journal.jsonl", "configs.json", "status.json", "kubernetes-kinds.json", "held.json", "held.lock", "targets.json", "fingerprint.key", "digests", "swarm-sent.json", "suspended.json", "suspended.lock"]
    static let folders = ["last-valid", "keys"]
    /// `--git`'s clone and checkouts, with the one link berth makes (checked on its own rules).
    static let gitFolder = "git"

    /// The locks held together; `release()` gives both back. Callers keep this object (not
    /// just one lock) until they are done, so neither is dropped early.
    final class Locks: Sendable {
        let state: StateLock
        let owner: OwnerLock

        init(state: StateLock, owner: OwnerLock) {
            self.state = state
            self.owner = owner
        }

        func release() {
            owner.release()
            state.release()
        }
    }

    /// For apply and watch: checks the folder and everything berth keeps in it (creating it
    /// 0700 when missing), then takes the state lock, the owner lock and the journal.
    /// `notice`: hears the one line said when an existing folder's modes were tightened.
    static func open(_ settings: Settings, purpose: String, notice: (String) -> Void = { _ in }) throws -> StateFolder {
        _ = try guarded { try checkLayout(settings, create: true, notice: notice) }
        let state: StateLock
        do {
            state = try guarded { try StateLock.acquire(stateDirectory: settings.stateDirectory, purpose: purpose) }
        } catch let error as StateLockError {
            throw BerthError(.locked, error.message(stateDirectory: settings.stateDirectory))
        }
        let owner: OwnerLock
        do {
            // Docker's part of "one berth per owner and engine". Kubernetes' part (a
            // coordination.k8s.io Lease named after the owner) belongs beside it, taken once
            // the Kubernetes target connects, and released with these locks.
            owner = try guarded {
                try OwnerLock.acquire(owner: settings.owner, endpoint: settings.dockerHost, purpose: purpose,
                                      stateDirectory: settings.stateDirectory)
            }
        } catch let error as OwnerLockError {
            state.release()
            throw BerthError(.locked, error.description)
        } catch {
            state.release()
            throw error
        }
        let locks = Locks(state: state, owner: owner)
        do {
            return StateFolder(lock: locks, journal: try Journal(path: settings.journalPath))
        } catch {
            locks.release()
            throw error
        }
    }

    /// For readers (status, history, plan): checks the folder and its files if the folder is
    /// there, and creates nothing. False when there is no state folder.
    @discardableResult
    static func inspect(_ settings: Settings) throws -> Bool {
        try guarded { try checkLayout(settings, create: false) }
    }

    private static func checkLayout(_ settings: Settings, create: Bool, notice: (String) -> Void = { _ in }) throws -> Bool {
        let directory = settings.stateDirectory
        if create {
            try StateFolderGuard.prepare(directory, specsDirectory: settings.specsDirectory)
        } else if try !StateFolderGuard.inspect(directory, specsDirectory: settings.specsDirectory) {
            return false
        }
        for name in files { try StateFolderGuard.check(directory + "/" + name, is: .file, reading: !create) }
        for name in folders { try StateFolderGuard.checkTree(directory + "/" + name, reading: !create) }
        try StateFolderGuard.checkGitFolder(directory + "/" + gitFolder, reading: !create)
        if create, let tightened = StateFolderGuard.tighten(directory, entries: files + folders + [gitFolder]) { notice(tightened) }
        return true
    }

    /// A refusal becomes berth's error type, its line unchanged.
    private static func guarded<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let refusal as StateFolderRefusal {
            throw BerthError(.refused, refusal.message)
        }
    }
}
