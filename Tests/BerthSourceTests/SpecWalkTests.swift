@testable import BerthSource
import BerthModel
import BerthTestSupport
import Foundation
import Testing

/// Symbolic links in the specs folder are followed (issue 12: `ln -s releases/v1 current;
/// berth validate --specs current/` said 0 specs); one that loops or leads nowhere is an
/// invalid file naming the link and its target, so nothing is deleted on its account.
struct SpecWalkTests {
    struct Folder {
        let root: String
        init() throws { root = try TemporaryDirectory.make(named: "berth-walk") }
        func write(_ relative: String, _ name: String = "web") throws {
            let path = root + "/" + relative
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(#"{"name": "\#(name)", "image": "busybox:1"}"#.utf8).write(to: URL(fileURLWithPath: path))
        }
        func link(_ relative: String, to target: String) throws {
            let path = root + "/" + relative
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
        }
        func remove() { try? FileManager.default.removeItem(atPath: root) }
    }

    @Test func aLinkedSpecsFolderGivesItsSpecs() throws {
        let f = try Folder(); defer { f.remove() }
        try f.write("releases/v1/web.json")
        try f.link("current", to: "releases/v1")
        let state = try SpecFolder.load(f.root + "/current", finishing: .none)
        #expect(state.specs.map(\.name) == ["web"])
        #expect(state.errors.isEmpty)
        // From the top, the linked folder and the release are both read: two files, one name.
        #expect(try SpecFolder.specFiles(in: f.root) == ["current/web.json", "releases/v1/web.json"])
    }

    @Test func aLinkedFileAndAFolderBelowAreFollowed() throws {
        let f = try Folder(); defer { f.remove() }
        try f.write("elsewhere/a.json", "a")
        try f.write("elsewhere/deep/b.json", "b")
        try f.link("specs/a.json", to: "../elsewhere/a.json")
        try f.link("specs/more", to: f.root + "/elsewhere/deep")
        let state = try SpecFolder.load(f.root + "/specs", finishing: .none)
        #expect(state.specs.map(\.name).sorted() == ["a", "b"])
        #expect(state.invalidFiles.isEmpty)
    }

    /// What a mounted ConfigMap looks like: each spec read once, through its top-level link.
    @Test func theConfigMapLayoutGivesEachSpecOnce() throws {
        let f = try Folder(); defer { f.remove() }
        try f.write("specs/..2026_12_04_10_00_00.123/a.json", "a")
        try f.write("specs/..2026_12_04_10_00_00.123/b.json", "b")
        try f.link("specs/..data", to: "..2026_12_04_10_00_00.123")
        try f.link("specs/a.json", to: "..data/a.json")
        try f.link("specs/b.json", to: "..data/b.json")
        #expect(try SpecFolder.specFiles(in: f.root + "/specs") == ["a.json", "b.json"])
        let state = try SpecFolder.load(f.root + "/specs", finishing: .none)
        #expect(state.specs.map(\.name).sorted() == ["a", "b"])
        #expect(state.errors.isEmpty)
    }

    @Test func aLinkToAFolderAboveIsALoopNamingLinkAndTarget() throws {
        let f = try Folder(); defer { f.remove() }
        try f.write("specs/web.json")
        try f.link("specs/sub/up", to: "..")
        try f.link("specs/self", to: ".")
        let state = try SpecFolder.load(f.root + "/specs", finishing: .none)
        #expect(state.specs.map(\.name) == ["web"], "each spec once")
        #expect(state.invalidFiles.sorted() == [f.root + "/specs/self", f.root + "/specs/sub/up"])
        let lines = state.errors.map(\.description)
        #expect(lines.contains { $0.hasPrefix(f.root + "/specs/sub/up:1:1: ") && $0.contains("the symbolic link sub/up -> .. loops: it leads to a folder above it") })
        #expect(lines.contains { $0.contains("the symbolic link self -> . loops") })
    }

    /// `current -> releases/v1`, and in it `up -> ..`: releases holds v1, the specs folder.
    @Test func aLinkAboveTheSpecsFolderItselfIsALoop() throws {
        let f = try Folder(); defer { f.remove() }
        try f.write("releases/v1/web.json")
        try f.link("current", to: "releases/v1")
        try f.link("releases/v1/up", to: "..")
        try f.link("releases/v1/top", to: "/")
        let state = try SpecFolder.load(f.root + "/current", finishing: .none)
        #expect(state.specs.map(\.name) == ["web"], "read once: \(state.errors)")
        #expect(state.invalidFiles.sorted() == [f.root + "/current/top", f.root + "/current/up"])
        #expect(state.errors.map(\.description).contains { $0.contains("the symbolic link up -> .. loops: it leads to a folder above it") })
    }

    @Test func linksThatLoopAmongThemselvesOrLeadNowhereAreErrors() throws {
        let f = try Folder(); defer { f.remove() }
        try f.write("specs/web.json")
        try f.link("specs/x.json", to: "y.json")
        try f.link("specs/y.json", to: "x.json")
        try f.link("specs/gone.json", to: "../nowhere/gone.json")
        let state = try SpecFolder.load(f.root + "/specs", finishing: .none)
        #expect(state.specs.map(\.name) == ["web"])
        let lines = state.errors.map(\.description)
        #expect(lines.contains(f.root + "/specs/gone.json:1:1: $: the symbolic link gone.json -> ../nowhere/gone.json leads nowhere (its target does not exist): fix the link or remove it"), "\(lines)")
        #expect(lines.contains { $0.contains("the symbolic link x.json -> y.json loops (links lead back to each other)") })
        #expect(state.invalidFiles.count == 3, "an invalid state: no deletion goes ahead")
    }

    @Test func aDanglingSpecsFolderLinkSaysSo() throws {
        let f = try Folder(); defer { f.remove() }
        try f.link("current", to: "releases/v9")
        let error = #expect(throws: BerthError.self) { try SpecFolder.requireFolder(f.root + "/current") }
        #expect(error?.description.contains("is a symbolic link to releases/v9, which does not exist") == true, "\(String(describing: error))")
    }

    @Test func theWalkIsBounded() throws {
        let f = try Folder(); defer { f.remove() }
        for index in 0..<5 { try f.write("specs/d\(index)/s.json", "s\(index)") }
        #expect(throws: BerthError.self) { try SpecWalk(f.root + "/specs", maxFolders: 3) }
        #expect(try SpecWalk(f.root + "/specs", maxFolders: 6).files.count == 5)
    }

    @Test func hiddenFoldersAreNotRead() throws {
        let f = try Folder(); defer { f.remove() }
        try f.write("specs/.git/x.json", "x")
        try f.write("specs/..old/y.json", "y")
        try f.write("specs/web.json")
        #expect(try SpecFolder.specFiles(in: f.root + "/specs") == ["web.json"])
    }
}
