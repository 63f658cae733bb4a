import BerthModel

/// A small argument parser: `berth COMMAND [--option value | --option=value | --flag] [WORD...]`.
/// Options may come before or after the command. Which options a command takes is decided
/// by `CommandTable`, not here: this only splits words and refuses names nobody knows.
public struct Arguments: Sendable {
    public struct Option: Sendable {
        public var name: String
        /// What the value is called in the help (`N`, `DURATION`); nil for a flag.
        public var value: String?
        public var help: String
        /// May be given several times (`--allow-delete a --allow-delete b`); values also split on commas.
        public var repeatable: Bool

        public init(name: String, value: String? = nil, help: String, repeatable: Bool = false) {
            self.name = name; self.value = value; self.help = help; self.repeatable = repeatable
        }

        public var takesValue: Bool { value != nil }
    }

    public var command: String?
    public var values: [String: String] = [:]
    /// Every value of a repeatable option, in order, comma-separated ones split.
    public var lists: [String: [String]] = [:]
    public var flags: Set<String> = []
    public var positionals: [String] = []
    /// Every option given, in order, as typed (without the leading dashes).
    public var given: [String] = []

    public static func parse(_ argv: [String], options: [Option]) throws -> Arguments {
        var out = Arguments()
        let byName = Dictionary(options.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var i = 0
        while i < argv.count {
            var word = argv[i]
            i += 1
            if word == "--" { out.positionals += argv[i...]; break }
            guard word.hasPrefix("-"), word.count > 1 else {
                if out.command == nil { out.command = word } else { out.positionals.append(word) }
                continue
            }
            if word == "-h" { out.flags.insert("help"); out.given.append("help"); continue }
            // Terraform's spelling, which people type from habit: -out FILE, -out=FILE.
            if word == "-out" || word.hasPrefix("-out=") { word = "-" + word }
            if word == "-f" { out.flags.insert("follow"); out.given.append("follow"); continue }
            guard word.hasPrefix("--") else { throw usage("unknown option \(word); options are spelled --NAME") }
            var name = String(word.dropFirst(2))
            var inline: String?
            if let eq = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            guard let option = byName[name] else {
                throw usage("unknown option --\(name)" + suggestion(name, options.map(\.name), prefix: "--"))
            }
            out.given.append(name)
            if option.takesValue {
                let value: String
                if let inline { value = inline } else {
                    guard i < argv.count else { throw usage("--\(name) needs a value (\(option.value!))") }
                    value = argv[i]
                    i += 1
                }
                if option.repeatable {
                    out.lists[name, default: []] += value.split(separator: ",").map(String.init).filter { !$0.isEmpty }
                }
                // Given twice, the last one counts, as with docker and kubectl (scripts append overrides).
                out.values[name] = value
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

    /// "; did you mean --json?" when one candidate is close enough to be a typo, else "".
    static func suggestion(_ word: String, _ candidates: [String], prefix: String = "") -> String {
        guard let guess = candidates.min(by: { distance(word, $0) < distance(word, $1) }),
              distance(word, guess) <= max(2, word.count / 3) else { return "" }
        return "; did you mean \(prefix)\(guess)?"
    }

    static func distance(_ a: String, _ b: String) -> Int { Suggest.distance(Array(a), Array(b)) }
}
