import BerthJournal
import BerthModel
import BerthSystem

/// What a command that changes things holds for its whole run: the state folder's lock
/// (one berth per state folder) and the journal.
struct StateFolder {
    let lock: StateLock
    let journal: Journal

    static func open(_ settings: Settings, purpose: String) throws -> StateFolder {
        try FileSystem.makeDirectories(settings.stateDirectory)
        let lock: StateLock
        do {
            lock = try StateLock.acquire(stateDirectory: settings.stateDirectory, purpose: purpose)
        } catch let error as StateLockError {
            throw BerthError(.locked, error.message(stateDirectory: settings.stateDirectory))
        }
        return StateFolder(lock: lock, journal: try Journal(path: settings.journalPath))
    }
}
