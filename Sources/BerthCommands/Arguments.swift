import BerthModel

/// A small argument parser: `berth COMMAND [--option value | --option=value | --flag]...`.
/// Options may come before or after the command; unknown ones are refused by name.
public struct Arguments: Sendable {
    public struct Option: Sendable {
        public var name: String
        public var takesValue: Bool
        public var help: String
    }

    public var command: String?
    public var values: [String: String] = [:]
    public var flags: Set<String> = []
    public var positionals: [String] = []

    public static func parse(_ argv: [String], options: [Option]) throws -> Arguments {
        var out = Arguments()
        let byName = Dictionary(options.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var i = 0
        while i < argv.count {
            let word = argv[i]
            i += 1
            if word == "--" { out.positionals += argv[i...]; break }
            guard word.hasPrefix("-"), word.count > 1 else {
                if out.command == nil { out.command = word } else { out.positionals.append(word) }
                continue
            }
            if word == "-h" { out.flags.insert("help"); continue }
            guard word.hasPrefix("--") else { throw usage("unknown option \(word)") }
            var name = String(word.dropFirst(2))
            var inline: String?
            if let eq = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            guard let option = byName[name] else {
                let guess = options.map(\.name).min { distance(name, $0) < distance(name, $1) }
                let hint = guess.map { distance(name, $0) <= 2 ? "; did you mean --\($0)?" : "" } ?? ""
                throw usage("unknown option --\(name)\(hint)")
            }
            if option.takesValue {
                if let inline { out.values[name] = inline; continue }
                guard i < argv.count else { throw usage("--\(name) needs a value") }
                out.values[name] = argv[i]
                i += 1
            } else {
                if inline != nil { throw usage("--\(name) takes no value") }
                out.flags.insert(name)
            }
        }
        return out
    }

    public func int(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = values[name] else { return fallback }
        guard let n = Int(text), range.contains(n) else {
            throw Arguments.usage("--\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), got \"\(text)\"")
        }
        return n
    }

    static func usage(_ message: String) -> BerthError { BerthError(.usage, message) }

    static func distance(_ a: String, _ b: String) -> Int { Suggest.distance(Array(a), Array(b)) }
}
