import BerthJSON

/// Literal (`|`) and folded (`>`) block scalars, which is how certificates and keys get
/// pasted into kubeconfig files by hand.
extension YAMLReader {
    /// What happens to the line breaks at the end of a block scalar.
    enum Chomping { case clip, strip, keep }

    /// One line of a block scalar's body, with the indentation removed.
    private enum BodyLine {
        case empty
        case text(Range<Int>)
    }

    /// Parses the block scalar whose `|` or `>` is at `offset` on line `index`; its
    /// content is the following lines indented deeper than `parentIndent`.
    mutating func parseBlockScalar(line index: Int, at offset: Int, parentIndent: Int) throws(YAMLError) -> String {
        let folded = bytes[offset] == .greaterThan
        let end = lines[index].end
        var chomping = Chomping.clip
        var explicitIndent: Int?
        var position = offset + 1
        // The chomping and indentation indicators may come in either order, once each.
        while position < end {
            let byte = bytes[position]
            if (byte == .dash || byte == .plus) && chomping == .clip {
                chomping = byte == .dash ? .strip : .keep
            } else if byte >= UInt8(ascii: "1") && byte <= UInt8(ascii: "9") && explicitIndent == nil {
                explicitIndent = Int(byte - UInt8(ascii: "0"))
            } else {
                break
            }
            position += 1
        }
        if position < end && !bytes[position].isWhite {
            throw fail("invalid block scalar header", line: index, at: position)
        }
        try expectLineEnd(line: index, after: position)

        var contentIndent = explicitIndent.map { max(parentIndent, 0) + $0 }
        var body: [BodyLine] = []
        var row = index + 1
        while row < lines.count {
            let line = lines[row]
            var spacesEnd = line.start
            while spacesEnd < line.end && bytes[spacesEnd] == .space { spacesEnd += 1 }
            let spaces = spacesEnd - line.start
            let onlySpaces = spacesEnd == line.end
            if contentIndent == nil && !onlySpaces {
                // Auto-detection: the first non-empty line sets the indentation.
                if spaces <= parentIndent { break }
                contentIndent = spaces
            }
            if onlySpaces {
                // Spaces beyond the content indentation are content; fewer are nothing.
                if let indent = contentIndent, spaces > indent {
                    body.append(.text(line.start + indent..<line.end))
                } else {
                    body.append(.empty)
                }
            } else if let indent = contentIndent, spaces >= indent {
                body.append(.text(line.start + indent..<line.end))
            } else {
                break
            }
            row += 1
        }
        current = row

        // Trailing empty lines belong to chomping, not to the body.
        var bodyEnd = body.count
        while bodyEnd > 0, case .empty = body[bodyEnd - 1] { bodyEnd -= 1 }
        let trailingEmpty = body.count - bodyEnd
        var out: [UInt8] = []
        var pendingEmpty = 0
        var previousMoreIndented = false
        var isFirst = true
        for entry in body[..<bodyEnd] {
            guard case .text(let range) = entry else {
                pendingEmpty += 1
                continue
            }
            let moreIndented = !range.isEmpty && bytes[range.lowerBound].isWhite
            if isFirst {
                out.append(contentsOf: repeatElement(.newline, count: pendingEmpty))
            } else if folded && !previousMoreIndented && !moreIndented {
                // Folding: a single break between text lines becomes a space; each
                // empty line in between stands for one kept break.
                if pendingEmpty == 0 {
                    out.append(.space)
                } else {
                    out.append(contentsOf: repeatElement(.newline, count: pendingEmpty))
                }
            } else {
                out.append(contentsOf: repeatElement(.newline, count: pendingEmpty + 1))
            }
            out.append(contentsOf: bytes[range])
            isFirst = false
            previousMoreIndented = moreIndented
            pendingEmpty = 0
        }
        switch chomping {
        case .strip:
            break
        case .clip:
            if !isFirst { out.append(.newline) }
        case .keep:
            out.append(contentsOf: repeatElement(.newline, count: (isFirst ? 0 : 1) + trailingEmpty))
        }
        return String(decoding: out, as: UTF8.self)
    }
}
