import BerthJSON
import Foundation

/// Creating, replacing, patching and deleting objects, with field ownership kept per manager.
extension KubeStore {
    /// POST: a new object; 409 AlreadyExists if the name is taken.
    func create(_ key: KubeObjectKey, body: JSONValue, manager: String) throws(KubeStatus) -> KubeStoredObject {
        guard state.objects[key] == nil else { throw .alreadyExists(key.kind, name: key.name) }
        try checkNamespaceWritable(for: key)
        var object = Self.freshObject(key, body: body)
        // The label a namespace gets on create counts as written by its creator.
        if key.kind.isNamespace { object = KubeDefaults.applied(to: object, kind: key.kind, allocateIP: { "" }) }
        var managers: [KubeManagedEntry] = []
        Self.takeOwnership(&managers, manager: manager, operation: "Update", apiVersion: key.kind.apiVersion,
                           paths: Set(KubeFieldPath.leaves(of: object).keys))
        return try write(key, old: nil, object: object, managers: managers).stored
    }

    /// PUT: replaces the object's content; the body's resourceVersion must be the current one.
    func update(_ key: KubeObjectKey, body: JSONValue, manager: String) throws(KubeStatus) -> KubeStoredObject {
        let old = try get(key)
        guard let sent = body["metadata"]?["resourceVersion"]?.stringValue else {
            throw .invalid(key.kind, name: key.name, causes: [KubeStatus.Cause(
                reason: "FieldValueInvalid", message: "Invalid value: 0x0: must be specified for an update",
                field: "metadata.resourceVersion")])
        }
        guard sent == old.resourceVersion else { throw .staleResourceVersion(key.kind, name: key.name) }
        var fields = body.objectValue ?? [:]
        var metadata = old.object["metadata"]?.objectValue ?? [:]
        for tracked in ["labels", "annotations"] { metadata[tracked] = body["metadata"]?[tracked] }
        fields["metadata"] = .object(metadata)
        fields["status"] = old.object["status"]
        fields["kind"] = nil
        fields["apiVersion"] = nil
        return try writeUpdate(key, old: old, object: .object(fields), manager: manager)
    }

    /// PATCH application/merge-patch+json (RFC 7386): the manager takes the fields it changes.
    func mergePatch(_ key: KubeObjectKey, patch: JSONValue, manager: String) throws(KubeStatus) -> KubeStoredObject {
        let old = try get(key)
        var patch = patch
        if case .object(var fields) = patch {
            fields["kind"] = nil
            fields["apiVersion"] = nil
            fields["status"] = nil
            patch = .object(fields)
        }
        return try writeUpdate(key, old: old, object: Self.mergePatch(old.object, patch), manager: manager)
    }

    /// Writes the status as a controller would: no generation change, only a new resourceVersion,
    /// and `manager`'s managedFields entry for the status subresource. With `revision`, also the
    /// `deployment.kubernetes.io/revision` annotation the deployment controller keeps.
    func setStatus(_ key: KubeObjectKey, status: JSONValue, manager: String = "kube-controller-manager",
                   revision: Int? = nil) throws(KubeStatus) -> KubeStoredObject {
        var stored = try get(key)
        guard case .object(var fields) = stored.object else { return stored }
        fields["status"] = status
        stored.object = .object(fields)
        if let revision {
            var annotations = stored.object["metadata"]?["annotations"]?.objectValue ?? [:]
            annotations["deployment.kubernetes.io/revision"] = .string(String(revision))
            stored.object = Self.settingMetadata(stored.object, "annotations", .object(annotations))
        }
        let paths = KubeFieldPath.statusLeaves(status)
        if let index = stored.managers.firstIndex(where: { $0.manager == manager && $0.subresource == "status" }) {
            stored.managers[index].fields = paths
            stored.managers[index].time = Self.now()
        } else {
            stored.managers.append(KubeManagedEntry(manager: manager, operation: "Update", apiVersion: key.kind.apiVersion,
                                                    time: Self.now(), subresource: "status", fields: paths))
        }
        return commit(stored, type: "MODIFIED")
    }

    /// DELETE: Background/Orphan removes at once (Status Success); Foreground and namespaces
    /// linger with a deletionTimestamp until finalized.
    func delete(_ key: KubeObjectKey, propagation: String?) throws(KubeStatus) -> JSONValue {
        var stored = try get(key)
        let lingers = key.kind.isNamespace || propagation == "Foreground"
        guard lingers else {
            let uid = stored.object["metadata"]?["uid"]?.stringValue
            commit(stored, type: "DELETED")
            return KubeStatus(code: 200, message: "", reason: nil, details: KubeStatus.details(name: key.name, kind: key.kind, uid: uid),
                              status: "Success").body
        }
        guard state.pendingFinalization[key] == nil else { return stored.rendered }
        var fields = stored.object.objectValue ?? [:]
        var metadata = fields["metadata"]?.objectValue ?? [:]
        metadata["deletionTimestamp"] = .string(Self.now())
        if key.kind.isNamespace {
            var status = fields["status"]?.objectValue ?? [:]
            status["phase"] = .string("Terminating")
            fields["status"] = .object(status)
        } else {
            metadata["deletionGracePeriodSeconds"] = .number("0")
            metadata["finalizers"] = .array([.string("foregroundDeletion")])
            if let generation = metadata["generation"]?.intValue { metadata["generation"] = .number(String(generation + 1)) }
        }
        fields["metadata"] = .object(metadata)
        stored.object = .object(fields)
        state.pendingFinalization[key] = ContinuousClock.now + finalizationDelay
        return commit(stored, type: "MODIFIED").rendered
    }

    /// An Update-operation write: the fields whose values changed move to `manager`.
    func writeUpdate(_ key: KubeObjectKey, old: KubeStoredObject, object: JSONValue, manager: String) throws(KubeStatus) -> KubeStoredObject {
        let before = KubeFieldPath.leaves(of: old.object)
        let after = KubeFieldPath.leaves(of: object)
        let changed = Set(after.filter { before[$0.key] != $0.value }.keys)
        var managers = old.managers
        // Status entries are the controller's and are left alone by writes to the main resource.
        for index in managers.indices where managers[index].subresource == nil { managers[index].fields.formIntersection(after.keys) }
        Self.takeOwnership(&managers, manager: manager, operation: "Update", apiVersion: key.kind.apiVersion, paths: changed)
        return try write(key, old: old, object: object, managers: managers).stored
    }

    /// Moves `paths` to the entry of (`manager`, `operation`), creating it at the end if new.
    static func takeOwnership(_ managers: inout [KubeManagedEntry], manager: String, operation: String, apiVersion: String,
                              paths: Set<KubeFieldPath>) {
        guard !paths.isEmpty else { return }
        for index in managers.indices where !(managers[index].manager == manager && managers[index].operation == operation)
            && managers[index].subresource == nil {
            managers[index].fields.subtract(paths)
        }
        if let index = managers.firstIndex(where: { $0.manager == manager && $0.operation == operation && $0.subresource == nil }) {
            managers[index].fields.formUnion(paths)
            managers[index].time = now()
        } else {
            managers.append(KubeManagedEntry(manager: manager, operation: operation, apiVersion: apiVersion, time: now(),
                                             subresource: nil, fields: paths))
        }
    }

    /// Defaults, validates and stores; an unchanged result stores nothing and keeps the old
    /// resourceVersion, as a no-op write on the real server does.
    func write(_ key: KubeObjectKey, old: KubeStoredObject?, object: JSONValue,
               managers: [KubeManagedEntry]) throws(KubeStatus) -> (stored: KubeStoredObject, changed: Bool) {
        var object = KubeDefaults.applied(to: Self.droppingEmptyMetadataMaps(object), kind: key.kind,
                                          allocateIP: { allocateClusterIP() })
        try KubeValidation.validate(object, key: key, old: old?.object)
        let managers = managers.filter { !$0.fields.isEmpty }
        if let old {
            let ownershipSame = old.managers.map { [$0.manager, $0.operation] } == managers.map { [$0.manager, $0.operation] }
                && zip(old.managers, managers).allSatisfy { $0.fields == $1.fields }
            if object == old.object && ownershipSame { return (old, false) }
            if key.kind.hasGeneration, let generation = old.object["metadata"]?["generation"]?.intValue {
                let specChanged = object["spec"] != old.object["spec"]
                let annotationsChanged = key.kind.isDeployment
                    && object["metadata"]?["annotations"] != old.object["metadata"]?["annotations"]
                if specChanged || annotationsChanged {
                    object = Self.settingMetadata(object, "generation", .number(String(generation + 1)))
                }
            }
        }
        let stored = KubeStoredObject(key: key, object: object, managers: managers)
        return (commit(stored, type: old == nil ? "ADDED" : "MODIFIED"), true)
    }

    /// A new object's content: the body's own fields plus the metadata the server assigns.
    static func freshObject(_ key: KubeObjectKey, body: JSONValue) -> JSONValue {
        var fields = body.objectValue ?? [:]
        fields["kind"] = nil
        fields["apiVersion"] = nil
        let sent = fields["metadata"]?.objectValue ?? [:]
        var metadata: [String: JSONValue] = ["name": .string(key.name), "uid": .string(UUID().uuidString.lowercased()),
                                             "creationTimestamp": .string(now())]
        if key.kind.namespaced { metadata["namespace"] = .string(key.namespace) }
        if key.kind.hasGeneration { metadata["generation"] = .number("1") }
        for kept in ["labels", "annotations", "finalizers", "ownerReferences"] { metadata[kept] = sent[kept] }
        fields["metadata"] = .object(metadata)
        if key.kind.hasGeneration || key.kind.plural == "services" { fields["status"] = nil }
        return .object(fields)
    }

    /// Empty label and annotation maps are not stored, as the real server omits them.
    static func droppingEmptyMetadataMaps(_ object: JSONValue) -> JSONValue {
        var result = object
        for name in ["labels", "annotations"] where object["metadata"]?[name] == .object([:]) {
            result = settingMetadata(result, name, nil)
        }
        return result
    }

    static func settingMetadata(_ object: JSONValue, _ name: String, _ value: JSONValue?) -> JSONValue {
        var fields = object.objectValue ?? [:]
        var metadata = fields["metadata"]?.objectValue ?? [:]
        metadata[name] = value
        fields["metadata"] = .object(metadata)
        return .object(fields)
    }

    /// RFC 7386: objects merge member by member, `null` removes, anything else replaces.
    static func mergePatch(_ target: JSONValue, _ patch: JSONValue) -> JSONValue {
        guard case .object(let patchFields) = patch else { return patch }
        var fields = target.objectValue ?? [:]
        for (name, value) in patchFields {
            if value == .null {
                fields[name] = nil
            } else {
                fields[name] = mergePatch(fields[name] ?? .null, value)
            }
        }
        return .object(fields)
    }
}
