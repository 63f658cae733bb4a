@testable import BerthCommands
import BerthJSON
import BerthModel
import Testing

/// The exit-code matrix: what a CI job gating on berth's exit code learns from each state.
struct ExitCodeTests {
    static let create = Action(op: .create, key: ResourceKey.container("docker", "web", replica: 1), reason: "missing")
    static let held = Action(op: .delete, key: ResourceKey.container("docker", "old", replica: 1), reason: "spec removed")
    static let error = SpecError(file: "specs/x.json", path: .root, position: JSONPosition(line: 1, column: 1), message: "bad")

    static func plan(actions: [Action] = [], held: [Action] = [], errors: [SpecError] = [], unplanned: [String] = [], noneObserved: Bool = false) -> Plan {
        var plan = Plan(actions: actions, errors: errors, held: held, unplannedTargets: unplanned)
        plan.anyTargetObserved = !noneObserved
        return plan
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var label: String
        var plan: Plan
        var targetErrors: [String] = []
        var failed = 0
        var plain: Int32
        var detailed: Int32
        var apply: Int32
        var testDescription: String { label }
    }

    static let rows: [Row] = [
        Row(label: "converged", plan: plan(), plain: 0, detailed: 0, apply: 0),
        Row(label: "changes", plan: plan(actions: [create]), plain: 0, detailed: 2, apply: 0),
        Row(label: "only held deletions", plan: plan(held: [held]), plain: 0, detailed: 2, apply: 3),
        Row(label: "changes and held", plan: plan(actions: [create], held: [held]), plain: 0, detailed: 2, apply: 3),
        Row(label: "an invalid file", plan: plan(errors: [error]), plain: 1, detailed: 1, apply: 1),
        Row(label: "a target not observed", plan: plan(unplanned: ["kubernetes"]), targetErrors: ["cannot reach"], plain: 4, detailed: 4, apply: 4),
        Row(label: "no target observed at all", plan: plan(unplanned: ["kubernetes"], noneObserved: true), targetErrors: ["cannot reach"], plain: 1, detailed: 1, apply: 1),
        Row(label: "a target not observed and an invalid file", plan: plan(errors: [error], unplanned: ["kubernetes"]), targetErrors: ["cannot reach"], plain: 1, detailed: 1, apply: 1),
        Row(label: "an action failed", plan: plan(actions: [create]), failed: 1, plain: 0, detailed: 2, apply: 1),
        Row(label: "failed and held", plan: plan(actions: [create], held: [held]), failed: 1, plain: 0, detailed: 2, apply: 1),
    ]

    @Test(arguments: rows)
    func exitCodes(_ row: Row) {
        #expect(PlanCommand.exitCode(row.plan, targetErrors: row.targetErrors, detailed: false) == row.plain)
        #expect(PlanCommand.exitCode(row.plan, targetErrors: row.targetErrors, detailed: true) == row.detailed)
        #expect(ApplyCommand.exitCode(row.plan, failed: row.failed, targetErrors: row.targetErrors) == row.apply)
        let end = ApplyCommand.endRecord(code: row.apply, plan: row.plan, failed: row.failed, count: 1, owner: "o")
        #expect(end.detail?["exit"] == String(row.apply))
        #expect((end.message == "converged") == (row.apply == 0), "\(end.message ?? "")")
        #expect(row.plan.description.contains("everything matches") == (row.plan.matches && row.plan.specCount > 0))
    }
}
