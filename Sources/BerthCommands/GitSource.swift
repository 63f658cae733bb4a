import BerthEngine
import BerthJournal
import BerthModel
import BerthSource
import BerthSystem
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// A git repository as the source of specs (`--git`). A bare clone in state/git/repo.git is
/// fetched (`+refs/heads/BRANCH:refs/heads/BRANCH`, so force pushes are taken as they come);
/// a new commit is checked out into rev-<hash>.partial, checked as `validate` would, renamed
/// to rev-<hash>, and only then does state/git/current flip to it (a new link renamed over the
/// old one), so no pass ever reads half a checkout or an invalid revision. The revision in
/// force and the one before it are kept.
///
/// One task drives `sync` (watch's fetch loop, or apply's single pass); `fetchNow` may be
/// called from anywhere.
public final class GitSource: FetchTrigger, @unchecked Sendable {
    let options: GitSourceOptions
    /// state/git.
    let root: String
    let owner: String
    let policy: Policy?
    /// The targets a revision's specs may name (the operator's --config).
    let catalog: TargetCatalog
    /// Where the seal key is that opens a revision's sealed values.
    let stateDirectory: String
    let journal: Journal?
    let log: @Sendable (String) -> Void
    let git = GitCommand()

    private let lock = ThreadLock()
    private var status: SourceStatus
    private var inForce: JournalRevision?
    private var previousHash: String?
    private var wakeup: CheckedContinuation<Void, Never>?
    private var pending = false
    private var generation = 0

    var repository: String { root + "/repo.git" }
    var statusPath: String { root + "/source.json" }

    init(options: GitSourceOptions, root: String, owner: String, policy: Policy?, stateDirectory: String, journal: Journal?,
         log: @escaping @Sendable (String) -> Void, catalog: TargetCatalog = .implicit) {
        self.options = options
        self.catalog = catalog
        self.root = root
        self.stateDirectory = stateDirectory
        self.owner = owner
        self.policy = policy
        self.journal = journal
        self.log = log
        status = SourceStatus(url: options.shownURL, branch: options.branch, path: options.path)
        status.owner = owner
    }

    /// The specs folder of the revision in force and that revision; nil before any revision
    /// was good. Resolved once per pass, so a flip during the pass does not mix two revisions.
    func specsInForce() -> (directory: String, revision: JournalRevision)? {
        lock.lock()
        defer { lock.unlock() }
        guard let inForce else { return nil }
        return (folder(inForce.hash) + (options.path.isEmpty ? "" : "/" + options.path), inForce)
    }

    func currentStatus() -> SourceStatus {
        lock.lock()
        defer { lock.unlock() }
        return status
    }

    // MARK: - Waking the fetch loop

    /// Fetches as soon as the loop is free (the webhook's call after a push); returns at once.
    public func fetchNow() {
        log("webhook: fetching now")
        wake(generation: nil)
    }

    /// Returns after `interval`, or earlier when `fetchNow` is called.
    func waitForNextFetch(_ interval: Duration) async {
        let turn: Int = lock.withLock {
            generation += 1
            return generation
        }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: interval)
            self?.wake(generation: turn)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow: Bool = lock.withLock {
                    if pending || Task.isCancelled { pending = false; return true }
                    wakeup = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            wake(generation: nil)
        }
        timer.cancel()
    }

    /// `generation`: the timer's turn (a late timer of an earlier wait does nothing); nil: fetchNow.
    private func wake(generation turn: Int?) {
        let waiting: CheckedContinuation<Void, Never>? = lock.withLock {
            if let turn, turn != generation { return nil }
            guard let waiting = wakeup else {
                if turn == nil { pending = true }
                return nil
            }
            wakeup = nil
            pending = false
            return waiting
        }
        waiting?.resume()
    }

    // MARK: - Fetch, check out, check, flip

    /// Takes the revision in force from a previous run (state/git/current).
    func restore() async {
        guard let target = GitSource.linkTarget(root + "/" + StateFolderGuard.gitCurrentLink),
              StateFolderGuard.isRevisionFolderName(target), FileSystem.isDirectory(root + "/" + target) else { return }
        let hash = String(target.dropFirst(4))
        let revision = (try? await describe(hash)) ?? JournalRevision(hash: hash)
        update {
            $0.inForce = revision
            $0.status.inForce = SourceStatus.Revision(hash: hash, subject: revision.subject, since: Timestamp.rfc3339(Date()))
        }
    }

    enum Outcome: Sendable, Equatable {
        /// The branch still points at the revision in force.
        case unchanged
        /// A new revision is in force.
        case newRevision
        /// The branch points at a revision whose specs are invalid (now or before).
        case rejected
        /// The remote or the checkout failed.
        case failed(String)
    }

    /// One fetch, checkout and check.
    @discardableResult
    func sync() async -> Outcome {
        let hash: String
        do {
            try FileSystem.makeDirectories(root)
            if !FileSystem.isDirectory(repository) {
                try await git.run(["init", "--quiet", "--bare", repository])
            }
            // The URL is given on the command line, never stored in the clone's config: a
            // token in it stays out of the state folder.
            try await git.run(["--git-dir=" + repository, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", options.url,
                               "+refs/heads/\(options.branch):refs/heads/\(options.branch)"])
            hash = try await git.run(["--git-dir=" + repository, "rev-parse", "--verify", "--quiet", "refs/heads/\(options.branch)^{commit}"])
                .stdoutText.trimmingWhitespaceAndNewlines()
        } catch {
            let reason = "cannot fetch branch \(options.branch) of \(options.shownURL): \(error)"
            await failed(reason)
            return .failed(reason)
        }
        await recovered()
        let known: Outcome? = lock.withLock {
            inForce?.hash == hash ? .unchanged : status.refused?.hash == hash ? .rejected : nil
        }
        if let known { return known }
        do {
            let revision = try await describe(hash)
            update { $0.status.checkingOut = SourceStatus.Revision(hash: hash, subject: revision.subject, since: Timestamp.rfc3339(Date())) }
            defer { update { $0.status.checkingOut = nil } }
            let folder = try await checkOut(hash)
            let errors = check(folder)
            guard errors.isEmpty else {
                await reject(revision, errors: errors)
                if !isKept(hash) { try? FileManager.default.removeItem(atPath: folder) }
                return .rejected
            }
            try flip(to: hash, from: folder)
            await accept(revision)
            prune()
            return .newRevision
        } catch {
            let reason = "cannot check out commit \(hash.prefix(12)) of \(options.shownURL): \(error)"
            await failed(reason)
            return .failed(reason)
        }
    }

    /// rev-<hash>, made through rev-<hash>.partial unless it is still there from before (a
    /// force push back to a recent revision). `core.symlinks=false`: a committed link becomes
    /// a small file holding its target, so no checkout can make berth read outside it.
    func checkOut(_ hash: String) async throws -> String {
        let final = folder(hash)
        if FileSystem.isDirectory(final) { return final }
        let partial = final + ".partial", index = root + "/index.partial"
        try? FileManager.default.removeItem(atPath: partial)
        unlink(index)
        guard mkdir(partial, 0o700) == 0 else { throw SystemError.current("create directory", path: partial) }
        defer { unlink(index) }
        try await git.run(["-c", "core.symlinks=false", "--git-dir=" + repository, "--work-tree=" + partial, "checkout", "--quiet", "-f", hash, "--", "."],
                          extra: ["GIT_INDEX_FILE": index])
        guard rename(partial, final) == 0 else { throw SystemError.current("rename", path: partial) }
        return final
    }

    /// The revision's spec errors, as `validate` lists them, with paths inside the repository.
    func check(_ folder: String) -> [String] {
        let specs = folder + (options.path.isEmpty ? "" : "/" + options.path)
        guard FileSystem.isDirectory(specs) else {
            return ["the revision has no folder \(options.path.isEmpty ? "." : options.path) (--path)"]
        }
        do {
            let desired = try SpecFolder.load(specs, policy: policy, catalog: catalog, stateDirectory: stateDirectory)
            let errors = desired.errors.map(\.description) + desired.invalidFiles.filter { file in
                !desired.errors.contains { $0.file == file }
            }.map { "\($0): invalid" }
            return errors.map { $0.replacingAll(folder + "/", with: "") }
        } catch {
            return ["\(error)".replacingAll(folder + "/", with: "")]
        }
    }

    /// current -> rev-<hash>: a new link under a temporary name, renamed over the old one.
    func flip(to hash: String, from folder: String) throws {
        let temporary = root + "/current.new", current = root + "/" + StateFolderGuard.gitCurrentLink
        unlink(temporary)
        guard symlink("rev-" + hash, temporary) == 0 else { throw SystemError.current("create the link", path: temporary) }
        guard rename(temporary, current) == 0 else {
            let error = SystemError.current("rename", path: temporary)
            unlink(temporary)
            throw error
        }
    }

    /// Removes every rev- folder but the one in force and the one before it, and leftovers.
    func prune() {
        let (current, previous): (String?, String?) = lock.withLock { (inForce?.hash, previousHash) }
        let keep = Set([current, previous].compactMap { $0.map { "rev-" + $0 } })
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] where name.hasPrefix("rev-") {
            if !keep.contains(name) { try? FileManager.default.removeItem(atPath: root + "/" + name) }
        }
    }

    private func isKept(_ hash: String) -> Bool {
        lock.withLock { inForce?.hash == hash || previousHash == hash }
    }

    func folder(_ hash: String) -> String { root + "/rev-" + hash }

    /// Hash, subject, author and commit time of a commit in the clone.
    func describe(_ hash: String) async throws -> JournalRevision {
        let fields = try await git.run(["--git-dir=" + repository, "log", "-1", "--no-show-signature", "--format=%H%x00%s%x00%an <%ae>%x00%cI", hash, "--"])
            .stdoutText.trimmingNewlines().split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 4 else { return JournalRevision(hash: hash) }
        return JournalRevision(hash: fields[0], subject: fields[1], author: fields[2], time: fields[3])
    }

    /// For plan and apply: fetch once; the branch's head must be a valid revision. Says why
    /// not and returns nil otherwise (nothing is planned or applied then).
    static func fetchForOnePass(_ source: GitSource, console: Console) async -> (directory: String, revision: JournalRevision)? {
        await source.restore()
        let outcome = await source.sync()
        switch outcome {
        case .failed(let reason):
            console.err("berth: nothing done: \(reason)")
            return nil
        case .rejected:
            let refused = source.currentStatus().refused
            console.err("berth: nothing done: commit \(refused?.hash.prefix(12) ?? "?") of branch \(source.options.branch) has invalid specs (above): fix them in a new commit")
            return nil
        case .unchanged, .newRevision:
            return source.specsInForce()
        }
    }

    // MARK: - Outcomes: log, journal, status

    private func accept(_ revision: JournalRevision) async {
        let before: JournalRevision? = update {
            let before = $0.inForce
            $0.previousHash = before?.hash
            $0.inForce = revision
            $0.status.inForce = SourceStatus.Revision(hash: revision.hash, subject: revision.subject, since: Timestamp.rfc3339(Date()))
            $0.status.refused = nil
            return before
        }
        let message = "commit \(revision.hash.prefix(12)) (\(revision.subject ?? "")) is in force" + (before.map { ", after \($0.hash.prefix(12))" } ?? "")
        log("git: \(message)")
        await record(JournalRecord(event: "source-revision", owner: owner, message: message, revision: revision))
    }

    private func reject(_ revision: JournalRevision, errors: [String]) async {
        let kept: JournalRevision? = update {
            $0.status.refused = SourceStatus.Revision(hash: revision.hash, subject: revision.subject, since: Timestamp.rfc3339(Date()),
                                                      errors: Array(errors.prefix(10)))
            return $0.inForce
        }
        let stays = kept.map { "commit \($0.hash.prefix(12)) stays in force" } ?? "no revision is in force yet"
        let message = "commit \(revision.hash.prefix(12)) (\(revision.subject ?? "")) not applied: its specs are invalid; \(stays)"
        log("git: \(message): " + errors.prefix(5).joined(separator: "; "))
        await record(JournalRecord(event: "revision-rejected", owner: owner, error: errors.prefix(5).joined(separator: "; "), message: message,
                                   count: errors.count, detail: ["hash": revision.hash], revision: revision))
    }

    /// Said once when the trouble begins (and again if it changes), not at every interval.
    private func failed(_ reason: String) async {
        let isNew: Bool = update {
            if $0.status.error?.error == reason { return false }
            $0.status.error = SourceStatus.Failure(error: reason, since: $0.status.error?.since ?? Timestamp.rfc3339(Date()))
            return true
        }
        guard isNew else { return }
        let kept = currentStatus().inForce.map { "; commit \($0.hash.prefix(12)) stays in force" } ?? ""
        log("git: \(reason)\(kept)")
        await record(JournalRecord(event: "source-error", owner: owner, error: reason + kept))
    }

    private func recovered() async {
        let was: SourceStatus.Failure? = update {
            let was = $0.status.error
            $0.status.error = nil
            return was
        }
        guard let was else { return }
        log("git: \(options.shownURL) answers again (failing since \(was.since))")
        await record(JournalRecord(event: "source-ok", owner: owner, message: "\(options.shownURL) answers again; failing since \(was.since)"))
    }

    private func record(_ entry: JournalRecord) async {
        guard let journal else { return }
        do { try await journal.append(entry) } catch { log("cannot write the journal: \(error)") }
    }

    /// Changes the state under the lock and writes state/git/source.json for `berth status`.
    @discardableResult
    private func update<T>(_ body: (GitSource) -> T) -> T {
        lock.lock()
        let result = body(self)
        let snapshot = status
        lock.unlock()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        if let data = try? encoder.encode(snapshot) { try? StateFolderGuard.write([UInt8](data) + [10], to: statusPath) }
        return result
    }

    /// state/git/source.json as the last watch or apply left it.
    static func readStatus(stateDirectory: String) -> SourceStatus? {
        guard let bytes = try? StateFolderGuard.read(stateDirectory + "/git/source.json") else { return nil }
        return try? JSONDecoder().decode(SourceStatus.self, from: Data(bytes))
    }

    static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
