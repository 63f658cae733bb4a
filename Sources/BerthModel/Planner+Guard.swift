/// The deletion guard. It counts specs, not resources: removing one spec with many replicas
/// is one removal. What it holds waits for a person (see `HeldDeletions`).
extension Planner {
    struct Guarded {
        var delete: [Action] = []
        var held: [Action] = []
        var notes: [String] = []
        /// Spec keys the mass-delete guard holds, to be recorded in the state folder.
        var guardHeld: Set<String> = []
        /// Every removed spec's key with its resource count.
        var orphanSpecs: [String: Int] = [:]
    }

    static func guardDeletions(orphans: [Action], owned: [ObservedResource], invalidFiles: [String], context: PlanContext) -> Guarded {
        var out = Guarded()
        guard !orphans.isEmpty else { return out }
        let groups = Dictionary(grouping: orphans) { HeldDeletions.key(target: $0.key.target, name: $0.key.name) }
        out.orphanSpecs = groups.mapValues(\.count)
        let ownedSpecs = Set(owned.compactMap { r in r.name.map { HeldDeletions.key(target: r.target, name: $0) } })
        func hold(_ actions: [Action], _ reason: String) -> [Action] { actions.map { var a = $0; a.reason = reason; return a } }
        func released(_ key: String) -> Bool {
            context.allowMassDelete || context.allowDelete.contains(HeldDeletions.name(of: key))
                || context.heldDeletions.released.contains(key)
        }

        if !invalidFiles.isEmpty {
            // Not recorded: once the files are valid again, they say whether the spec is gone.
            out.held = hold(orphans, "spec removed, held back while invalid files exist")
            out.notes.append("\(groups.count) removed spec\(groups.count == 1 ? "" : "s") (\(orphans.count) resource\(orphans.count == 1 ? "" : "s")) not deleted: an invalid file may still describe them (\(invalidFiles.joined(separator: ", ")))")
            return out
        }
        var candidates: [String] = []
        for key in groups.keys.sorted() {
            if released(key) {
                out.delete += groups[key]!
            } else {
                candidates.append(key)
            }
        }
        let alreadyHeld = candidates.filter { context.heldDeletions.held.contains($0) }
        let fresh = candidates.filter { !context.heldDeletions.held.contains($0) }
        let pending = candidates.count
        let tripped = !fresh.isEmpty && (pending == ownedSpecs.count || pending * 2 > ownedSpecs.count)
        let holding = alreadyHeld + (tripped ? fresh : [])
        if !tripped { for key in fresh { out.delete += groups[key]! } }
        for key in holding {
            out.held += hold(groups[key]!, "spec removed, deletion held until released (berth release \(HeldDeletions.name(of: key)))")
        }
        out.guardHeld = Set(holding)
        if !holding.isEmpty {
            let names = holding.map(HeldDeletions.name(of:)).sorted()
            let resources = holding.reduce(0) { $0 + groups[$1]!.count }
            // The same words on every pass while nothing changes, so watch says it once.
            out.notes.append("deletion of \(holding.count) removed spec\(holding.count == 1 ? "" : "s") held (\(names.joined(separator: ", ")); \(resources) resource\(resources == 1 ? "" : "s")): the guard holds removals of all managed specs, or of more than half, and nothing held is deleted until a person says so: berth release \(names.joined(separator: " ")) (also while watch runs), or apply --allow-delete \(names.joined(separator: ",")), or --allow-mass-delete")
        }
        return out
    }
}
