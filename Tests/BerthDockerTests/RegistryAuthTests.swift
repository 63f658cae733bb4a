@testable import BerthDocker
import BerthModel
import Foundation
import Testing

struct RegistryAuthTests {
    @Test(arguments: [
        ("busybox:1.36", "busybox", "1.36"), ("registry:5000/team/app:2", "registry:5000/team/app", "2"),
        ("registry:5000/team/app", "registry:5000/team/app", nil), ("app@sha256:abc", "app@sha256:abc", nil),
    ] as [(String, String, String?)])
    func referencesSplitAsDockerReadsThem(ref: String, repo: String, tag: String?) {
        #expect(ImageRef.split(ref) == (repo, tag))
    }

    @Test func credentialsComeFromDockerConfigAndGoOutAsTheEngineWantsThem() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("berth-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".docker"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let auth = Data("ci-bot:s3cret".utf8).base64EncodedString()
        try #"{"auths": {"registry.example:5000": {"auth": "\#(auth)"}}}"#
            .write(to: home.appendingPathComponent(".docker/config.json"), atomically: true, encoding: .utf8)
        let registry = RegistryAuth.fromDockerConfig(home: home.path)
        let header = try #require(registry.header(for: "registry.example:5000/team/app:1"))
        var base64 = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        let decoded = try JSONSerialization.jsonObject(with: Data(base64Encoded: base64)!) as? [String: String]
        #expect(decoded == ["username": "ci-bot", "password": "s3cret", "serveraddress": "registry.example:5000"])
        #expect(registry.header(for: "busybox:1") == nil, "no credentials for Docker Hub in this config")
    }
}
