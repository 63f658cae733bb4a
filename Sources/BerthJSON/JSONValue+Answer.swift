extension JSONValue {
    /// An API's answer (the Docker Engine's, a Kubernetes API server's): unlike spec files,
    /// answers need no positions. nil when `bytes` is empty or not JSON; a bare scalar
    /// ("fragment") is accepted. A key given twice keeps its last value, and numbers are
    /// written as `Int64`/`UInt64`/`Double` print them ("1.50" becomes "1.5"), as they were
    /// when answers went through Foundation's `JSONSerialization`.
    public init?(answer bytes: [UInt8]) {
        guard !bytes.isEmpty,
              let node = try? JSONParser.parse(bytes, maxDepth: 512, rejectDuplicateKeys: false),
              let value = node.value.answerNumbersNormalized() else {
            return nil
        }
        self = value
    }

    /// nil when a number does not fit a finite `Double`.
    private func answerNumbersNormalized() -> JSONValue? {
        switch self {
        case .number(let text):
            if let integer = Int64(text) { return .number(String(integer)) }
            if let integer = UInt64(text) { return .number(String(integer)) }
            guard let double = Double(text), double.isFinite else { return nil }
            return .number(String(double))
        case .array(let elements):
            var values: [JSONValue] = []
            values.reserveCapacity(elements.count)
            for element in elements {
                guard let value = element.answerNumbersNormalized() else { return nil }
                values.append(value)
            }
            return .array(values)
        case .object(let object):
            var values: [String: JSONValue] = [:]
            values.reserveCapacity(object.count)
            for (key, element) in object {
                guard let value = element.answerNumbersNormalized() else { return nil }
                values[key] = value
            }
            return .object(values)
        case .null, .bool, .string:
            return self
        }
    }
}
