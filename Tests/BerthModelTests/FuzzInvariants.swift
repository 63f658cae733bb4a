import BerthJSON
@testable import BerthModel
import Foundation

/// What must hold for every input the decoder is given, however hostile: either specs with
/// no errors, whose names and labels cannot break out of their place, or at most
/// `maxErrorsPerFile + 1` errors that each name the file, a JSON path and a line:column
/// inside the input, on one line. Returns what went wrong, or nil.
enum FuzzInvariants {
    static func violation(_ result: SpecDecoder.FileResult, input: [UInt8], file: String) -> String? {
        if result.errors.isEmpty { return result.specs.lazy.compactMap(escape).first }
        if !result.specs.isEmpty { return "\(result.specs.count) specs returned alongside errors" }
        if result.errors.count > SpecDecoder.maxErrorsPerFile + 1 { return "\(result.errors.count) errors, more than the cap" }
        let lineEnds = input.indices.filter { input[$0] == 0x0A } + [input.count]
        for error in result.errors {
            let line = error.description
            guard error.file == file, line.hasPrefix(file + ":") else { return "error names another file: \(line)" }
            guard error.path.description.hasPrefix("$") else { return "no JSON path: \(line)" }
            guard !error.message.isEmpty else { return "empty message: \(line)" }
            // A person reads it: keys and values are shown cut, so only a path 128 levels deep
            // comes near this.
            if line.utf8.count > maxLineBytes { return "a line of \(line.utf8.count) bytes: \(line.prefix(300))" }
            if let bad = line.unicodeScalars.first(where: breaksLine) {
                return "not one line (U+\(String(bad.value, radix: 16))): \(line.prefix(300))"
            }
            let (row, column) = (error.position.line, error.position.column)
            guard row >= 1, column >= 1, row <= lineEnds.count else { return "position \(row):\(column) outside \(lineEnds.count) lines: \(line.prefix(300))" }
            let start = row == 1 ? 0 : lineEnds[row - 2] + 1
            // Columns count scalars and a scalar is at least one byte, so bytes + 1 bounds it.
            guard column <= lineEnds[row - 1] - start + 1 else {
                return "column \(column) past the end of line \(row) (\(lineEnds[row - 1] - start) bytes): \(line.prefix(300))"
            }
        }
        return nil
    }

    static let maxLineBytes = 16_384

    static func breaksLine(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    /// A valid spec whose names could leave their place: the container name, labels, env.
    static func escape(_ spec: Spec) -> String? {
        if !Names.isValid(spec.name.rawValue) || spec.name.rawValue.utf8.count > SpecDecoder.maxNameLength { return "name \(spec.name.rawValue.debugDescription) accepted" }
        if ImageReference.problem(spec.image) != nil || spec.image.unicodeScalars.contains(where: { $0.value <= 0x20 }) {
            return "image \(spec.image.debugDescription) accepted"
        }
        for key in spec.env.keys where key.isEmpty || key.contains("=") || hasControl(key) { return "env key \(key.debugDescription) accepted" }
        for value in spec.env.values where value.contains("\u{0}") { return "env value with NUL accepted" }
        for (key, value) in spec.labels where key.hasPrefix(Labels.prefix) || key.isEmpty || hasControl(key) || hasControl(value) {
            return "label \(key.debugDescription) accepted"
        }
        for volume in spec.volumes {
            let steps = (volume.source + "/" + volume.destination).split(separator: "/")
            if steps.contains("..") || hasControl(volume.source) || hasControl(volume.destination) || !volume.destination.hasPrefix("/") {
                return "volume \(volume.source.debugDescription):\(volume.destination.debugDescription) accepted"
            }
        }
        if case .object(let native)? = spec.swarm, native["Name"] != nil { return "swarm.Name accepted" }
        return nil
    }
}
