/// The `dependsOn` field: what each entry says is checked here; whether it names a spec,
/// and whether the names form a cycle, only across files (`Dependencies.resolve`).
extension FieldReader {
    mutating func dependsOn(_ node: JSONNode, _ path: JSONPath, name: String?) -> [DependencyReference]? {
        guard case .array(let items) = node.kind else {
            fail(node, path, "expected an array of spec names like [\"db\"] or [\"TARGET/db\"], got \(node.typeName)")
            return nil
        }
        let before = errors.count
        var references: [DependencyReference] = []
        var seen: Set<String> = []
        for (index, item) in items.enumerated() {
            let itemPath = path.appending(index: index)
            guard let text = string(item, itemPath) else { continue }
            let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count <= 2, let last = parts.last, Names.isValid(last), last.count <= SpecDecoder.maxNameLength else {
                fail(item, itemPath, "\(quoted(text)) is not a spec name like \"db\" or \"TARGET/db\"")
                continue
            }
            var target: TargetName?
            if parts.count == 2 {
                guard let resolution = catalog.resolve(parts[0]), case .target(let named, _) = resolution else {
                    let hint = Suggest.near(parts[0], catalog.words).map { " (did you mean \"\($0)\"?)" } ?? ""
                    fail(item, itemPath, "unknown target \(quoted(parts[0]))\(hint) in \(quoted(text)); a dependency names one target, not a group")
                    continue
                }
                target = named
            }
            if target == nil, last == name {
                fail(item, itemPath, "a spec cannot depend on itself")
                continue
            }
            guard seen.insert(text).inserted else {
                fail(item, itemPath, "\(quoted(text)) is listed twice")
                continue
            }
            references.append(DependencyReference(target: target, name: SpecName(last), path: itemPath, position: item.position))
        }
        return errors.count == before ? references : nil
    }
}
