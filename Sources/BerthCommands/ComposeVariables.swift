import BerthSystem
/// Compose's variable substitution: `$NAME`, `${NAME}`, `${NAME:-default}`,
/// `${NAME-default}`, `${NAME:?message}`, `${NAME?message}`, `${NAME:+other}`,
/// `${NAME+other}` and `$$` for a dollar sign, from the environment and then from the
/// `.env` file beside the Compose file (the environment wins, as in Compose).
struct ComposeVariables: Sendable {
    /// A `${NAME:?message}` whose variable is missing, or text that is not a substitution.
    struct Failure: Error, Equatable {
        var message: String
    }

    var environment: [String: String]
    var dotEnv: [String: String]

    /// The value of NAME: the environment's, else the .env file's.
    func value(_ name: String) -> String? { environment[name] ?? dotEnv[name] }

    /// `text` with every substitution replaced. `unset` collects the names used without a
    /// default that have no value (Compose substitutes an empty string and warns).
    func substitute(_ text: String, unset: inout [String]) throws(Failure) -> String {
        let scalars = Array(text.unicodeScalars)
        guard scalars.contains("$") else { return text }
        var out = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            guard scalar == "$", index + 1 < scalars.count else {
                out.append(scalar)
                index += 1
                continue
            }
            let next = scalars[index + 1]
            if next == "$" {
                out.append("$")
                index += 2
            } else if next == "{" {
                guard let close = Self.closingBrace(scalars, from: index + 2) else {
                    throw Failure(message: "\"${\" is not closed with \"}\"; write $$ for a literal dollar sign")
                }
                let inner = String(String.UnicodeScalarView(scalars[(index + 2)..<close]))
                out.append(contentsOf: try expand(inner, unset: &unset).unicodeScalars)
                index = close + 1
            } else if Self.isNameStart(next) {
                var end = index + 1
                while end < scalars.count && Self.isNameChar(scalars[end]) { end += 1 }
                let name = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
                if let value = value(name) { out.append(contentsOf: value.unicodeScalars) } else { unset.append(name) }
                index = end
            } else {
                out.append(scalar)
                index += 1
            }
        }
        return String(out)
    }

    /// The name of a value that is exactly `${NAME}` or `$NAME`, nothing else.
    static func wholeReference(_ text: String) -> String? {
        var body = Substring(text)
        guard body.hasPrefix("$") else { return nil }
        body = body.dropFirst()
        if body.hasPrefix("{") && body.hasSuffix("}") { body = body.dropFirst().dropLast() }
        guard let first = body.unicodeScalars.first, isNameStart(first), body.unicodeScalars.allSatisfy(isNameChar) else { return nil }
        return String(body)
    }

    /// One `${...}` body: a name and an optional operator with its word.
    private func expand(_ inner: String, unset: inout [String]) throws(Failure) -> String {
        let scalars = Array(inner.unicodeScalars)
        var end = 0
        while end < scalars.count && Self.isNameChar(scalars[end]) { end += 1 }
        let name = String(String.UnicodeScalarView(scalars[..<end]))
        guard !name.isEmpty, Self.isNameStart(scalars[0]) else {
            throw Failure(message: "\"${\(inner)}\" is not a variable; a name is letters, digits and _, not starting with a digit")
        }
        let rest = Array(scalars[end...])
        let value = value(name)
        if rest.isEmpty {
            if value == nil { unset.append(name) }
            return value ?? ""
        }
        let colon = rest[0] == ":"
        let operatorIndex = colon ? 1 : 0
        guard operatorIndex < rest.count else {
            throw Failure(message: "\"${\(inner)}\": expected :-, -, :?, ?, :+ or + after the name")
        }
        let word = String(String.UnicodeScalarView(rest[(operatorIndex + 1)...]))
        // With a colon, an empty value counts as missing.
        let missing = value == nil || (colon && value!.isEmpty)
        switch rest[operatorIndex] {
        case "-":
            return missing ? try substitute(word, unset: &unset) : value!
        case "?":
            if missing {
                throw Failure(message: "\(name) is required: " + (word.isEmpty ? "it is not set" : (try substitute(word, unset: &unset))))
            }
            return value!
        case "+":
            return missing ? "" : try substitute(word, unset: &unset)
        default:
            throw Failure(message: "\"${\(inner)}\": expected :-, -, :?, ?, :+ or + after the name")
        }
    }

    /// The `}` that closes a `${` whose body starts at `from`, counting nested `${...}`.
    private static func closingBrace(_ scalars: [Unicode.Scalar], from: Int) -> Int? {
        var depth = 0
        var index = from
        while index < scalars.count {
            if scalars[index] == "$" && index + 1 < scalars.count && scalars[index + 1] == "{" {
                depth += 1
                index += 2
                continue
            }
            if scalars[index] == "}" {
                if depth == 0 { return index }
                depth -= 1
            }
            index += 1
        }
        return nil
    }

    static func isNameStart(_ s: Unicode.Scalar) -> Bool { s == "_" || (s.isASCII && s.properties.isAlphabetic) }
    static func isNameChar(_ s: Unicode.Scalar) -> Bool { isNameStart(s) || ("0"..."9").contains(s) }

    /// A `.env` or `env_file` text: `KEY=VALUE` lines, `#` comments, an optional `export `,
    /// values in single quotes (literal) or double quotes (with \n, \t, \" and \\), or bare
    /// (trimmed, a ` #` starts a comment). Returns the pairs in order; a line without `=`
    /// is reported by its 1-based number.
    static func parseEnvFile(_ text: String) throws(Failure) -> [(String, String)] {
        var pairs: [(String, String)] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            line = line.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst(7).drop { $0 == " " } }
            guard let equals = line.firstIndex(of: "=") else {
                throw Failure(message: "line \(number + 1): expected KEY=VALUE")
            }
            let key = line[..<equals].trimmingSpaces()
            guard !key.isEmpty, key.unicodeScalars.allSatisfy({ isNameChar($0) || $0 == "." || $0 == "-" }) else {
                throw Failure(message: "line \(number + 1): \"\(key)\" is not a variable name")
            }
            var value = line[line.index(after: equals)...].trimmingSpaces()
            if value.hasPrefix("'"), value.count >= 2, let close = value.dropFirst().firstIndex(of: "'") {
                value = String(value[value.index(after: value.startIndex)..<close])
            } else if value.hasPrefix("\""), value.count >= 2, let decoded = decodeDoubleQuoted(value) {
                value = decoded
            } else if let comment = value.firstRange(of: " #") {
                value = String(value[..<comment.lowerBound]).trimmingSpaces()
            }
            pairs.append((key, value))
        }
        return pairs
    }

    private static func decodeDoubleQuoted(_ text: String) -> String? {
        var out = ""
        var escaped = false
        for character in text.dropFirst() {
            if escaped {
                switch character {
                case "n": out.append("\n")
                case "t": out.append("\t")
                default: out.append(character)
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                return out
            } else {
                out.append(character)
            }
        }
        return nil
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        let trimmed = drop { $0 == " " || $0 == "\t" }
        return String(trimmed.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
