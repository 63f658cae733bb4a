import BerthModel
import BerthSystem
import FoundationEssentials

/// The saved plan's JSON. Actions are written and read here only, by identity.
extension SavedPlan {
    var encoded: JSONValue {
        func strings(_ list: [String]) -> JSONValue { .array(list.map { .string($0) }) }
        var object: [String: JSONValue] = [
            "berthPlan": .number(String(Self.formatVersion)),
            "owner": .string(owner),
            "source": .string(source),
            "allowDelete": strings(allowDelete),
            "allowMassDelete": .bool(allowMassDelete),
            "allowMassCreate": .bool(allowMassCreate),
            "specs": .object(specs.mapValues { .object(["file": .string($0.file), "digest": .string($0.digest)]) }),
            "invalidFiles": .object(invalidFiles.mapValues { .string($0) }),
            "suspended": strings(suspended),
            "observed": .object(observed.mapValues { seen in
                .object(["resource": .string(seen.resource), "configHash": seen.configHash.map { .string($0) } ?? .null,
                         "state": .string(seen.state)])
            }),
            "actions": .array(actions.map(Self.encode)),
            "refused": .array(refused.map(Self.encode)),
            "text": .string(text),
            "plan": json,
        ]
        if let selection { object["selection"] = strings(selection) }
        if let digestKey { object["digestKey"] = .string(digestKey.map { String(cFormat: "%02x", $0) }.joined()) }
        return .object(object)
    }

    init?(_ value: JSONValue) {
        guard let object = value.objectValue, object["berthPlan"]?.intValue == Self.formatVersion,
              let owner = object["owner"]?.stringValue, let source = object["source"]?.stringValue,
              let specs = object["specs"]?.objectValue, let invalid = object["invalidFiles"]?.objectValue,
              let observed = object["observed"]?.objectValue, let actions = object["actions"]?.arrayValue,
              let text = object["text"]?.stringValue, let json = object["plan"] else { return nil }
        func strings(_ name: String) -> [String]? { object[name]?.arrayValue?.compactMap(\.stringValue) }
        self.owner = owner; self.source = source; self.text = text; self.json = json
        selection = strings("selection")
        allowDelete = strings("allowDelete") ?? []
        allowMassDelete = object["allowMassDelete"]?.boolValue ?? false
        allowMassCreate = object["allowMassCreate"]?.boolValue ?? false
        suspended = strings("suspended") ?? []
        digestKey = object["digestKey"]?.stringValue.flatMap(Self.bytes(hex:))
        var specEntries: [String: SpecDigests.Entry] = [:]
        for (key, entry) in specs {
            guard let file = entry["file"]?.stringValue, let digest = entry["digest"]?.stringValue else { return nil }
            specEntries[key] = SpecDigests.Entry(file: file, digest: digest)
        }
        self.specs = specEntries
        var invalidFiles: [String: String] = [:]
        for (file, digest) in invalid {
            guard let digest = digest.stringValue else { return nil }
            invalidFiles[file] = digest
        }
        self.invalidFiles = invalidFiles
        var seen: [String: Seen] = [:]
        for (id, entry) in observed {
            guard let resource = entry["resource"]?.stringValue, let state = entry["state"]?.stringValue else { return nil }
            seen[id] = Seen(resource: resource, configHash: entry["configHash"]?.stringValue, state: state)
        }
        self.observed = seen
        var ids: [ActionID] = []
        for action in actions {
            guard let id = Self.decode(action) else { return nil }
            ids.append(id)
        }
        self.actions = ids
        refused = (object["refused"]?.arrayValue ?? []).compactMap(Self.decode)
    }

    static func encode(_ id: ActionID) -> JSONValue {
        var object: [String: JSONValue] = [
            "op": .string(id.op), "target": .string(id.key.target.rawValue), "kind": .string(id.key.kind), "name": .string(id.key.name.rawValue),
        ]
        if let replica = id.key.replica { object["replica"] = .number(String(replica)) }
        if let kube = id.key.object { object["object"] = .string(kube.description) }
        if let other = id.key.otherID { object["id"] = .string(other) }
        if let existing = id.existingID { object["existingID"] = .string(existing) }
        if let hash = id.configHash { object["configHash"] = .string(hash) }
        if let strategy = id.strategy { object["strategy"] = .string(strategy) }
        return .object(object)
    }

    static func decode(_ value: JSONValue) -> ActionID? {
        guard let op = value["op"]?.stringValue, Action.Op(rawValue: op) != nil, let target = value["target"]?.stringValue,
              let kind = value["kind"]?.stringValue, let name = value["name"]?.stringValue else { return nil }
        guard let key = ResourceKey(saved: TargetName(target), kind: kind, name: SpecName(name), replica: value["replica"]?.intValue,
                                    object: value["object"]?.stringValue, id: value["id"]?.stringValue) else { return nil }
        return ActionID(op: op, key: key, existingID: value["existingID"]?.stringValue, configHash: value["configHash"]?.stringValue,
                        strategy: value["strategy"]?.stringValue)
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        for i in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[i..<i + 2], as: UTF8.self), radix: 16) else { return nil }
            out.append(byte)
        }
        return out
    }
}
