/// `image` as a string ("repo:tag", pulled when missing) or as an object saying where the
/// image comes from: `{"ref", "pull"}`, `{"ref", "import": {"src"}}`, `{"ref", "build": {...}}`.
extension FieldReader {
    static let imageFields = ["ref", "pull", "import", "build"]
    static let buildFields = ["context", "dockerfile", "args"]

    mutating func imageField(_ node: JSONNode, _ path: JSONPath) -> (String, ImageSource)? {
        if case .string = node.kind {
            return image(node, path).map { ($0, ImageSource()) }
        }
        guard case .object(let members) = node.kind else {
            fail(node, path, "expected \"repo:tag\" or an object with \"ref\" and \"pull\", \"import\" or \"build\", got \(node.typeName)")
            return nil
        }
        let before = errors.count
        var byKey: [String: JSONMember] = [:]
        for member in members {
            if FieldReader.imageFields.contains(member.key) { byKey[member.key] = member; continue }
            let guess = Suggest.closest(to: member.key, in: FieldReader.imageFields).map { "; did you mean \"\($0)\"?" } ?? ""
            fail(at: member.keyPosition, path.appending(key: member.key), "unknown image field \"\(JSONPath.abbreviated(member.key))\"" + guess)
        }
        let ref = byKey["ref"].flatMap { image($0.value, path.appending(key: "ref")) }
        if byKey["ref"] == nil { fail(node, path, "missing required field \"ref\" (the image's \"repo:tag\")") }
        if let i = byKey["import"], let b = byKey["build"] {
            let second = i.keyPosition < b.keyPosition ? b : i
            fail(at: second.keyPosition, path.appending(key: second.key), "an image is either imported or built, not both")
        }
        var source = ImageSource()
        if let pull = byKey["pull"] {
            if byKey["import"] != nil || byKey["build"] != nil {
                fail(at: pull.keyPosition, path.appending(key: "pull"), "\"pull\" is for registry images; an imported or built image is never pulled")
            } else if let policy = oneOf(pull.value, path.appending(key: "pull"), PullPolicy.allCases.map(\.rawValue), what: "pull policy") {
                source.kind = .registry(pull: PullPolicy(rawValue: policy)!)
            }
        }
        if let member = byKey["import"] {
            let importPath = path.appending(key: "import")
            if let src = requiredPath(member.value, importPath, key: "src", allowed: ["src"]) {
                source = ImageSource(kind: .importTarball(src: SpecPaths.resolve(src.0, relativeTo: file)),
                                     position: src.1, path: importPath.appending(key: "src"))
            }
        }
        if let member = byKey["build"], let built = build(member.value, path.appending(key: "build")) {
            source = built
        }
        guard errors.count == before, let ref else { return nil }
        return (ref, source)
    }

    mutating func build(_ node: JSONNode, _ path: JSONPath) -> ImageSource? {
        guard let (context, position) = requiredPath(node, path, key: "context", allowed: FieldReader.buildFields) else { return nil }
        var dockerfile = "Dockerfile"
        var args: [String: String] = [:]
        if case .object(let members) = node.kind {
            for member in members {
                if member.key == "dockerfile", let name = string(member.value, path.appending(key: "dockerfile")) {
                    if name.isEmpty || name.hasPrefix("/") || name.split(separator: "/").contains("..") {
                        fail(member.value, path.appending(key: "dockerfile"), "the Dockerfile must be a relative path inside the context")
                    } else { dockerfile = name }
                }
                if member.key == "args", let pairs = stringMap(member.value, path.appending(key: "args")) {
                    for (key, _, value) in pairs { args[key] = value }
                }
            }
        }
        return ImageSource(kind: .build(context: SpecPaths.resolve(context, relativeTo: file), dockerfile: dockerfile, args: args),
                           position: position, path: path.appending(key: "context"))
    }

    /// An object holding a non-empty path string under `key`, and no keys but `allowed`.
    mutating func requiredPath(_ node: JSONNode, _ path: JSONPath, key: String, allowed: [String]) -> (String, JSONPosition)? {
        guard case .object(let members) = node.kind else {
            fail(node, path, "expected an object with \"\(key)\", got \(node.typeName)")
            return nil
        }
        var found: (String, JSONPosition)?
        for member in members {
            let memberPath = path.appending(key: member.key)
            if !allowed.contains(member.key) {
                let guess = Suggest.closest(to: member.key, in: allowed).map { "; did you mean \"\($0)\"?" } ?? ""
                fail(at: member.keyPosition, memberPath, "unknown field \"\(JSONPath.abbreviated(member.key))\"" + guess)
            } else if member.key == key, let text = string(member.value, memberPath) {
                if text.isEmpty { fail(member.value, memberPath, "expected a path, got an empty string") }
                else if hasControl(text) { fail(member.value, memberPath, "\(quoted(text)) is not a path: it holds NUL or a control character") }
                else { found = (text, member.value.position) }
            }
        }
        if found == nil && !members.contains(where: { $0.key == key }) { fail(node, path, "missing required field \"\(key)\"") }
        return found
    }
}
