import BerthJSON
import BerthModel
import BerthYAML

/// Translates a Compose file into berth specs, one per service: the keys berth has a field
/// for are translated, every other key is reported with its line, and anything that makes
/// the result wrong (bad YAML, a required variable missing, a spec berth would refuse) is
/// an error, so `berth import compose` writes nothing.
struct ComposeImport {
    /// One thing to tell the person: a key left out, or why the import failed.
    struct Note: Sendable, Equatable, CustomStringConvertible {
        var line: Int
        /// Where in the Compose file, in Compose's own terms (`services.web.healthcheck`).
        var path: String
        var message: String
        /// Only for YAML syntax errors, where the column matters.
        var column: Int?
        var description: String { "\(line)\(column.map { ":\($0)" } ?? ""): \(path): \(message)" }
    }

    /// A translated service: the spec's name and its JSON.
    struct Output: Sendable {
        var name: String
        var spec: JSONValue
        /// The Compose file's line of the service, for errors about the spec as a whole.
        var line: Int
    }

    var file: String
    var variables: ComposeVariables
    /// Absolute folder of the Compose file: relative paths in it are relative to it.
    var composeDirectory: String
    /// Absolute folder the specs are written to: build contexts are written relative to it.
    var outDirectory: String
    /// Reads a file named by `env_file`; injected so tests need no files.
    var readFile: @Sendable (String) throws -> String
    /// The spec fields berth accepts today: keys for later fields (health, dependsOn,
    /// networks) are written only once the decoder knows them.
    var acceptedFields: Set<String> = Set(SpecDecoder.fields)
    /// Whether `update` is accepted on a docker spec (today it is Swarm's only).
    var acceptsContainerUpdate = ComposeImport.containerUpdateAccepted

    var notes: [Note] = []
    var errors: [Note] = []
    var outputs: [Output] = []
    var project = "berth"
    /// The Compose file's lines, to read a number back as it was written.
    var sourceLines: [Substring] = []

    init(file: String, variables: ComposeVariables, composeDirectory: String, outDirectory: String,
         readFile: @escaping @Sendable (String) throws -> String) {
        self.file = file
        self.variables = variables
        self.composeDirectory = composeDirectory
        self.outDirectory = outDirectory
        self.readFile = readFile
    }

    /// Parses and translates `text`; afterwards `outputs`, `notes` and `errors` hold the result.
    mutating func run(_ source: String) {
        sourceLines = source.split(separator: "\n", omittingEmptySubsequences: false)
        let root: JSONNode
        do {
            root = try YAMLParser.parseNode(source)
        } catch {
            errors.append(Note(line: error.line, path: "$", message: error.message, column: error.column))
            return
        }
        guard let members = root.members else {
            errors.append(Note(line: root.position.line, path: "$", message: "expected a Compose file (a mapping with services), got \(root.typeName)"))
            return
        }
        project = Names.sanitized(lastComponent(composeDirectory))
        if let name = root.member("name"), let text = text(name.value, "name") { project = Names.sanitized(text) }
        for member in members {
            switch member.key {
            case "services", "name": break
            case "version": break  // obsolete in Compose itself
            case "volumes": topLevelVolumes(member)
            case "networks":
                // A bare network is what a spec's "networks" makes; settings (driver, ipam…) are not taken.
                for network in member.value.members ?? [] where !(network.value.members ?? []).isEmpty {
                    note(network.keyPosition, "networks.\(network.key)", acceptedFields.contains("networks")
                         ? "its settings are not translated (berth makes a plain network of this name for the specs that list it)"
                         : notYet("networks"))
                }
            case let key where key.hasPrefix("x-"): break  // extension fields hold anchors
            default:
                note(member.keyPosition, member.key, "not translated (berth has no top-level \"\(member.key)\")")
            }
        }
        guard let services = root.member("services") else {
            errors.append(Note(line: root.position.line, path: "services", message: "the file has no services"))
            return
        }
        guard let list = services.value.members else {
            fail(services.value, "services", "expected a mapping of services, got \(services.value.typeName)")
            return
        }
        var names: [String: String] = [:]
        for service in list {
            let name = Names.sanitized(service.key)
            if name != service.key {
                note(service.keyPosition, "services.\(service.key)", "the spec is named \"\(name)\": berth names are lowercase letters, digits and '-'")
            }
            if let other = names[name] {
                errors.append(Note(line: service.keyPosition.line, path: "services.\(service.key)",
                                   message: "services \"\(other)\" and \"\(service.key)\" would both be the spec \"\(name)\"; rename one"))
                continue
            }
            names[name] = service.key
            if let spec = translateService(service, name: name) {
                outputs.append(Output(name: name, spec: spec, line: service.keyPosition.line))
            }
        }
    }

    /// Named volumes need no declaration in berth (the engine makes them on first use);
    /// a declaration with settings is reported.
    private mutating func topLevelVolumes(_ member: JSONMember) {
        for volume in member.value.members ?? [] {
            for setting in volume.value.members ?? [] {
                note(setting.keyPosition, "volumes.\(volume.key).\(setting.key)",
                     "not translated (berth uses the volume \"\(volume.key)\" by name, as the engine makes it on first use)")
            }
        }
    }

    // MARK: reporting

    mutating func note(_ position: JSONPosition, _ path: String, _ message: String) {
        notes.append(Note(line: position.line, path: path, message: message))
    }

    mutating func fail(_ node: JSONNode, _ path: String, _ message: String) {
        errors.append(Note(line: node.position.line, path: path, message: message))
    }

    func notYet(_ field: String) -> String { "not translated yet (berth has no \(field))" }

    // MARK: scalars

    /// A scalar as text, with variables substituted; nil (and an error) for anything else.
    mutating func text(_ node: JSONNode, _ path: String) -> String? {
        let raw: String
        switch node.kind {
        case .string(let s): raw = s
        case .number(let n): return literal(at: node.position) ?? n
        case .bool(let b): return b ? "true" : "false"
        default:
            fail(node, path, "expected a string, got \(node.typeName)")
            return nil
        }
        var unset: [String] = []
        do {
            let value = try variables.substitute(raw, unset: &unset)
            for name in unset {
                notes.append(Note(line: node.position.line, path: path, message: "the variable \(name) is not set; an empty string is substituted, as Compose does"))
            }
            return value
        } catch {
            fail(node, path, error.message)
            return nil
        }
    }

    /// A plain number's text as written (`0123`, `0x1F`, `1.50`): the YAML reader gives it in
    /// JSON's form, but an environment value or a label is text and must stay as it was.
    func literal(at position: JSONPosition) -> String? {
        guard position.line >= 1, position.line <= sourceLines.count else { return nil }
        let scalars = sourceLines[position.line - 1].unicodeScalars.dropFirst(position.column - 1)
        let token = scalars.prefix { !$0.properties.isWhitespace && !",]}#".unicodeScalars.contains($0) }
        return token.isEmpty ? nil : String(String.UnicodeScalarView(token))
    }

    /// A string or a list of strings, each substituted.
    mutating func texts(_ node: JSONNode, _ path: String, split: Bool) -> [String]? {
        if let elements = node.elements {
            var out: [String] = []
            for (i, element) in elements.enumerated() {
                guard let item = text(element, "\(path)[\(i)]") else { return nil }
                out.append(item)
            }
            return out
        }
        guard let line = text(node, path) else { return nil }
        if !split { return [line] }
        do { return try ShellWords.split(line) } catch {
            fail(node, path, error.message)
            return nil
        }
    }

    /// A mapping of strings, or a list of `KEY=VALUE` (Compose's two forms of environment,
    /// labels and build args). A value of nil is a key given without a value.
    /// `keepReferences`: a value that is only `${NAME}` is kept as written (environment
    /// values become secret references instead).
    mutating func pairs(_ node: JSONNode, _ path: String, keepReferences: Bool = false) -> [(String, JSONNode, String?)]? {
        if let members = node.members {
            var out: [(String, JSONNode, String?)] = []
            for member in members {
                if case .null = member.value.kind { out.append((member.key, member.value, nil)); continue }
                if keepReferences, case .string(let raw) = member.value.kind, ComposeVariables.wholeReference(raw) != nil {
                    out.append((member.key, member.value, raw))
                    continue
                }
                guard let value = text(member.value, "\(path).\(member.key)") else { return nil }
                out.append((member.key, member.value, value))
            }
            return out
        }
        if let elements = node.elements {
            var out: [(String, JSONNode, String?)] = []
            for (i, element) in elements.enumerated() {
                guard case .string(let raw) = element.kind else {
                    fail(element, "\(path)[\(i)]", "expected \"KEY=VALUE\", got \(element.typeName)")
                    return nil
                }
                guard let equals = raw.firstIndex(of: "=") else { out.append((raw, element, nil)); continue }
                let rawValue = String(raw[raw.index(after: equals)...])
                let valueNode = JSONNode(position: element.position, kind: .string(rawValue))
                if keepReferences && ComposeVariables.wholeReference(rawValue) != nil {
                    out.append((String(raw[..<equals]), valueNode, rawValue))
                    continue
                }
                guard let value = text(valueNode, "\(path)[\(i)]") else { return nil }
                out.append((String(raw[..<equals]), valueNode, value))
            }
            return out
        }
        fail(node, path, "expected a mapping or a list of \"KEY=VALUE\", got \(node.typeName)")
        return nil
    }

    /// A path in the Compose file made absolute: relative to the file's folder, `~` the home.
    func absolutePath(_ path: String) -> String {
        if path.hasPrefix("/") { return Self.normalize(path) }
        if path == "~" || path.hasPrefix("~/") {
            return Self.normalize((variables.environment["HOME"] ?? "/root") + path.dropFirst())
        }
        return Self.normalize(composeDirectory + "/" + path)
    }

    /// `target` written relative to the specs folder, as berth resolves a build context.
    func relativeToOut(_ target: String) -> String {
        let from = outDirectory.split(separator: "/")
        let to = target.split(separator: "/")
        var common = 0
        while common < from.count && common < to.count && from[common] == to[common] { common += 1 }
        let parts = Array(repeating: "..", count: from.count - common) + to[common...].map(String.init)
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    /// `.` and `..` steps resolved (`..` above the root stays at the root).
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == ".." { _ = parts.popLast() } else { parts.append(part) }
        }
        return "/" + parts.joined(separator: "/")
    }

    func lastComponent(_ path: String) -> String { path.split(separator: "/").last.map(String.init) ?? "berth" }
}

/// POSIX shell word splitting, as Compose splits a `command:` or `entrypoint:` string.
enum ShellWords {
    struct Failure: Error { var message: String }

    static func split(_ text: String) throws(Failure) -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in text {
            if escaped {
                if quote == "\"" && !["\"", "\\", "$", "`"].contains(character) { word.append("\\") }
                word.append(character)
                escaped = false
                continue
            }
            switch (quote, character) {
            case (nil, " "), (nil, "\t"), (nil, "\n"):
                if inWord { words.append(word); word = ""; inWord = false }
            case (nil, "'"), (nil, "\""):
                quote = character
                inWord = true
            case ("'", "'"), ("\"", "\""):
                quote = nil
            case (nil, "\\"), ("\"", "\\"):
                escaped = true
                inWord = true
            default:
                word.append(character)
                inWord = true
            }
        }
        if quote != nil { throw Failure(message: "a quote (\(quote!)) is not closed") }
        if escaped { word.append("\\") }
        if inWord { words.append(word) }
        return words
    }
}
