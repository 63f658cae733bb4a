import BerthModel

extension SavedPlan {
    /// A saved plan named on apply's command line.
    struct Given {
        var path: String
        var plan: SavedPlan
    }
}

extension SavedPlan.Given {
    /// The saved actions, derived again from the specs now that they are known to be the ones
    /// the plan was made from; nil (after saying why, naming what moved) when the specs or
    /// the engine moved since, or the planner would now do something else.
    func derive(_ reconcile: Reconcile, settings: Settings, console: Console) throws -> Plan? {
        let key: [UInt8]
        if let own = plan.digestKey {
            key = own
        } else if let stored = try FingerprintKey.stored(stateDirectory: settings.stateDirectory) {
            key = stored
        } else {
            refuse(["the state folder's fingerprint key (\(FingerprintKey.path(settings.stateDirectory))) is gone, so the specs cannot be compared"], console)
            return nil
        }
        let moved = plan.changes(reconcile: reconcile, settings: settings, key: key)
        if !moved.isEmpty {
            refuse(moved, console)
            return nil
        }
        do {
            return try plan.actions(of: reconcile.plan(plan.choices), key: key)
        } catch {
            refuse(["\(error)"], console)
            return nil
        }
    }

    private func refuse(_ lines: [String], _ console: Console) {
        console.err("berth: nothing applied: the saved plan \(path) no longer holds:\n  " + lines.joined(separator: "\n  ")
            + "\nMake a new one with `berth plan -out \(path)`, review it, and apply that.", style: .red)
    }
}
