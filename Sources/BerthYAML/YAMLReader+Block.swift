import BerthJSON

/// Block structure: nodes, mappings and sequences, decided by indentation.
///
/// Every parse function starts at a byte offset on a line and leaves `current` at the
/// first line it did not consume, so callers only ever look forward.
extension YAMLReader {
    /// Parses the node starting at `offset` on line `index`.
    ///
    /// `parentIndent` is the indentation of the enclosing collection (-1 at the top),
    /// which bounds block scalars. `inline` means the node follows `key: ` on the same
    /// line, where YAML allows no block collection to begin.
    mutating func parseNode(line index: Int, at offset: Int, parentIndent: Int, inline: Bool) throws(YAMLError) -> JSONNode {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else {
            throw fail("nesting deeper than \(Self.maxDepth) levels is not supported", line: index, at: offset)
        }
        let line = lines[index]
        let first = bytes[offset]
        let here = position(line: index, at: offset)
        if first == .ampersand {
            return try parseAnchored(line: index, at: offset, parentIndent: parentIndent, inline: inline)
        }
        if first == .asterisk {
            let (node, after) = try alias(line: index, at: offset)
            try expectLineEnd(line: index, after: after)
            current = index + 1
            return node
        }
        let spaced = offset + 1 == line.end || bytes[offset + 1].isWhite
        try rejectUnsupported(line: index, at: offset)
        switch first {
        case .dash where spaced:
            if inline {
                throw fail("a block sequence cannot start on the same line as its key", line: index, at: offset)
            }
            return try parseSequence(line: index, indent: offset - line.start, sharesKeyIndent: false)
        case .pipe, .greaterThan:
            return counted(JSONNode(position: here, kind: .string(try parseBlockScalar(line: index, at: offset, parentIndent: parentIndent))))
        case .openBracket, .openBrace:
            var cursor = FlowCursor(line: index, offset: offset)
            let node = try parseFlowNode(&cursor)
            try expectLineEnd(line: cursor.line, after: cursor.offset)
            current = cursor.line + 1
            return node
        default:
            break
        }
        if !inline, try scanKey(line: index, at: offset) != nil {
            return try parseMapping(line: index, indent: offset - line.start)
        }
        let value: JSONNode.Kind
        var last = index
        let after: Int
        if first == .doubleQuote || first == .singleQuote {
            let (text, endLine, end) = try parseQuoted(line: index, at: offset, multiline: true)
            (value, last, after) = (.string(text), endLine, end)
        } else {
            let (text, end) = try scanPlain(line: index, at: offset)
            (value, after) = (YAMLScalar.resolveKind(text), end)
        }
        try expectLineEnd(line: last, after: after)
        current = last + 1
        return counted(JSONNode(position: here, kind: value))
    }

    /// `&name node`: the node may follow on the same line or start on the next lines,
    /// indented deeper than the parent (`base: &base` and a mapping below, as Compose
    /// files write their shared settings).
    mutating func parseAnchored(line index: Int, at offset: Int, parentIndent: Int, inline: Bool) throws(YAMLError) -> JSONNode {
        let (name, afterName) = anchorName(line: index, at: offset)
        let before = nodesBuilt
        let content = skipWhite(afterName, line: index)
        let node: JSONNode
        if content < lines[index].end && bytes[content] != .hash {
            if !inline, try scanKey(line: index, at: content) != nil {
                throw fail("an anchor on a mapping must stand alone on its line, with the mapping below it", line: index, at: offset)
            }
            node = try parseNode(line: index, at: content, parentIndent: parentIndent, inline: inline)
        } else {
            current = index + 1
            node = try parseValueBelow(indent: parentIndent, allowSameIndentSequence: inline,
                                       empty: position(line: index, at: offset))
        }
        anchors[name] = Anchor(node: node, weight: nodesBuilt - before)
        return node
    }

    /// Refuses the YAML features outside the subset where they begin a node or key,
    /// so the message names the feature instead of a confusing consequence.
    func rejectUnsupported(line index: Int, at offset: Int) throws(YAMLError) {
        let next: UInt8? = offset + 1 < lines[index].end ? bytes[offset + 1] : nil
        let message: String
        switch bytes[offset] {
        case .ampersand: message = "an anchor (`&`) cannot name a mapping key"
        case .asterisk: message = "an alias (`*`) cannot be a mapping key"
        case UInt8(ascii: "!"): message = "tags (`!`) are not supported"
        case UInt8(ascii: "?") where next == nil || next!.isWhite: message = "complex mapping keys (`? `) are not supported"
        default: return
        }
        throw fail(message, line: index, at: offset)
    }

    /// Whether line `index` holds a sequence entry (`-` and white space or end) at `indent`.
    func isEntry(line index: Int, indent: Int) -> Bool {
        let line = lines[index]
        let dash = line.start + indent
        return line.indent == indent && dash < line.end && bytes[dash] == .dash
            && (dash + 1 == line.end || bytes[dash + 1].isWhite)
    }

    /// Parses a block mapping whose first key starts at column `indent` of line `index`
    /// (mid-line when it follows `- `); later keys must start at the same column.
    ///
    /// `<<` merge keys take the members of the mapping (or of each mapping in a list) they
    /// name, unless the mapping sets the key itself; an earlier mapping in the list wins
    /// over a later one, as in YAML 1.1 and Compose.
    mutating func parseMapping(line index: Int, indent: Int) throws(YAMLError) -> JSONNode {
        var members: [JSONMember] = []
        var keys: Set<String> = []
        var merged: [JSONMember] = []
        var row = index
        while true {
            let offset = lines[row].start + indent
            try rejectUnsupported(line: row, at: offset)
            if bytes[offset] == .openBracket || bytes[offset] == .openBrace {
                throw fail("only plain or quoted scalars can be mapping keys", line: row, at: offset)
            }
            guard let (key, afterColon) = try scanKey(line: row, at: offset) else {
                throw fail("expected a mapping entry `key: value`", line: row, at: offset)
            }
            let isMerge = key == "<<" && bytes[offset] != .doubleQuote && bytes[offset] != .singleQuote
            // YAML forbids duplicate keys; silently keeping one would hide a mistake.
            if !isMerge && keys.contains(key) {
                throw fail("duplicate mapping key \"\(key)\"", line: row, at: offset)
            }
            let keyPosition = position(line: row, at: offset)
            let valueStart = skipWhite(afterColon, line: row)
            let value: JSONNode
            if valueStart < lines[row].end && bytes[valueStart] != .hash {
                value = try parseNode(line: row, at: valueStart, parentIndent: indent, inline: true)
            } else {
                current = row + 1
                value = try parseValueBelow(indent: indent, allowSameIndentSequence: true, empty: keyPosition)
            }
            if isMerge {
                merged += try mergeSources(value, line: row, at: valueStart)
            } else {
                keys.insert(key)
                members.append(JSONMember(key: key, keyPosition: keyPosition, value: value))
            }
            try skipBlank()
            guard current < lines.count, marker(current) == nil else { break }
            let next = lines[current]
            if next.indent < indent { break }
            if next.indent > indent {
                throw fail("unexpected indentation (multi-line plain scalars are not supported)",
                           line: current, at: next.start + next.indent)
            }
            row = current
        }
        for member in merged where !keys.contains(member.key) {
            keys.insert(member.key)
            members.append(member)
        }
        return counted(JSONNode(position: position(line: index, at: lines[index].start + indent), kind: .object(members)))
    }

    /// The members a `<<` value brings: a mapping's, or those of each mapping in a list.
    func mergeSources(_ value: JSONNode, line: Int, at offset: Int) throws(YAMLError) -> [JSONMember] {
        if let members = value.members { return members }
        if let elements = value.elements {
            var all: [JSONMember] = []
            for element in elements {
                guard let members = element.members else {
                    throw fail("a merge key `<<` takes a mapping or a list of mappings, got a list holding \(element.typeName)", line: line, at: offset)
                }
                all += members
            }
            return all
        }
        throw fail("a merge key `<<` takes a mapping or a list of mappings, got \(value.typeName)", line: line, at: offset)
    }

    /// Parses the value of a key or entry whose line ended after its indicator: a node
    /// indented deeper than `indent`, a sequence at the same indentation (the layout
    /// kubectl writes under mapping keys), or nothing, which is null (placed at `empty`).
    mutating func parseValueBelow(indent: Int, allowSameIndentSequence: Bool, empty: JSONPosition) throws(YAMLError) -> JSONNode {
        try skipBlank()
        guard current < lines.count, marker(current) == nil else { return counted(JSONNode(position: empty, kind: .null)) }
        let next = lines[current]
        if next.indent > indent {
            return try parseNode(line: current, at: next.start + next.indent, parentIndent: indent, inline: false)
        }
        if allowSameIndentSequence && isEntry(line: current, indent: indent) {
            return try parseSequence(line: current, indent: indent, sharesKeyIndent: true)
        }
        return counted(JSONNode(position: empty, kind: .null))
    }

    /// Parses a block sequence whose first `-` is at column `indent` of line `index`.
    ///
    /// `sharesKeyIndent` says the sequence is the value of a key at the same column, so
    /// a following non-entry line at that column is the parent's next key, not an error.
    mutating func parseSequence(line index: Int, indent: Int, sharesKeyIndent: Bool) throws(YAMLError) -> JSONNode {
        var items: [JSONNode] = []
        var row = index
        while true {
            let dash = lines[row].start + indent
            let content = skipWhite(dash + 1, line: row)
            if content < lines[row].end && bytes[content] != .hash {
                items.append(try parseNode(line: row, at: content, parentIndent: indent, inline: false))
            } else {
                current = row + 1
                items.append(try parseValueBelow(indent: indent, allowSameIndentSequence: false, empty: position(line: row, at: dash)))
            }
            try skipBlank()
            guard current < lines.count, marker(current) == nil else { break }
            let next = lines[current]
            if next.indent < indent { break }
            if next.indent > indent {
                throw fail("unexpected indentation (multi-line plain scalars are not supported)",
                           line: current, at: next.start + next.indent)
            }
            if !isEntry(line: current, indent: indent) {
                if sharesKeyIndent { break }
                throw fail("expected a sequence entry `- `", line: current, at: next.start + next.indent)
            }
            row = current
        }
        return counted(JSONNode(position: position(line: index, at: lines[index].start + indent), kind: .array(items)))
    }
}
