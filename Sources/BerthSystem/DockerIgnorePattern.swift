/// One compiled `.dockerignore` pattern, matching the way moby/patternmatcher does.
///
/// patternmatcher turns a pattern into a regular expression, but first recognises three
/// shortcuts that behave differently from that expression in corner cases, so they are kept:
/// a pattern without wildcards matches only the identical path; `abc**` (no other wildcard)
/// matches every path starting with `abc`; `**abc` (no other wildcard) every path ending in
/// `abc`, and `**/abc` also `abc` itself. Everything else is matched token by token:
/// `*` is any run of characters except '/', `?` one character except '/', `[...]` a class
/// (`^` negates, `a-z` ranges, `\` escapes), `**` followed by more pattern any number of
/// leading directories, `**` at the end anything, `\x` the character x.
struct DockerIgnorePattern: Sendable, Equatable {
    /// The pattern after cleaning, without the leading '!' of an exception.
    let text: String
    /// Whether this is an exception (`!pattern`) that re-includes what it matches.
    let isException: Bool
    private let form: Form

    private enum Form: Sendable, Equatable {
        case exact
        case prefix(String)
        case suffix(String)
        case tokens([Token])
    }

    private enum Token: Sendable, Equatable {
        case literal(Unicode.Scalar)
        /// `?`
        case oneCharacter
        /// `*`
        case withinName
        /// `**` with more pattern after it: `(.*/)?`
        case anyDirectories
        /// `**` at the end of a pattern that already had a wildcard: `.*`
        case anything
        case set(CharacterSet)
    }

    private struct CharacterSet: Sendable, Equatable {
        var negated: Bool
        var ranges: [ClosedRange<UInt32>]

        func contains(_ scalar: Unicode.Scalar) -> Bool {
            ranges.contains { $0.contains(scalar.value) } != negated
        }
    }

    /// Compiles an already-cleaned pattern (see `DockerIgnore`).
    init(_ text: String, isException: Bool) throws(DockerIgnoreError) {
        self.text = text
        self.isException = isException
        form = try Self.compile(text)
    }

    /// Whether `path`, relative and '/'-separated, matches the pattern itself (parents are
    /// the caller's business). Compares bytes, not canonically equivalent characters, as Go does.
    func matches(_ path: String) -> Bool {
        switch form {
        case .exact:
            return path.utf8.elementsEqual(text.utf8)
        case .prefix(let prefix):
            return path.utf8.starts(with: prefix.utf8)
        case .suffix(let suffix):
            if path.utf8.reversed().starts(with: suffix.utf8.reversed()) { return true }
            return suffix.utf8.first == UInt8(ascii: "/") && path.utf8.elementsEqual(suffix.utf8.dropFirst())
        case .tokens(let tokens):
            return Self.match(tokens, Array(path.unicodeScalars))
        }
    }

    // MARK: Compiling

    private static func compile(_ text: String) throws(DockerIgnoreError) -> Form {
        let scalars = Array(text.unicodeScalars)
        var tokens: [Token] = []
        // patternmatcher's matchType: it starts as exact and each wildcard may change it.
        enum Detected { case exact, prefix, suffix, tokens }
        var detected = Detected.exact
        var index = 0
        var step = 0
        func fail(_ reason: String) -> DockerIgnoreError {
            DockerIgnoreError(pattern: text, reason: reason)
        }
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            defer { step += 1 }
            switch scalar {
            case "*":
                guard index < scalars.count, scalars[index] == "*" else {
                    tokens.append(.withinName)
                    detected = .tokens
                    continue
                }
                index += 1
                if index < scalars.count && scalars[index] == "/" { index += 1 }
                if index == scalars.count {
                    if detected == .exact {
                        detected = .prefix
                    } else {
                        tokens.append(.anything)
                        detected = .tokens
                    }
                } else {
                    tokens.append(.anyDirectories)
                    detected = .tokens
                }
                if step == 0 { detected = .suffix }
            case "?":
                tokens.append(.oneCharacter)
                detected = .tokens
            case "\\":
                guard index < scalars.count else { throw fail("it ends with an unescaped backslash") }
                tokens.append(.literal(scalars[index]))
                index += 1
                detected = .tokens
            case "[":
                let set = try parseSet(scalars, from: &index, fail: fail)
                tokens.append(.set(set))
                detected = .tokens
            case "]":
                tokens.append(.literal(scalar))
                detected = .tokens
            default:
                tokens.append(.literal(scalar))
            }
        }
        switch detected {
        case .exact: return .exact
        case .prefix: return .prefix(String(text.utf8.dropLast(2))!)
        case .suffix: return .suffix(String(text.utf8.dropFirst(2))!)
        case .tokens: return .tokens(tokens)
        }
    }

    /// Parses a class after its '[' up to and including the closing ']', with the rules Go's
    /// filepath.Match checks (which Docker runs to reject bad patterns): at least one item,
    /// no bare '-' or ']' as an item, ranges in order, `\` escapes the next character.
    private static func parseSet(
        _ scalars: [Unicode.Scalar], from index: inout Int, fail: (String) -> DockerIgnoreError
    ) throws(DockerIgnoreError) -> CharacterSet {
        var set = CharacterSet(negated: false, ranges: [])
        if index < scalars.count && scalars[index] == "^" {
            set.negated = true
            index += 1
        }
        func item(_ index: inout Int) throws(DockerIgnoreError) -> Unicode.Scalar {
            guard index < scalars.count else { throw fail("a character class is not closed with ']'") }
            var scalar = scalars[index]
            if scalar == "-" || scalar == "]" { throw fail("a character class has a bare '\(scalar)'") }
            if scalar == "\\" {
                index += 1
                guard index < scalars.count else { throw fail("a character class is not closed with ']'") }
                scalar = scalars[index]
            }
            index += 1
            return scalar
        }
        while true {
            if index < scalars.count && scalars[index] == "]" && !set.ranges.isEmpty {
                index += 1
                return set
            }
            let low = try item(&index)
            var high = low
            if index < scalars.count && scalars[index] == "-" {
                index += 1
                high = try item(&index)
            }
            guard low.value <= high.value else { throw fail("the character range \(low)-\(high) is reversed") }
            set.ranges.append(low.value...high.value)
        }
    }

    // MARK: Matching

    /// Runs the tokens over `path` keeping the set of positions reachable so far, which is
    /// linear in the pattern times the path: no backtracking blow-up on many stars.
    private static func match(_ tokens: [Token], _ path: [Unicode.Scalar]) -> Bool {
        let count = path.count
        var reachable = [Bool](repeating: false, count: count + 1)
        reachable[0] = true
        for token in tokens {
            var next = [Bool](repeating: false, count: count + 1)
            switch token {
            case .literal(let expected):
                for i in 0..<count where reachable[i] && path[i] == expected { next[i + 1] = true }
            case .oneCharacter:
                for i in 0..<count where reachable[i] && path[i] != "/" { next[i + 1] = true }
            case .set(let set):
                for i in 0..<count where reachable[i] && set.contains(path[i]) { next[i + 1] = true }
            case .withinName:
                for i in 0...count {
                    next[i] = reachable[i] || (i > 0 && next[i - 1] && path[i - 1] != "/")
                }
            case .anything:
                // Go's '.' does not match a newline; neither does this.
                for i in 0...count {
                    next[i] = reachable[i] || (i > 0 && next[i - 1] && path[i - 1] != "\n")
                }
            case .anyDirectories:
                // Zero characters, or characters without a newline ending in '/'.
                var open = false
                for i in 0...count {
                    if i > 0 {
                        if path[i - 1] == "/" && open { next[i] = true }
                        if path[i - 1] == "\n" { open = false }
                    }
                    if reachable[i] {
                        next[i] = true
                        open = true
                    }
                }
            }
            reachable = next
            if !reachable.contains(true) { return false }
        }
        return reachable[count]
    }
}
