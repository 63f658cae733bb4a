import BerthJSON

/// Anchors (`&name`), aliases (`*name`) and the node count that bounds what aliases expand
/// to, plus positions: every node carries the line and column where it starts.
extension YAMLReader {
    /// An anchored node and how many nodes it stands for once its own aliases are expanded.
    struct Anchor {
        var node: JSONNode
        var weight: Int
    }

    /// Nodes an alias may stand for in one document, counted expanded. A few lines of
    /// nested aliases can otherwise describe a billion nodes ("billion laughs").
    static let maxExpandedNodes = 1_000_000

    /// Counts a node just built toward the document's total.
    mutating func counted(_ node: JSONNode) -> JSONNode {
        nodesBuilt += 1
        return node
    }

    /// The anchor name after the `&` or `*` at `offset`, and the offset after it. Names end
    /// at white space or a flow indicator.
    func anchorName(line index: Int, at offset: Int) -> (String, Int) {
        var position = offset + 1
        let end = lines[index].end
        while position < end && !bytes[position].isWhite
            && ![UInt8.comma, .openBracket, .closeBracket, .openBrace, .closeBrace].contains(bytes[position]) {
            position += 1
        }
        return (String(decoding: bytes[offset + 1..<position], as: UTF8.self), position)
    }

    /// The node an alias at `offset` names, and the offset after the alias. An alias keeps
    /// the positions of the anchored node, so a complaint about it points at its definition.
    mutating func alias(line index: Int, at offset: Int) throws(YAMLError) -> (JSONNode, Int) {
        let (name, after) = anchorName(line: index, at: offset)
        guard !name.isEmpty else { throw fail("an alias needs a name after `*`", line: index, at: offset) }
        guard let anchor = anchors[name] else {
            throw fail("unknown anchor \"\(name)\"; an alias can only name an anchor (`&\(name)`) defined above it", line: index, at: offset)
        }
        nodesBuilt += anchor.weight
        guard nodesBuilt <= Self.maxExpandedNodes else {
            throw fail("aliases expand to more than \(Self.maxExpandedNodes) nodes", line: index, at: offset)
        }
        return (anchor.node, after)
    }

    /// The position of byte `offset` on line `index`, columns counted in characters. The
    /// last answer is remembered and counted on from, so the items of a long one-line flow
    /// collection cost their own length, not the line's again each.
    mutating func position(line index: Int, at offset: Int) -> JSONPosition {
        var column = 1
        var from = lines.isEmpty ? 0 : lines[index].start
        if let cached = positionCache, cached.line == index, cached.offset <= offset {
            (column, from) = (cached.column, cached.offset)
        }
        while from < offset && from < bytes.count {
            if bytes[from] & 0xC0 != 0x80 { column += 1 }
            from += 1
        }
        positionCache = (index, offset, column)
        return JSONPosition(line: index + 1, column: column)
    }
}
