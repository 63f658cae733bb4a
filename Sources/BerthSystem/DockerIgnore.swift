/// The rules of a `.dockerignore` file, read and applied the way the Docker CLI does
/// (moby/patternmatcher and its `ignorefile.ReadAll`), so berth sends the same build context.
///
/// Reading: a UTF-8 byte-order mark is dropped; lines starting with '#' are comments (only in
/// the first column: `  #x` is a pattern); whitespace around a line and after a leading '!'
/// is trimmed; blank lines are skipped; each pattern is cleaned like Go's `filepath.Clean`
/// and a leading '/' removed. Matching: the last pattern that matches a path decides; a
/// pattern that matches one of the path's parent directories matches the path too; `!`
/// patterns are exceptions that re-include.
public struct DockerIgnore: Sendable {
    /// The compiled patterns in file order.
    let patterns: [DockerIgnorePattern]

    /// The patterns as Docker keeps them: cleaned, exceptions with their leading '!'.
    public var lines: [String] {
        patterns.map { $0.isException ? "!" + $0.text : $0.text }
    }

    /// Whether any pattern is an exception.
    public var hasExceptions: Bool { patterns.contains { $0.isException } }

    /// Reads `.dockerignore` content.
    /// - Throws: `DockerIgnoreError` for a malformed pattern (unclosed '[', bare '!', ...),
    ///   which Docker rejects too.
    public init(contents: [UInt8]) throws(DockerIgnoreError) {
        try self.init(patterns: Self.readPatterns(contents))
    }

    /// Compiles patterns as patternmatcher.New does: trimmed, cleaned, empty ones skipped.
    public init(patterns: [String]) throws(DockerIgnoreError) {
        var compiled: [DockerIgnorePattern] = []
        for raw in patterns {
            var pattern = Self.trimmingSpace(Substring(raw))
            if pattern.isEmpty { continue }
            pattern = PathCleaner.clean(pattern)
            var isException = false
            if pattern.hasPrefix("!") {
                guard pattern.count > 1 else {
                    throw DockerIgnoreError(pattern: raw, reason: "an exception needs a pattern after '!'")
                }
                isException = true
                pattern = String(pattern.unicodeScalars.dropFirst())
            }
            compiled.append(try DockerIgnorePattern(pattern, isException: isException))
        }
        self.patterns = compiled
    }

    /// The pattern lines of `.dockerignore` content, as ignorefile.ReadAll returns them.
    public static func readPatterns(_ contents: [UInt8]) -> [String] {
        var bytes = contents[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        var result: [String] = []
        for rawLine in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            var line = rawLine
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            let text = String(decoding: line, as: UTF8.self)
            if text.hasPrefix("#") { continue }
            var pattern = trimmingSpace(Substring(text))
            if pattern.isEmpty { continue }
            let isException = pattern.hasPrefix("!")
            if isException { pattern = trimmingSpace(Substring(pattern.dropFirst())) }
            if !pattern.isEmpty {
                pattern = PathCleaner.clean(pattern)
                if pattern.utf8.count > 1 && pattern.hasPrefix("/") { pattern = String(pattern.unicodeScalars.dropFirst()) }
            }
            result.append(isException ? "!" + pattern : pattern)
        }
        return result
    }

    /// Whether `path` (relative to the context, '/'-separated, clean) is left out of the
    /// context: patternmatcher's MatchesOrParentMatches.
    public func excludes(_ path: String) -> Bool {
        let parents = Self.parentPrefixes(of: path)
        var excluded = false
        for pattern in patterns {
            // Only a pattern that could flip the answer is worth evaluating.
            if pattern.isException != excluded { continue }
            if pattern.matches(path) || parents.contains(where: pattern.matches) {
                excluded = !pattern.isException
            }
        }
        return excluded
    }

    /// Whether an excluded directory must still be walked because an exception names
    /// something below it. Like Docker, only exceptions whose text starts with the directory
    /// count: `!dir/keep` does, `!**/keep` does not.
    public func mayReinclude(under directory: String) -> Bool {
        let prefix = directory + "/"
        return patterns.contains { $0.isException && ($0.text + "/").utf8.starts(with: prefix.utf8) }
    }

    /// Adds the exception `!path` when `path` is excluded, as the Docker CLI does for the
    /// Dockerfile and `.dockerignore`, which are always sent.
    public mutating func alwaysInclude(_ path: String) {
        guard excludes(path), let exception = try? DockerIgnorePattern(path, isException: true) else { return }
        self = DockerIgnore(compiled: patterns + [exception])
    }

    private init(compiled: [DockerIgnorePattern]) {
        patterns = compiled
    }

    /// `a`, `a/b` for `a/b/c`; nothing for a top-level name.
    static func parentPrefixes(of path: String) -> [String] {
        var result: [String] = []
        var current = ""
        let components = path.unicodeScalars.split(separator: "/", omittingEmptySubsequences: false)
        for component in components.dropLast() {
            current = current.isEmpty ? String(component) : current + "/" + String(component)
            result.append(current)
        }
        return result
    }

    /// Trims what Go's strings.TrimSpace trims: Unicode White_Space at both ends.
    static func trimmingSpace(_ text: Substring) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}

/// A `.dockerignore` pattern Docker would refuse.
public struct DockerIgnoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The pattern as written.
    public var pattern: String
    /// What is wrong with it.
    public var reason: String
    /// The `.dockerignore` file, when known.
    public var file: String?

    /// Creates an error for `pattern`.
    public init(pattern: String, reason: String, file: String? = nil) {
        self.pattern = pattern
        self.reason = reason
        self.file = file
    }

    /// `invalid pattern "[a" in ctx/.dockerignore: a character class is not closed with ']'`.
    public var description: String {
        let place = file.map { " in \($0)" } ?? ""
        return "invalid pattern \"\(pattern)\"\(place): \(reason)"
    }
}
