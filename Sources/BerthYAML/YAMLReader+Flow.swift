import BerthJSON

/// Flow collections: `{}`, `[]`, `["a", "b"]`, `{a: 1, b: [x, y]}`, nested, and spanning
/// lines as Compose files write long `command: [...]` lists.
extension YAMLReader {
    /// A place in the text while reading flow content, which may cross line breaks.
    struct FlowCursor {
        var line: Int
        var offset: Int
    }

    /// Parses the flow node at the cursor and leaves the cursor after it.
    mutating func parseFlowNode(_ cursor: inout FlowCursor) throws(YAMLError) -> JSONNode {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else {
            throw fail("nesting deeper than \(Self.maxDepth) levels is not supported", line: cursor.line, at: cursor.offset)
        }
        let here = position(line: cursor.line, at: cursor.offset)
        switch bytes[cursor.offset] {
        case .openBracket, .openBrace:
            return try parseFlowCollection(&cursor)
        case .ampersand:
            let (name, after) = anchorName(line: cursor.line, at: cursor.offset)
            let before = nodesBuilt
            cursor.offset = after
            try skipFlowSpace(&cursor, opening: here)
            let node = try parseFlowNode(&cursor)
            anchors[name] = Anchor(node: node, weight: nodesBuilt - before)
            return node
        case .asterisk:
            let (node, after) = try alias(line: cursor.line, at: cursor.offset)
            cursor.offset = after
            return node
        case .doubleQuote, .singleQuote:
            let (text, endLine, after) = try parseQuoted(line: cursor.line, at: cursor.offset, multiline: true)
            (cursor.line, cursor.offset) = (endLine, after)
            return counted(JSONNode(position: here, kind: .string(text)))
        default:
            let text = try flowPlain(&cursor)
            return counted(JSONNode(position: here, kind: YAMLScalar.resolveKind(text)))
        }
    }

    /// Parses the collection whose opening bracket is at the cursor.
    private mutating func parseFlowCollection(_ cursor: inout FlowCursor) throws(YAMLError) -> JSONNode {
        let opening = position(line: cursor.line, at: cursor.offset)
        let (openLine, openOffset) = (cursor.line, cursor.offset)
        let isMapping = bytes[cursor.offset] == .openBrace
        let close: UInt8 = isMapping ? .closeBrace : .closeBracket
        var items: [JSONNode] = []
        var members: [JSONMember] = []
        var keys: Set<String> = []
        cursor.offset += 1
        while true {
            try skipFlowSpace(&cursor, opening: opening, openLine: openLine, openOffset: openOffset)
            if bytes[cursor.offset] == close {
                cursor.offset += 1
                let kind: JSONNode.Kind = isMapping ? .object(members) : .array(items)
                return counted(JSONNode(position: opening, kind: kind))
            }
            let entry = cursor
            if bytes[cursor.offset] == .comma || bytes[cursor.offset] == .colon && isIndicatorColon(cursor) {
                throw fail("expected a value", line: cursor.line, at: cursor.offset)
            }
            if isMapping {
                if bytes[cursor.offset] == .openBracket || bytes[cursor.offset] == .openBrace {
                    throw fail("only plain or quoted scalars can be mapping keys", line: cursor.line, at: cursor.offset)
                }
                try rejectUnsupported(line: cursor.line, at: cursor.offset)
                let keyNode = try parseFlowNode(&cursor)
                let key: String
                switch keyNode.kind {
                case .string(let text), .number(let text): key = text
                case .bool(let flag): key = flag ? "true" : "false"
                case .null: key = String(decoding: bytes[entry.offset..<cursor.offset], as: UTF8.self)
                default: throw fail("only plain or quoted scalars can be mapping keys", line: entry.line, at: entry.offset)
                }
                try skipFlowSpace(&cursor, opening: opening, openLine: openLine, openOffset: openOffset)
                var value = JSONNode(position: keyNode.position, kind: .null)
                if bytes[cursor.offset] == .colon {
                    cursor.offset += 1
                    try skipFlowSpace(&cursor, opening: opening, openLine: openLine, openOffset: openOffset)
                    if bytes[cursor.offset] != .comma && bytes[cursor.offset] != close {
                        value = try parseFlowNode(&cursor)
                    }
                }
                if keys.contains(key) {
                    throw fail("duplicate mapping key \"\(key)\"", line: entry.line, at: entry.offset)
                }
                keys.insert(key)
                members.append(JSONMember(key: key, keyPosition: keyNode.position, value: value))
            } else {
                items.append(try parseFlowNode(&cursor))
                try skipFlowSpace(&cursor, opening: opening, openLine: openLine, openOffset: openOffset)
                if bytes[cursor.offset] == .colon {
                    throw fail("mappings inside flow sequences are not supported", line: cursor.line, at: cursor.offset)
                }
            }
            try skipFlowSpace(&cursor, opening: opening, openLine: openLine, openOffset: openOffset)
            if bytes[cursor.offset] == .comma {
                cursor.offset += 1
            } else if bytes[cursor.offset] != close {
                let expected = isMapping ? "`,` or `}`" : "`,` or `]`"
                throw fail("expected \(expected)", line: cursor.line, at: cursor.offset)
            }
        }
    }

    /// Moves the cursor past white space, comments and line breaks to the next token;
    /// running out of text means the collection opened at `openLine:openOffset` never closed.
    private func skipFlowSpace(_ cursor: inout FlowCursor, opening: JSONPosition, openLine: Int? = nil, openOffset: Int? = nil) throws(YAMLError) {
        while true {
            let end = lines[cursor.line].end
            cursor.offset = skipWhite(cursor.offset, line: cursor.line)
            let atComment = cursor.offset < end && bytes[cursor.offset] == .hash
                && (cursor.offset == lines[cursor.line].start || bytes[cursor.offset - 1].isWhite)
            if cursor.offset < end && !atComment { return }
            guard cursor.line + 1 < lines.count, marker(cursor.line + 1) == nil else {
                throw fail("a flow collection is not closed", line: openLine ?? cursor.line, at: openOffset ?? cursor.offset)
            }
            cursor.line += 1
            cursor.offset = lines[cursor.line].start
        }
    }

    /// Whether the `:` at the cursor is an indicator (followed by white space, the end of
    /// the line, or a flow indicator) rather than part of a scalar like `http://x`.
    private func isIndicatorColon(_ cursor: FlowCursor) -> Bool {
        let next = cursor.offset + 1
        return next == lines[cursor.line].end || bytes[next].isWhite
            || [UInt8.comma, .closeBracket, .closeBrace].contains(bytes[next])
    }

    /// Reads a plain scalar inside a flow collection, which ends at a flow indicator, an
    /// indicator colon, a comment or the end of the line.
    private func flowPlain(_ cursor: inout FlowCursor) throws(YAMLError) -> String {
        try rejectUnsupported(line: cursor.line, at: cursor.offset)
        try rejectPlainStart(line: cursor.line, at: cursor.offset)
        let start = cursor.offset
        let end = lines[cursor.line].end
        var textEnd = start
        while cursor.offset < end {
            let byte = bytes[cursor.offset]
            if [UInt8.comma, .openBracket, .closeBracket, .openBrace, .closeBrace].contains(byte) { break }
            if byte == .hash && bytes[cursor.offset - 1].isWhite { break }
            if byte == .colon && isIndicatorColon(cursor) { break }
            if !byte.isWhite { textEnd = cursor.offset + 1 }
            cursor.offset += 1
        }
        cursor.offset = textEnd
        return String(decoding: bytes[start..<textEnd], as: UTF8.self)
    }
}
