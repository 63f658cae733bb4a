@testable import BerthCommands
import BerthModel
import Foundation
import Testing

/// The state folder's fingerprint key: read without writing (plan), stored 0600 by the
/// first apply, never read through a symbolic link.
struct FingerprintKeyTests {
    @Test func planReadsWithoutWritingAndApplyStoresTheKeyItUsed() throws {
        var template = Array("/tmp/berth-key-XXXXXX".utf8CString)
        let state = String(cString: template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!)! })
        defer { try? FileManager.default.removeItem(atPath: state) }
        let first = try FingerprintKey.load(stateDirectory: state)
        #expect(first.count == 32)
        #expect(try FileManager.default.contentsOfDirectory(atPath: state).isEmpty)
        #expect(try FingerprintKey.keep(first, stateDirectory: state) == first)
        let attributes = try FileManager.default.attributesOfItem(atPath: state + "/fingerprint.key")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try FingerprintKey.load(stateDirectory: state) == first)
        // A second keep (another apply) keeps the stored key.
        #expect(try FingerprintKey.keep(Array(repeating: 7, count: 32), stateDirectory: state) == first)
    }

    @Test func aLinkInPlaceOfTheKeyIsRefused() throws {
        var template = Array("/tmp/berth-key-XXXXXX".utf8CString)
        let state = String(cString: template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!)! })
        defer { try? FileManager.default.removeItem(atPath: state) }
        try Data(repeating: 1, count: 32).write(to: URL(fileURLWithPath: state + "/elsewhere"))
        try FileManager.default.createSymbolicLink(atPath: state + "/fingerprint.key", withDestinationPath: state + "/elsewhere")
        #expect(throws: BerthError.self) { try FingerprintKey.load(stateDirectory: state) }
        do { _ = try FingerprintKey.load(stateDirectory: state) } catch {
            #expect("\(error)".hasPrefix("the fingerprint key \(state)/fingerprint.key cannot be opened (Too many levels of symbolic links); remove it and berth makes a new one"))
        }
    }
}
