import FoundationEssentials

/// Parses JSON text into `JSONNode`s that remember where every value and key was.
///
/// Foundation's `JSONSerialization` reports no positions, and spec errors must point at
/// `FILE:LINE:COLUMN`, so berth reads JSON itself. The parser is iterative (an explicit
/// stack, not recursion), so hostile nesting costs a clean error rather than the stack;
/// it reads bytes with an integer cursor, so time is linear in the input size.
public enum JSONParser {
    /// Parses one JSON document (RFC 8259; a UTF-8 BOM is skipped and does not count as
    /// a column). Duplicate object keys are an error when `rejectDuplicateKeys`; otherwise
    /// all members are kept in order. More than `maxDepth` nested arrays/objects is an
    /// error, never a stack overflow.
    public static func parse(
        _ bytes: [UInt8], maxDepth: Int = 128, rejectDuplicateKeys: Bool = true
    ) throws(JSONSyntaxError) -> JSONNode {
        var parser = Parser(bytes: bytes, maxDepth: maxDepth, rejectDuplicateKeys: rejectDuplicateKeys)
        return try parser.parseDocument()
    }

    /// Parses one JSON document from `data`; see `parse(_:maxDepth:rejectDuplicateKeys:)`.
    public static func parse(
        _ data: Data, maxDepth: Int = 128, rejectDuplicateKeys: Bool = true
    ) throws(JSONSyntaxError) -> JSONNode {
        try parse([UInt8](data), maxDepth: maxDepth, rejectDuplicateKeys: rejectDuplicateKeys)
    }

    /// Parses one JSON document from `text`; see `parse(_:maxDepth:rejectDuplicateKeys:)`.
    public static func parse(
        _ text: String, maxDepth: Int = 128, rejectDuplicateKeys: Bool = true
    ) throws(JSONSyntaxError) -> JSONNode {
        try parse(Array(text.utf8), maxDepth: maxDepth, rejectDuplicateKeys: rejectDuplicateKeys)
    }
}

/// One open array or object while its contents are being read.
struct Frame {
    let isObject: Bool
    let position: JSONPosition
    var elements: [JSONNode] = []
    var members: [JSONMember] = []
    var keys: Set<String> = []
    /// The key whose value is being read; meaningful only when `hasKey`.
    var key = ""
    var keyPosition = JSONPosition(line: 0, column: 0)
    var hasKey = false
}

/// The parsing state for one document. Scalars (strings, numbers, literals) and UTF-8
/// checks live in `JSONParser+Scalars.swift`; this file handles structure and errors.
struct Parser {
    let bytes: [UInt8]
    let maxDepth: Int
    let rejectDuplicateKeys: Bool
    var offset = 0
    var tracker = PositionTracker(lineStart: 0)
    var stack: [Frame] = []

    init(bytes: [UInt8], maxDepth: Int, rejectDuplicateKeys: Bool) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.rejectDuplicateKeys = rejectDuplicateKeys
    }

    mutating func parseDocument() throws(JSONSyntaxError) -> JSONNode {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            offset = 3
            tracker = PositionTracker(lineStart: 3)
        }
        while true {
            // nil means a container was opened and its first value is still to come.
            guard var node = try readValue() else { continue }
            // Fold finished values into their parents until one needs another value.
            while let parentIndex = stack.indices.last {
                guard let closed = try attach(node, to: parentIndex) else { break }
                node = closed
            }
            if stack.isEmpty {
                skipWhitespace()
                if offset < bytes.count {
                    throw structuralError(SyntaxMessage.trailingContent, innermost: false)
                }
                return node
            }
        }
    }

    /// Reads a scalar, an empty container, or the opening of a non-empty container
    /// (pushing a frame and returning nil).
    private mutating func readValue() throws(JSONSyntaxError) -> JSONNode? {
        skipWhitespace()
        guard offset < bytes.count else { throw error(SyntaxMessage.unexpectedEnd, innermost: true) }
        let start = position(at: offset)
        switch bytes[offset] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let isObject = bytes[offset] == UInt8(ascii: "{")
            guard stack.count < maxDepth else {
                throw error(SyntaxMessage.nestingTooDeep(maxDepth), innermost: true)
            }
            offset += 1
            skipWhitespace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: isObject ? "}" : "]") {
                offset += 1
                return JSONNode(position: start, kind: isObject ? .object([]) : .array([]))
            }
            stack.append(Frame(isObject: isObject, position: start))
            if isObject { try readKey(afterComma: false) }
            return nil
        case UInt8(ascii: "\""):
            return JSONNode(position: start, kind: .string(try readString(quote: start)))
        case UInt8(ascii: "t"):
            try readLiteral("true")
            return JSONNode(position: start, kind: .bool(true))
        case UInt8(ascii: "f"):
            try readLiteral("false")
            return JSONNode(position: start, kind: .bool(false))
        case UInt8(ascii: "n"):
            try readLiteral("null")
            return JSONNode(position: start, kind: .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return JSONNode(position: start, kind: .number(try readNumber()))
        default:
            throw unexpected(SyntaxMessage.expectedValue, innermost: true)
        }
    }

    /// Adds a finished value to the container at `index`, then reads the punctuation
    /// after it. Returns the container's node if that punctuation closed it.
    private mutating func attach(_ node: JSONNode, to index: Int) throws(JSONSyntaxError) -> JSONNode? {
        let isObject = stack[index].isObject
        if isObject {
            // Copy out only the key: copying the whole frame would share its member array
            // and make the append below copy it, turning the parse quadratic.
            let key = stack[index].key
            let keyPosition = stack[index].keyPosition
            stack[index].members.append(JSONMember(key: key, keyPosition: keyPosition, value: node))
            stack[index].hasKey = false
        } else {
            stack[index].elements.append(node)
        }
        skipWhitespace()
        guard offset < bytes.count else { throw error(SyntaxMessage.unexpectedEnd, innermost: false) }
        switch bytes[offset] {
        case UInt8(ascii: ","):
            offset += 1
            if isObject { try readKey(afterComma: true) }
            return nil
        case UInt8(ascii: "}") where isObject, UInt8(ascii: "]") where !isObject:
            offset += 1
            let frame = stack.removeLast()
            return JSONNode(position: frame.position, kind: isObject ? .object(frame.members) : .array(frame.elements))
        default:
            let message = isObject ? SyntaxMessage.expectedCommaOrBrace : SyntaxMessage.expectedCommaOrBracket
            throw structuralError(message, innermost: false)
        }
    }

    /// Reads `"key" :` into the innermost (object) frame.
    private mutating func readKey(afterComma: Bool) throws(JSONSyntaxError) {
        skipWhitespace()
        guard offset < bytes.count else { throw error(SyntaxMessage.unexpectedEnd, innermost: false) }
        guard bytes[offset] == UInt8(ascii: "\"") else {
            throw unexpected(afterComma ? SyntaxMessage.expectedKey : SyntaxMessage.expectedKeyOrBrace, innermost: false)
        }
        let keyPosition = position(at: offset)
        let key = try readString(quote: keyPosition)
        let top = stack.count - 1
        stack[top].key = key
        stack[top].keyPosition = keyPosition
        stack[top].hasKey = true
        if rejectDuplicateKeys, !stack[top].keys.insert(key).inserted {
            throw JSONSyntaxError(message: SyntaxMessage.duplicateKey(key), position: keyPosition, path: path(innermost: true))
        }
        skipWhitespace()
        guard offset < bytes.count else { throw error(SyntaxMessage.unexpectedEnd, innermost: true) }
        guard bytes[offset] == UInt8(ascii: ":") else {
            throw structuralError(SyntaxMessage.expectedColon, innermost: true)
        }
        offset += 1
    }

    mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0D:
                offset += 1
            case 0x0A:
                tracker.newLine(at: offset)
                offset += 1
            default:
                return
            }
        }
    }

    mutating func position(at offset: Int) -> JSONPosition {
        tracker.position(at: offset, in: bytes)
    }

    /// The path the parser is at. `innermost` includes the step into the innermost
    /// container (the element or member being read); without it, the path names the
    /// container itself, which is what punctuation errors are about.
    func path(innermost: Bool) -> JSONPath {
        var components: [JSONPath.Component] = []
        components.reserveCapacity(stack.count)
        for (index, frame) in stack.enumerated() {
            let isLast = index == stack.count - 1
            if isLast && !innermost { break }
            if frame.isObject {
                if frame.hasKey { components.append(.key(frame.key)) }
            } else {
                components.append(.index(frame.elements.count))
            }
        }
        return JSONPath(components: components)
    }

    /// An error at the cursor.
    mutating func error(_ message: String, at errorOffset: Int? = nil, innermost: Bool) -> JSONSyntaxError {
        JSONSyntaxError(message: message, position: position(at: errorOffset ?? offset), path: path(innermost: innermost))
    }

    /// An error about the byte at the cursor, unless that byte starts invalid UTF-8,
    /// which is the more useful thing to report.
    mutating func structuralError(_ message: String, innermost: Bool) -> JSONSyntaxError {
        if utf8SequenceLength(at: offset) == 0 {
            return error(SyntaxMessage.invalidUTF8(bytes[offset]), innermost: innermost)
        }
        return error(message, innermost: innermost)
    }

    /// "expected X, got Y" for the character at the cursor.
    mutating func unexpected(_ message: (String) -> String, innermost: Bool) -> JSONSyntaxError {
        let length = utf8SequenceLength(at: offset)
        guard length > 0 else { return error(SyntaxMessage.invalidUTF8(bytes[offset]), innermost: innermost) }
        let byte = bytes[offset]
        let shown: String
        if byte < 0x20 || byte == 0x7F {
            shown = SyntaxMessage.scalarName(UInt32(byte))
        } else {
            shown = "'" + String(decoding: bytes[offset..<offset + length], as: UTF8.self) + "'"
        }
        return error(message(shown), innermost: innermost)
    }
}
