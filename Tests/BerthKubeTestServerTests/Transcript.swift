import BerthJSON
import Foundation

/// One recorded scenario of a real kube-apiserver (see Transcripts/, copied from the
/// project's shared transcripts so a fresh clone can run the replay).
struct Transcript {
    struct Exchange {
        var method: String
        var path: String
        var requestHeaders: [String: String]
        var requestBody: JSONValue?
        var status: Int
        var contentType: String
        var responseBody: JSONValue
    }

    var file: String
    var scenario: String
    var exchanges: [Exchange]

    static func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
    }

    static var directory: URL {
        Bundle.module.url(forResource: "Transcripts", withExtension: nil)
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Transcripts")
    }

    static func load(_ name: String) throws -> Transcript {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        let root = try JSONParser.parse(data).value
        let exchanges = (root["exchanges"]?.arrayValue ?? []).map { exchange -> Exchange in
            let request = exchange["request"] ?? .null
            let response = exchange["response"] ?? .null
            let body = request["body"]
            return Exchange(
                method: request["method"]?.stringValue ?? "GET", path: request["path"]?.stringValue ?? "/",
                requestHeaders: (request["headers"]?.objectValue ?? [:]).compactMapValues(\.stringValue),
                requestBody: body == .null ? nil : body,
                status: response["status"]?.intValue ?? 0,
                contentType: response["headers"]?["Content-Type"]?.stringValue ?? "",
                responseBody: response["body"] ?? .null)
        }
        return Transcript(file: name, scenario: root["scenario"]?.stringValue ?? "", exchanges: exchanges)
    }
}
