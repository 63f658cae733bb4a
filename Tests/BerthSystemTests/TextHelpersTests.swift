import Foundation
import Testing
import BerthSystem

/// BerthSystem's stand-ins for the NSString calls berth made before it dropped Foundation
/// (issue 16) give Foundation's own answers; Foundation here is the referee.
struct TextHelpersTests {
    static let texts = [
        "", " ", "plain", "  two sides \t", "\n\r\nline breaks\n", " \u{00A0}no-break space\u{2003}", "\u{2028}separators\u{0085}",
        "tab\tinside", "é combining e\u{0301} ", "\r\n", "a\r\nb", "emoji 🚢 ", "100%", "a+b/c=d?&#", "naïve café",
    ]

    @Test(arguments: texts)
    func trimmingMatchesFoundation(text: String) {
        #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespaces))
        #expect(text.trimmingWhitespaceAndNewlines() == text.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(text.trimmingNewlines() == text.trimmingCharacters(in: .newlines))
        #expect(Substring(text).trimmingWhitespace() == Substring(text).trimmingCharacters(in: .whitespaces))
    }

    @Test(arguments: texts)
    func percentEncodingMatchesFoundation(text: String) {
        let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        let encoded = text.percentEncodedUnreserved()
        #expect(encoded == text.addingPercentEncoding(withAllowedCharacters: unreserved))
        #expect(encoded.percentDecoded() == text)
        #expect(text.percentDecoded() == text.removingPercentEncoding)
    }

    @Test(arguments: ["%", "%4", "%zz", "%E2%82", "a%20b", "%C3%A9", "100%25"])
    func percentDecodingMatchesFoundation(text: String) {
        #expect(text.percentDecoded() == text.removingPercentEncoding)
    }

    @Test(arguments: [("a\r\nb\\c", "\n", "\\n"), ("a\r\nb\\c", "\\", "\\\\"), ("x/y/z/", "x/", ""), ("aaa", "aa", "b"), ("", "a", "b"), ("a+b/c", "+", "-")])
    func replacingAllMatchesFoundation(text: String, target: String, replacement: String) {
        #expect(text.replacingAll(target, with: replacement) == text.replacingOccurrences(of: target, with: replacement))
    }

    @Test(arguments: [("name", 8), ("exactly8", 8), ("longer than width", 6), ("", 3)])
    func paddingMatchesFoundation(text: String, width: Int) {
        #expect(text.paddedWithSpaces(to: width) == text.padding(toLength: width, withPad: " ", startingAt: 0))
    }

    @Test func cFormatMatchesFoundation() {
        for value in [0.0, 0.05, 0.25, 1.5, 2.35, 59.95, 1234.5678] {
            #expect(String(cFormat: "%.1f", value) == String(format: "%.1f", value))
            #expect(String(cFormat: "%.1fs", value) == String(format: "%.1fs", value))
        }
        for value in [0, 7, 123456, 999999] {
            #expect(String(cFormat: "%06d", value) == String(format: "%06d", value))
        }
    }

    // Without "a" and "a//b": Foundation's own deletingLastPathComponent traps on them
    // (swift 6.3.1); berth's answers for them are checked alone.
    @Test(arguments: ["/a/b", "/a/b/", "/a", "/", "a/b", "", "~/x", "a/b/../c", "/etc/kube/"])
    func pathHelpersMatchNSString(path: String) {
        #expect(FileSystem.deletingLastComponent(of: path) == (path as NSString).deletingLastPathComponent)
        #expect(FileSystem.deletingLastComponent(of: "config") == "")
        #expect(FileSystem.deletingLastComponent(of: "a//b") == "a")
        for name in ["token", ".kube/config", "c.pem"] {
            #expect(FileSystem.appending(name, to: path) == (path as NSString).appendingPathComponent(name))
        }
    }
}

struct ThreadLockTests {
    @Test func threadsCountUnderTheLockAndWaitOnTheCondition() {
        let lock = ThreadLock(), done = ThreadCondition()
        nonisolated(unsafe) var count = 0
        nonisolated(unsafe) var finished = 0
        for index in 0..<8 {
            DetachedThread.start(name: "berth-test-\(index)") {
                for _ in 0..<10_000 { lock.withLock { count += 1 } }
                done.lock()
                finished += 1
                done.broadcast()
                done.unlock()
            }
        }
        done.lock()
        while finished < 8 { done.wait() }
        done.unlock()
        #expect(lock.withLock { count } == 80_000)
    }
}
