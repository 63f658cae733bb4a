/// Field-by-field checks. Each returns nil after recording an error at the offending value.
extension FieldReader {
    mutating func string(_ node: JSONNode, _ path: JSONPath) -> String? {
        guard case .string(let s) = node.kind else {
            fail(node, path, "expected a string, got \(node.typeName)")
            return nil
        }
        return s
    }

    mutating func name(_ node: JSONNode, _ path: JSONPath) -> String? {
        guard let s = string(node, path) else { return nil }
        if s.isEmpty { fail(node, path, "name is empty"); return nil }
        if s.count > SpecDecoder.maxNameLength {
            fail(node, path, "name is \(s.count) characters long; at most \(SpecDecoder.maxNameLength) are allowed")
            return nil
        }
        if !Names.isValid(s) {
            fail(node, path, "\(quoted(s)) is not a valid name: use lowercase letters, digits and '-', starting and ending with a letter or digit")
            return nil
        }
        return s
    }

    mutating func image(_ node: JSONNode, _ path: JSONPath) -> String? {
        guard let s = string(node, path) else { return nil }
        if s.isEmpty || s.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) {
            fail(node, path, "\(quoted(s)) is not an image reference like \"repo:tag\"")
            return nil
        }
        let last = s.split(separator: "/").last.map(String.init) ?? s
        if !last.contains(":") && !s.contains("@") {
            fail(node, path, "image \(quoted(s)) has no tag; write \"\(s):latest\" if the moving tag is really meant")
            return nil
        }
        if let problem = ImageReference.problem(s) {
            fail(node, path, "\(quoted(s)) is not a valid image reference: \(problem)")
            return nil
        }
        return s
    }

    mutating func oneOf(_ node: JSONNode, _ path: JSONPath, _ allowed: [String], what: String) -> String? {
        guard let s = string(node, path) else { return nil }
        guard allowed.contains(s) else {
            let list = allowed.map { "\"\($0)\"" }.joined(separator: ", ")
            fail(node, path, "unknown \(what) \(quoted(s)); expected one of \(list)")
            return nil
        }
        return s
    }

    mutating func stringArray(_ node: JSONNode, _ path: JSONPath) -> [String]? {
        guard case .array(let items) = node.kind else {
            fail(node, path, "expected an array of strings, got \(node.typeName)")
            return nil
        }
        var out: [String] = []
        var ok = true
        for (i, item) in items.enumerated() {
            if let s = string(item, path.appending(index: i)) { out.append(s) } else { ok = false }
        }
        return ok ? out : nil
    }

    mutating func stringMap(_ node: JSONNode, _ path: JSONPath) -> [(String, JSONPosition, String)]? {
        guard case .object(let members) = node.kind else {
            fail(node, path, "expected an object of strings, got \(node.typeName)")
            return nil
        }
        var out: [(String, JSONPosition, String)] = []
        var ok = true
        for member in members {
            if let s = string(member.value, path.appending(key: member.key)) {
                out.append((member.key, member.keyPosition, s))
            } else { ok = false }
        }
        return ok ? out : nil
    }

    /// `env`: each value a string, `{"sealed": "berth-sealed:v1:…"}` (made by `berth seal`),
    /// `{"file": PATH}` or `{"env": NAME}`.
    mutating func environment(_ node: JSONNode, _ path: JSONPath)
        -> (plain: [String: String], sealed: [String: SealedValue], references: [String: SecretReference])? {
        guard case .object(let members) = node.kind else {
            fail(node, path, "expected an object of strings (or {\"sealed\": …}, {\"file\": …}, {\"env\": …} values), got \(node.typeName)")
            return nil
        }
        var env: [String: String] = [:]
        var sealed: [String: SealedValue] = [:]
        var references: [String: SecretReference] = [:]
        var ok = true
        for member in members {
            let (key, position, valuePath) = (member.key, member.keyPosition, path.appending(key: member.key))
            if key.isEmpty || key.contains("=") || hasControl(key) {
                fail(at: position, valuePath, "environment variable names must be non-empty and contain no '=', NUL or control characters")
                ok = false
                continue
            }
            if case .object(let inner) = member.value.kind {
                if inner.count == 1, let kind = inner.first?.key, kind == "file" || kind == "env" {
                    if let reference = secretReference(member.value, valuePath) { references[key] = reference } else { ok = false }
                } else if let value = sealedValue(member.value, valuePath) {
                    sealed[key] = value
                } else {
                    ok = false
                }
                continue
            }
            guard let value = string(member.value, valuePath) else { ok = false; continue }
            if value.contains("\u{0}") {
                // Only NUL: a value may hold newlines (a PEM certificate), but exec cannot pass a NUL.
                fail(at: position, valuePath, "environment variable values cannot contain NUL")
                ok = false
            }
            env[key] = value
        }
        return ok ? (env, sealed, references) : nil
    }

    /// `{"file": "/run/secrets/db"}` or `{"env": "DB_PASSWORD"}`, checked for shape only: the
    /// value is read when the specs are used.
    mutating func secretReference(_ node: JSONNode, _ path: JSONPath) -> SecretReference? {
        guard case .object(let members) = node.kind, let member = members.first else { return nil }
        let valuePath = path.appending(key: member.key)
        guard case .string(let text) = member.value.kind else {
            fail(member.value, valuePath, "expected a string, got \(member.value.typeName)")
            return nil
        }
        if member.key == "file" {
            guard !text.isEmpty, !hasControl(text) else {
                fail(member.value, valuePath, "a secret file is a non-empty path without control characters")
                return nil
            }
            return SecretReference(source: .file(text), path: valuePath, position: member.value.position)
        }
        guard !text.isEmpty, !text.contains("="), !hasControl(text) else {
            fail(member.value, valuePath, "an environment variable name is non-empty, without '=' or control characters")
            return nil
        }
        return SecretReference(source: .environment(text), path: valuePath, position: member.value.position)
    }

    /// `{"sealed": "berth-sealed:v1:…"}`, checked for shape only: opening it needs the key.
    mutating func sealedValue(_ node: JSONNode, _ path: JSONPath) -> SealedValue? {
        let hint = "an env value is a string, {\"sealed\": \"berth-sealed:v1:…\"} as `berth seal` prints it, {\"file\": PATH} or {\"env\": NAME}"
        guard case .object(let members) = node.kind, members.count == 1, let member = members.first, member.key == "sealed" else {
            fail(node, path, hint)
            return nil
        }
        let textPath = path.appending(key: "sealed")
        guard case .string(let text) = member.value.kind else {
            fail(member.value, textPath, "expected the sealed text (a string), got \(member.value.typeName); \(hint)")
            return nil
        }
        switch SealedValue.parse(text) {
        case .success(let fingerprint):
            return SealedValue(text: text, keyFingerprint: fingerprint, path: textPath, position: member.value.position)
        case .failure(let problem):
            fail(member.value, textPath, problem.message)
            return nil
        }
    }

    /// `secretEnv`: names of env variables, as `env` would accept them.
    mutating func envNames(_ node: JSONNode, _ path: JSONPath) -> Set<String>? {
        guard let names = stringArray(node, path) else { return nil }
        for (index, name) in names.enumerated() where name.isEmpty || name.contains("=") || hasControl(name) {
            fail(node.elements![index], path.appending(index: index), "environment variable names must be non-empty and contain no '=', NUL or control characters")
        }
        return Set(names)
    }

    mutating func labels(_ node: JSONNode, _ path: JSONPath) -> [String: String]? {
        guard let pairs = stringMap(node, path) else { return nil }
        var labels: [String: String] = [:]
        var ok = true
        for (key, position, value) in pairs {
            if key.hasPrefix(Labels.prefix) {
                fail(at: position, path.appending(key: key), "labels starting with \"\(Labels.prefix)\" are berth's own and cannot be set")
                ok = false
            } else if key.isEmpty || key.contains("=") || hasControl(key) || hasControl(value) {
                // '=' splits `label=KEY=VALUE` filters; a newline splits every line-based listing.
                fail(at: position, path.appending(key: key), "label keys must be non-empty and contain no '='; keys and values no NUL or control characters")
                ok = false
            }
            labels[key] = value
        }
        return ok ? labels : nil
    }

    mutating func replicas(_ node: JSONNode, _ path: JSONPath) -> Int? {
        guard case .number(let literal) = node.kind else {
            fail(node, path, "expected an integer >= 0, got \(node.typeName)")
            return nil
        }
        guard let n = Int(literal), n >= 0, n <= SpecDecoder.maxReplicas else {
            fail(node, path, "expected an integer from 0 to \(SpecDecoder.maxReplicas), got \(literal.prefix(40))")
            return nil
        }
        return n
    }
}

/// Whether `s` holds a C0 control character (NUL and newline among them) or DEL.
func hasControl(_ s: String) -> Bool {
    s.utf8.contains { $0 < 0x20 || $0 == 0x7F }
}

func quoted(_ s: String) -> String {
    "\"" + String(s.prefix(80)).unicodeScalars.map { $0.isASCII && $0.value >= 0x20 ? String($0) : "\\u{\(String($0.value, radix: 16))}" }.joined() + "\""
}
