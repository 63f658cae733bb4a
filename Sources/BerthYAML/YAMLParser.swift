import BerthJSON

/// Why a YAML text was refused, and where.
///
/// Kubeconfig files are edited by hand as often as they are written by tools, so every
/// refusal names a 1-based line and column that a person can jump to. Columns count
/// characters (Unicode scalars), not bytes, so they match what an editor shows.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line of the offending text.
    public var line: Int
    /// The 1-based column of the offending text, in characters.
    public var column: Int
    /// What is wrong, in words meant for the person who wrote the file.
    public var message: String

    /// Creates an error; the parser is the usual source.
    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// `LINE:COLUMN: message`, the shape compilers use, so editors can link it.
    public var description: String { "\(line):\(column): \(message)" }
}

/// The ASCII bytes the parser dispatches on, named so the grammar reads as grammar.
extension UInt8 {
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let hash = UInt8(ascii: "#")
    static let colon = UInt8(ascii: ":")
    static let comma = UInt8(ascii: ",")
    static let dash = UInt8(ascii: "-")
    static let dot = UInt8(ascii: ".")
    static let doubleQuote = UInt8(ascii: "\"")
    static let singleQuote = UInt8(ascii: "'")
    static let backslash = UInt8(ascii: "\\")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let pipe = UInt8(ascii: "|")
    static let greaterThan = UInt8(ascii: ">")
    static let plus = UInt8(ascii: "+")
    static let ampersand = UInt8(ascii: "&")
    static let asterisk = UInt8(ascii: "*")

    /// Space or tab: YAML's "white" characters, which separate tokens within a line.
    var isWhite: Bool { self == .space || self == .tab }
}

/// Reads the subset of YAML that kubeconfig and Compose files use into a `JSONValue`.
///
/// berth has no package dependencies, so rather than pull in a full YAML library it
/// reads what `kubectl config`, minikube, kind, cloud CLIs and Compose users actually
/// write: block mappings and sequences (including sequences at the same indentation as
/// their key), plain, quoted (also spanning lines) and block scalars, comments, flow
/// collections (nested, and spanning lines), anchors, aliases and `<<` merge keys. Everything
/// else (tags, complex keys, several documents, tab indentation, multi-line plain scalars) is
/// refused with a `YAMLError` rather than guessed at, because a file that is half
/// understood is worse than one that is rejected.
///
/// The parser works line by line and visits each byte a bounded number of times, so
/// time is linear in the input; nesting is capped so hostile input cannot exhaust the
/// stack, and what aliases expand to is capped too.
public enum YAMLParser {
    /// Parses one YAML document of the subset kubeconfig files use into a `JSONValue`.
    ///
    /// Plain scalars are typed by the YAML 1.2 core schema: `true`/`false`, `null`/`~`/
    /// empty, integers and floats become `.bool`, `.null` and `.number` (normalized to
    /// JSON number syntax, e.g. `+0x1F` is refused as a string but `0x1F` becomes `31`);
    /// everything else, including base64 `*-data` values, is a `.string`.
    public static func parse(_ text: String) throws(YAMLError) -> JSONValue {
        try parseNode(text).value
    }

    /// Parses one YAML document into nodes that keep the line and column where each value
    /// (and each mapping key) starts, so a reader of the document can point at its lines.
    /// Merge keys are resolved and aliases expanded; an alias keeps its anchor's positions.
    public static func parseNode(_ text: String) throws(YAMLError) -> JSONNode {
        var reader = YAMLReader(text)
        return try reader.parseDocument()
    }
}

/// The parsing state: the text as bytes, split into lines, and a cursor over lines.
///
/// Block structure in YAML is decided by lines and their indentation, so the text is
/// cut into lines once, up front, with each line's indentation and blankness measured
/// once; the grammar then only ever moves the cursor forward.
struct YAMLReader {
    /// One physical line; `end` excludes the line break (and a CR before it).
    struct Line {
        var start: Int
        var end: Int
        /// Leading spaces. Meaningless for blank lines.
        var indent: Int
        /// Only white space, or a comment: invisible to block structure.
        var isBlank: Bool
        /// Content indented with a tab, which YAML forbids; reported when reached.
        var tabIndented: Bool
    }

    /// The two document markers YAML recognizes at the start of a line.
    enum Marker { case start, end }

    /// Deeper nesting than any kubeconfig needs, shallow enough to be safe on a
    /// secondary thread's small stack.
    static let maxDepth = 64

    let bytes: [UInt8]
    var lines: [Line] = []
    /// The first line not yet consumed.
    var current = 0
    var depth = 0
    /// Anchors defined so far, by name; a later anchor of the same name replaces it.
    var anchors: [String: Anchor] = [:]
    /// Nodes built so far, aliases counted expanded, against `maxExpandedNodes`.
    var nodesBuilt = 0
    /// The last position asked for: line, byte offset and its column.
    var positionCache: (line: Int, offset: Int, column: Int)?

    init(_ text: String) {
        bytes = Array(text.utf8)
        // A byte order mark is legal at the start of a YAML stream and means nothing.
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var index = start
        while index <= bytes.count {
            if index == bytes.count || bytes[index] == .newline {
                var end = index
                if end > start && bytes[end - 1] == .carriageReturn { end -= 1 }
                if index < bytes.count || start < end { lines.append(measure(start: start, end: end)) }
                start = index + 1
            }
            index += 1
        }
    }

    private func measure(start: Int, end: Int) -> Line {
        var spaces = start
        while spaces < end && bytes[spaces] == .space { spaces += 1 }
        var white = spaces
        while white < end && bytes[white].isWhite { white += 1 }
        let blank = white == end || bytes[white] == .hash
        return Line(start: start, end: end, indent: spaces - start, isBlank: blank,
                    tabIndented: !blank && spaces < end && bytes[spaces] == .tab)
    }

    /// Moves the cursor past blank and comment lines, refusing tab-indented content.
    mutating func skipBlank() throws(YAMLError) {
        while current < lines.count && lines[current].isBlank { current += 1 }
        if current < lines.count && lines[current].tabIndented {
            let line = lines[current]
            throw fail("tabs are not allowed for indentation; use spaces", line: current, at: line.start + line.indent)
        }
    }

    /// The document marker on line `index`, if it is one: `---` or `...` at column 1,
    /// alone or followed by white space.
    func marker(_ index: Int) -> Marker? {
        let line = lines[index]
        guard line.end - line.start >= 3, line.end - line.start == 3 || bytes[line.start + 3].isWhite else { return nil }
        let head = bytes[line.start..<line.start + 3]
        if head.elementsEqual("---".utf8) { return .start }
        if head.elementsEqual("...".utf8) { return .end }
        return nil
    }

    /// Builds an error at byte `offset` of line `index`, counting the column in
    /// characters: UTF-8 continuation bytes do not start a new column.
    func fail(_ message: String, line index: Int, at offset: Int) -> YAMLError {
        let start = lines.isEmpty ? 0 : lines[index].start
        var column = 1
        var position = start
        while position < offset && position < bytes.count {
            if bytes[position] & 0xC0 != 0x80 { column += 1 }
            position += 1
        }
        return YAMLError(line: index + 1, column: column, message: message)
    }

    /// The first offset at or after `offset` on line `index` that is not white space.
    func skipWhite(_ offset: Int, line index: Int) -> Int {
        var position = offset
        while position < lines[index].end && bytes[position].isWhite { position += 1 }
        return position
    }

    /// Insists that nothing but white space and a comment follows `offset` on the line.
    func expectLineEnd(line index: Int, after offset: Int) throws(YAMLError) {
        let position = skipWhite(offset, line: index)
        guard position < lines[index].end else { return }
        // A comment needs white space before it, or it would be part of the token.
        if bytes[position] == .hash && position > offset { return }
        if bytes[position] == .colon {
            throw fail("only plain or quoted scalars can be mapping keys", line: index, at: position)
        }
        throw fail("unexpected text after the value", line: index, at: position)
    }

    /// Parses the single document the text holds, with its optional markers.
    mutating func parseDocument() throws(YAMLError) -> JSONNode {
        try skipBlank()
        if current < lines.count && bytes[lines[current].start] == UInt8(ascii: "%") {
            throw fail("YAML directives are not supported", line: current, at: lines[current].start)
        }
        if current < lines.count && marker(current) == .start {
            let line = lines[current]
            let after = skipWhite(line.start + 3, line: current)
            if after < line.end && bytes[after] != .hash {
                throw fail("content on the `---` line is not supported; start it on the next line", line: current, at: after)
            }
            current += 1
            try skipBlank()
        }
        var value = JSONNode(position: JSONPosition(line: 1, column: 1), kind: .null)
        if current < lines.count && marker(current) == nil {
            let line = lines[current]
            value = try parseNode(line: current, at: line.start + line.indent, parentIndent: -1, inline: false)
            try skipBlank()
        }
        guard current < lines.count else { return value }
        let line = lines[current]
        switch marker(current) {
        case .start:
            throw fail("multiple documents are not supported", line: current, at: line.start)
        case .end:
            current += 1
            try skipBlank()
            guard current < lines.count else { return value }
            let message = marker(current) == .start
                ? "multiple documents are not supported" : "unexpected content after the document end marker `...`"
            throw fail(message, line: current, at: lines[current].start + lines[current].indent)
        case nil:
            throw fail("unexpected content after the top-level value; check its indentation",
                       line: current, at: line.start + line.indent)
        }
    }
}
