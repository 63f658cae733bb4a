import BerthJournal
import BerthTestSupport
import Foundation
import Glibc
import Testing

/// A journal on a full file system: berth says so, naming the file, and does nothing it
/// cannot record; the journal is never left with half a line. The file system is a small
/// tmpfs the test mounts (root only; skipped with the reason printed otherwise).
@Suite(.timeLimit(.minutes(10)))
struct DiskFullTests {
    /// A tmpfs of `size` mounted at `path` for one test.
    struct Tmpfs {
        let path: String

        static func mount(at path: String, size: String) throws -> Tmpfs? {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            guard Glibc.mount("tmpfs", path, "tmpfs", 0, "size=\(size)") == 0 else {
                print("DiskFullTests: skipped: cannot mount a tmpfs at \(path): \(String(cString: strerror(errno))) (needs root)")
                return nil
            }
            return Tmpfs(path: path)
        }

        /// Fills the file system with 4 KiB files until it refuses; returns them, so space can be freed again.
        func fill() -> [String] {
            var files: [String] = []
            let page = [UInt8](repeating: 0x2e, count: 4096)
            while true {
                let file = path + "/filler-\(files.count)"
                let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
                guard fd >= 0 else { break }
                let written = page.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                close(fd)
                files.append(file)
                if written < page.count { break }
            }
            // Byte-sized remainders too: the last partial page of any file is the only room left.
            return files
        }

        func unmount() {
            if umount(path) != 0 { _ = umount2(path, Int32(MNT_DETACH)) }
        }
    }

    /// Journal lines that are not whole records, and whether the file ends mid-line.
    static func damage(_ journal: String) throws -> (bad: Int, endsMidLine: Bool) {
        guard let bytes = FileManager.default.contents(atPath: journal) else { return (0, false) }
        let contents = try JournalReader.read(path: journal)
        return (contents.badLines.count, bytes.last.map { $0 != 0x0a } ?? false)
    }

    /// A spec whose container has no network, so 30 of them do not strain the engine's bridge.
    static func spec(_ p: Project, _ name: String, password: String = "x") -> String {
        """
        {"name": "\(name)", "image": "\(TestEngine.demoImage)", "command": ["sleep", "3600"], "env": {"SERVICE_PASSWORD": "\(password)"},
         "docker": {"HostConfig": {"Init": true, "NetworkMode": "none"}}}
        """
    }

    static func withProject(_ suffix: String, _ body: (Project, Tmpfs, Bystanders) async throws -> Void) async throws {
        let engine = try TestEngine()
        let project = try Project(engine: engine, owner: BystanderPool.shared.owners[2] + suffix)
        guard let fs = try Tmpfs.mount(at: project.root.path + "/fs", size: "64k") else { await project.finish(); return }
        let bystanders: Bystanders
        do { bystanders = try await BystanderPool.shared.acquire(engine) } catch { fs.unmount(); await project.finish(); throw error }
        do { try await body(project, fs, bystanders) } catch {
            fs.unmount(); await project.finish(); await BystanderPool.shared.release(); throw error
        }
        fs.unmount()
        await project.finish()
        await BystanderPool.shared.release()
    }

    @Test func fullDiskBeforeApplyChangesNothing() async throws {
        try await Self.withProject("") { p, fs, bystanders in
            let state = fs.path + "/state"
            for index in 1...3 { try p.write("s\(index).json", Self.spec(p, "s\(index)")) }
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            _ = fs.fill()

            let apply = await p.berth("apply", "--state", state)
            #expect(apply.status == 1)
            let journal = state + "/journal.jsonl"
            #expect(apply.stderr.contains("berth: nothing applied: the journal cannot be written: cannot write to \(journal): No space left on device"),
                    "\(apply.stderr)")
            let made = try await p.containers()
            #expect(made.isEmpty, "nothing may be done without an action-start record")
            let damage = try Self.damage(journal)
            #expect(damage.bad == 0 && !damage.endsMidLine)
            let touched = try await bystanders.touched()
            #expect(touched.isEmpty, "\(touched)")
            FaultsReport(scenario: "disk full: before apply", trials: 1, faults: ["enospc": 1],
                         converged: apply.status == 1 && made.isEmpty, unownedTouched: touched.count,
                         journalLinesLost: damage.bad + (damage.endsMidLine ? 1 : 0)).record()
        }
    }

    @Test func diskFillingMidApplyStopsActingAndLeavesNoHalfLine() async throws {
        try await Self.withProject("x", { p, fs, bystanders in
            let state = fs.path + "/state"
            let journal = state + "/journal.jsonl"
            try p.write("s1.json", Self.spec(p, "s1"))
            #expect(await p.berth("apply", "--state", state).status == 0)
            // The journal's last page has room for a few records, then the disk is full.
            let fillers = fs.fill()
            let count = FaultsReport.isFullRun ? 30 : 12
            for index in 2...count { try p.write("s\(index).json", Self.spec(p, "s\(index)", password: "pw\(index)")) }

            let apply = await p.berth("apply", "--state", state)
            #expect(apply.status == 1)
            #expect(apply.stderr.contains("cannot write to \(journal): No space left on device"), "\(apply.stderr)")
            let made = try await p.containers()
            #expect(made.count < count, "berth must stop acting once the journal is full")
            let records = try JournalReader.read(path: journal).records
            for container in made {
                let started = records.contains {
                    $0.event == "action-start" && $0.name == container.labels["berth.name"] && $0.replica.map(String.init) == container.labels["berth.replica"]
                }
                #expect(started, "\(container.name) was made without an action-start record")
            }
            let damage = try Self.damage(journal)
            #expect(damage.bad == 0 && !damage.endsMidLine, "a failed write must not leave half a record")

            // Room again: the next apply converges.
            for file in fillers { try? FileManager.default.removeItem(atPath: file) }
            let again = await p.berth("apply", "--state", state)
            #expect(again.status == 0, "\(again.stderr)")
            let after = try await p.containers()
            let names = Set(after.filter { $0.state == "running" }.map(\.name))
            let converged = names == Set((1...count).map { "\(p.owner)-s\($0)-1" }) && after.count == count
            #expect(converged)
            let touched = try await bystanders.touched()
            #expect(touched.isEmpty, "\(touched)")
            let text = (try? String(contentsOfFile: journal, encoding: .utf8)) ?? ""
            #expect(!text.contains("pw2"), "secrets never reach the journal")
            print("disk full: mid-apply: \(made.count) of \(count) containers made before the journal filled up; berth said:\n\(apply.stderr)")
            FaultsReport(scenario: "disk full: mid-apply", trials: 1, faults: ["enospc": 1], converged: converged && again.status == 0,
                         duplicates: after.count - names.count, unownedTouched: touched.count,
                         journalLinesLost: damage.bad + (damage.endsMidLine ? 1 : 0)).record()
        })
    }
}
