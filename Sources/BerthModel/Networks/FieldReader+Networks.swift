/// `"networks": ["backend"]`: names of networks berth makes for the owner and joins.
extension FieldReader {
    /// Network names become Docker network names (`OWNER-backend`) and label values: the same
    /// rule as spec names. "default" is the owner's own network, which every container joins.
    mutating func networks(_ node: JSONNode, _ path: JSONPath, platform: PlatformID) -> [String]? {
        guard let elements = node.elements else {
            fail(node, path, "expected an array of network names, got \(node.typeName)")
            return nil
        }
        if platform == .kubernetes {
            fail(node, path, "\"networks\" is for docker and swarm targets; on Kubernetes the Service gives the name")
            return nil
        }
        var names: [String] = []
        for (i, item) in elements.enumerated() {
            guard let name = string(item, path.appending(index: i)) else { continue }
            if !Names.isValid(name) || name.utf8.count > NetworkNames.maxNameLength {
                fail(item, path.appending(index: i),
                     "\"\(name)\" is not a valid network name (lower-case letters, digits and '-', starting and ending with a letter or digit, at most \(NetworkNames.maxNameLength) characters)")
            } else if names.contains(name) {
                fail(item, path.appending(index: i), "network \"\(name)\" is listed twice")
            } else {
                names.append(name)
            }
        }
        return names
    }
}
