import BerthJSON

/// Deletions the mass-delete guard held back, kept in the state folder so that a held
/// deletion waits for a person: it is carried out only once released (`berth release`,
/// `apply --allow-delete`, `--allow-mass-delete`), never because the ratio changed later, and
/// it is dropped when its spec comes back. Keyed by spec ("docker/web"), not by resource:
/// removing one spec with many replicas is one removal.
public struct HeldDeletions: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        /// When the guard first held it (RFC 3339).
        public var since: String
        /// How many resources it would delete, when last seen.
        public var resources: Int
        /// A person said yes: carried out on the next pass, then forgotten.
        public var released: Bool
        public init(since: String, resources: Int, released: Bool = false) {
            self.since = since; self.resources = resources; self.released = released
        }
    }

    public var entries: [String: Entry]

    public init(entries: [String: Entry] = [:]) { self.entries = entries }

    public static func key(target: TargetName, name: SpecName) -> String { target.qualifying(name) }

    public var held: Set<String> { Set(entries.filter { !$0.value.released }.keys) }
    public var released: Set<String> { Set(entries.filter { $0.value.released }.keys) }

    /// After a pass: entries whose target was observed and whose spec is no longer an orphan
    /// (the spec came back, or its resources are gone) are forgotten; what the guard held this
    /// pass is added. `orphans` maps each removed spec's key to its resource count.
    public func updated(orphans: [String: Int], guardHeld: Set<String>, observedTargets: Set<String>, now: String) -> HeldDeletions {
        var out = self
        for (key, _) in entries where observedTargets.contains(HeldDeletions.target(of: key)) && orphans[key] == nil {
            out.entries[key] = nil
        }
        for key in guardHeld {
            if var entry = out.entries[key] {
                entry.resources = orphans[key] ?? entry.resources
                out.entries[key] = entry
            } else {
                out.entries[key] = Entry(since: now, resources: orphans[key] ?? 0)
            }
        }
        return out
    }

    /// Marks the held entries of these spec names released; returns the names nothing is held for.
    public mutating func release(names: Set<String>) -> [String] {
        var unknown = names
        for (key, var entry) in entries where names.contains(HeldDeletions.name(of: key)) {
            entry.released = true
            entries[key] = entry
            unknown.remove(HeldDeletions.name(of: key))
        }
        return unknown.sorted()
    }

    public static func target(of key: String) -> String { String(key.prefix { $0 != "/" }) }
    public static func name(of key: String) -> String { String(key.drop { $0 != "/" }.dropFirst()) }

    public var json: JSONValue {
        .object(entries.mapValues { e in
            .object(["since": .string(e.since), "resources": .number(String(e.resources)), "released": .bool(e.released)])
        })
    }

    public init(json: JSONValue) {
        var entries: [String: Entry] = [:]
        for (key, value) in json.objectValue ?? [:] {
            guard let object = value.objectValue, key.contains("/") else { continue }
            entries[key] = Entry(since: object["since"]?.stringValue ?? "", resources: object["resources"]?.intValue ?? 0,
                                 released: object["released"]?.boolValue ?? false)
        }
        self.entries = entries
    }
}
