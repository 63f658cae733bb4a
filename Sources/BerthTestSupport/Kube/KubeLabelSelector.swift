/// A `labelSelector` query as kube-apiserver parses it: comma-separated requirements
/// `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k` (exists), `!k` (does not exist).
struct KubeLabelSelector: Sendable {
    enum Requirement: Sendable {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case doesNotExist(String)
    }

    var requirements: [Requirement]

    /// The selector that matches everything.
    static let everything = KubeLabelSelector(requirements: [])

    init(requirements: [Requirement]) {
        self.requirements = requirements
    }

    func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let key, let value): return labels[key] == value
            case .notEquals(let key, let value): return labels[key] != value
            case .isIn(let key, let values): return labels[key].map(values.contains) ?? false
            case .notIn(let key, let values): return !(labels[key].map(values.contains) ?? false)
            case .exists(let key): return labels[key] != nil
            case .doesNotExist(let key): return labels[key] == nil
            }
        }
    }

    private enum Token: Equatable {
        case identifier(String)
        case op(String)

        var text: String {
            switch self {
            case .identifier(let text), .op(let text): return text
            }
        }
    }

    /// Parses `text`; throws the message the real server gives (400 BadRequest).
    init(parsing text: String) throws(KubeStatus) {
        requirements = []
        var tokens = Self.lex(text)[...]
        func fail(_ found: Token?, expected: String) -> KubeStatus {
            .badRequest("unable to parse requirement: found '\(found?.text ?? "")', expected: \(expected)")
        }
        func identifier() throws(KubeStatus) -> String {
            guard case .identifier(let name)? = tokens.first else { throw fail(tokens.first, expected: "identifier") }
            tokens.removeFirst()
            return name
        }
        while !tokens.isEmpty {
            if tokens.first == .op("!") {
                tokens.removeFirst()
                requirements.append(.doesNotExist(try identifier()))
            } else {
                let key = try identifier()
                switch tokens.first {
                case nil, .op(",")?:
                    requirements.append(.exists(key))
                case .op("=")?, .op("==")?, .op("!=")?:
                    let op = tokens.removeFirst()
                    var value = ""
                    if case .identifier(let text)? = tokens.first {
                        value = text
                        tokens.removeFirst()
                    } else if let next = tokens.first, next != .op(",") {
                        throw fail(next, expected: "identifier")
                    }
                    requirements.append(op == .op("!=") ? .notEquals(key, value) : .equals(key, value))
                case .identifier(let word)? where word == "in" || word == "notin":
                    tokens.removeFirst()
                    guard tokens.first == .op("(") else { throw fail(tokens.first, expected: "'('") }
                    tokens.removeFirst()
                    var values: Set<String> = []
                    while tokens.first != .op(")") {
                        values.insert(try identifier())
                        if tokens.first == .op(",") { tokens.removeFirst() } else if tokens.first != .op(")") {
                            throw fail(tokens.first, expected: "',' or ')'")
                        }
                    }
                    tokens.removeFirst()
                    requirements.append(word == "in" ? .isIn(key, values) : .notIn(key, values))
                case let other?:
                    throw fail(other, expected: "'=', '!=', '==', 'in', notin'")
                }
            }
            guard let next = tokens.first else { break }
            guard next == .op(",") else { throw fail(next, expected: "','") }
            tokens.removeFirst()
        }
    }

    private static func lex(_ text: String) -> [Token] {
        var tokens: [Token] = []
        var chars = Array(text)[...]
        while let char = chars.first {
            if char == " " || char == "\t" {
                chars.removeFirst()
            } else if "=!(),".contains(char) {
                chars.removeFirst()
                if (char == "=" || char == "!"), chars.first == "=" {
                    chars.removeFirst()
                    tokens.append(.op(String(char) + "="))
                } else {
                    tokens.append(.op(String(char)))
                }
            } else {
                var word = ""
                while let next = chars.first, !" \t=!(),".contains(next) {
                    word.append(next)
                    chars.removeFirst()
                }
                tokens.append(.identifier(word))
            }
        }
        return tokens
    }
}
