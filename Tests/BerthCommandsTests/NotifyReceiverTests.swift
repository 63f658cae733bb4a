@testable import BerthCommands
import BerthHTTP
import BerthModel
import Foundation
import Testing

/// `--notify URL`: where the POST goes, its credentials, and how logs show the URL.
struct NotifyReceiverTests {
    @Test func theURLGivesEndpointPathAndBasicAuthentication() throws {
        let receiver = try NotifyReceiver(parsing: "https://ops:p%40ss@hooks.example.com:8443/berth/events?key=abc#x")
        #expect(receiver.endpoint == .tls(host: "hooks.example.com", port: 8443, settings: TLSSettings()))
        #expect(receiver.path == "/berth/events?key=abc")
        #expect(receiver.authorization == "Basic " + Data("ops:p@ss".utf8).base64EncodedString())
        #expect(receiver.masked == "https://ops:***@hooks.example.com:8443/berth/events?key=***", "the fragment goes with the masked value")

        let plain = try NotifyReceiver(parsing: "http://127.0.0.1:9000")
        #expect(plain.endpoint == .tcp(host: "127.0.0.1", port: 9000))
        #expect(plain.path == "/")
        #expect(plain.authorization == nil)
        #expect(plain.masked == "http://127.0.0.1:9000")

        // A lone user name over http(s) is usually a token: hidden whole, as for git remotes.
        let token = try NotifyReceiver(parsing: "https://ghp_abc123@hooks.example.com/x")
        #expect(token.masked == "https://***@hooks.example.com/x")
    }

    @Test func aBadURLIsOneLineNamingItWithoutItsPassword() {
        for url in ["ftp://u:pw@h/x", "hooks.example.com/x", "http:///x", "http://h:99999/x"] {
            #expect {
                try NotifyReceiver(parsing: url)
            } throws: { error in
                let text = "\(error)"
                return text.contains("--notify") && !text.contains("pw@") && !text.contains("\n")
            }
        }
    }
}
