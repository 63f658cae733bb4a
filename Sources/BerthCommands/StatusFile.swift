import BerthEngine
import BerthSystem
import FoundationEssentials

/// state/status.json, replaced atomically so a reader never sees half of it.
enum StatusFile {
    static func write(_ report: StatusReport, to path: String) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(report) else { return }
        try? StateFolderGuard.write([UInt8](data) + [10], to: path)
    }

    static func read(_ path: String) -> StatusReport? {
        guard let bytes = try? StateFolderGuard.read(path) else { return nil }
        return try? JSONDecoder().decode(StatusReport.self, from: Data(bytes))
    }
}
