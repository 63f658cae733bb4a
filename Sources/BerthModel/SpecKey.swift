/// One spec by identity: its target and its name (what `DesiredState.assemble` keeps unique).
/// What a dependency names once resolved, and what the executor orders by.
public struct SpecKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var target: TargetName
    public var name: SpecName
    public init(target: TargetName, name: SpecName) { self.target = target; self.name = name }
    public static func < (a: SpecKey, b: SpecKey) -> Bool { (a.target, a.name) < (b.target, b.name) }
    public var description: String { target.qualifying(name) }

    /// The name alone when it is on `target`, else "TARGET/name": how a plan line says it.
    public func shown(from target: TargetName) -> String { self.target == target ? name.rawValue : description }
}

extension Spec {
    public var key: SpecKey { SpecKey(target: target, name: name) }
}

/// One entry of a spec's `dependsOn`, as written: "db" (the spec of that name on the same
/// target, or the only one of that name elsewhere) or "TARGET/db". Kept with its place, so a
/// name that resolves to nothing, or a cycle, is an error at the entry itself.
public struct DependencyReference: Sendable, Equatable {
    public var target: TargetName?
    public var name: SpecName
    public var path: JSONPath
    public var position: JSONPosition
    public init(target: TargetName? = nil, name: SpecName, path: JSONPath = .root, position: JSONPosition = JSONPosition(line: 1, column: 1)) {
        self.target = target; self.name = name; self.path = path; self.position = position
    }
    public var written: String { target?.qualifying(name) ?? name.rawValue }
}
