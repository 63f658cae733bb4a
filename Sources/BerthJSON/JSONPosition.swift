/// A place in a JSON document, as an editor shows it to a person.
///
/// Both numbers are 1-based. The column counts Unicode scalars, not bytes, so a line
/// holding `"café": 1` puts the `1` at the same column an editor does. Lines are
/// separated by `\n` only; a `\r` before it is just another character on the line.
public struct JSONPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The 1-based line number.
    public var line: Int
    /// The 1-based column, counted in Unicode scalars from the start of the line.
    public var column: Int

    /// Creates a position from a 1-based line and column.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `LINE:COLUMN`, the form compilers use, so editors can jump to it.
    public var description: String { "\(line):\(column)" }

    /// Document order, so collected errors can be reported top to bottom.
    public static func < (lhs: JSONPosition, rhs: JSONPosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}

/// Turns byte offsets into line/column positions while the parser walks forward.
///
/// Counting columns from the start of the line each time would make a long single-line
/// document (minified JSON) quadratic, so the tracker remembers the last offset it
/// resolved and only counts the bytes in between. The parser asks for positions in
/// increasing order almost always; the rare step backwards recounts from the line start.
struct PositionTracker {
    private(set) var line = 1
    private var lineStart: Int
    private var cachedOffset: Int
    private var cachedColumn = 1

    /// `lineStart` is the offset of the first character of line 1 (after a BOM, if any).
    init(lineStart: Int) {
        self.lineStart = lineStart
        self.cachedOffset = lineStart
    }

    /// Records the `\n` at `offset`; the next line begins right after it.
    mutating func newLine(at offset: Int) {
        line += 1
        lineStart = offset + 1
        cachedOffset = offset + 1
        cachedColumn = 1
    }

    /// The position of the byte at `offset`, which must be on the current line.
    ///
    /// UTF-8 continuation bytes (`10xxxxxx`) do not start a scalar, so skipping them
    /// counts scalars. Offsets past the end give the position just after the last byte,
    /// which is where "unexpected end of input" points.
    mutating func position(at offset: Int, in bytes: [UInt8]) -> JSONPosition {
        if offset < cachedOffset {
            cachedOffset = lineStart
            cachedColumn = 1
        }
        let end = min(offset, bytes.count)
        var column = cachedColumn
        var index = cachedOffset
        while index < end {
            if bytes[index] & 0xC0 != 0x80 {
                column += 1
            }
            index += 1
        }
        cachedOffset = max(index, cachedOffset)
        cachedColumn = column
        return JSONPosition(line: line, column: column)
    }
}
