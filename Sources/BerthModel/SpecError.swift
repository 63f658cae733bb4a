/// A problem in a spec file, in the form editors understand:
/// `FILE:LINE:COLUMN: JSON.PATH: message`.
public struct SpecError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var path: JSONPath
    public var position: JSONPosition
    public var message: String

    public init(file: String, path: JSONPath, position: JSONPosition, message: String) {
        self.file = file; self.path = path; self.position = position; self.message = message
    }

    public var description: String { "\(file):\(position): \(path): \(message)" }

    public var json: JSONValue {
        .object([
            "file": .string(file), "path": .string(path.description),
            "line": .number(String(position.line)), "column": .number(String(position.column)),
            "message": .string(message),
        ])
    }
}
