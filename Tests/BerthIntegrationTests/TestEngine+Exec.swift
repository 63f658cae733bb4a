import BerthHTTP
import BerthJSON
import Foundation

/// Commands run inside a container through the Engine API, as `docker exec` does.
extension TestEngine {
    struct ExecRun: Sendable {
        var code: Int
        var output: String
    }

    func exec(_ container: String, _ command: [String]) async throws -> ExecRun {
        let (made, created) = try await call("POST", "/containers/\(container)/exec", body: .object([
            "Cmd": .array(command.map { .string($0) }), "AttachStdout": .bool(true), "AttachStderr": .bool(true),
        ]))
        guard made == 201, let id = created?["Id"]?.stringValue else { throw TestSetupError("exec \(command) in \(container): \(made)") }
        let response = try await http.send(HTTPRequest(
            method: "POST", path: "/v1.41/exec/\(id)/start", headers: [("Content-Type", "application/json")],
            body: Array(#"{"Detach": false, "Tty": false}"#.utf8)))
        let (_, state) = try await call("GET", "/exec/\(id)/json")
        return ExecRun(code: state?["ExitCode"]?.intValue ?? -1, output: Self.demultiplexed(response.body))
    }

    /// The stream's frames (8-byte header: stream, 0, 0, 0, big-endian length) joined.
    static func demultiplexed(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = [], index = 0
        while index + 8 <= bytes.count {
            let length = bytes[(index + 4)..<(index + 8)].reduce(0) { $0 << 8 | Int($1) }
            let end = min(bytes.count, index + 8 + length)
            out += bytes[(index + 8)..<end]
            index = end
        }
        return String(decoding: out, as: UTF8.self)
    }
}
