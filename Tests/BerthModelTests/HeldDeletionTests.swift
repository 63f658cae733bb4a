@testable import BerthModel
import Testing

/// The deletion guard's bookkeeping: it counts specs, what it holds waits for a person, and a
/// held set survives passes (it is state) without shrinking because the ratio changed.
struct HeldDeletionTests {
    static func spec(_ name: SpecName, replicas: Int = 1) -> Spec { Spec(name: name, image: "busybox:1", replicas: replicas) }
    static func running(_ spec: Spec) -> [ObservedResource] {
        (1...max(spec.replicas, 1)).map { PlannerTests.container(spec, $0) }
    }

    static let worker = spec("worker", replicas: 3), web = spec("web"), db = spec("db"), cache = spec("cache")

    /// One pass as apply and watch make it: plan with what state holds, then record.
    static func pass(_ specs: [Spec], _ observed: [ObservedResource], held: HeldDeletions,
                     allowDelete: Set<String> = []) -> (Plan, HeldDeletions) {
        var context = PlanContext(owner: "main")
        context.heldDeletions = held
        context.allowDelete = allowDelete
        let plan = Planner.plan(desired: DesiredState(specs: specs), observed: observed, context: context)
        let next = held.updated(orphans: plan.orphanSpecs, guardHeld: plan.guardHeld, observedTargets: ["docker"], now: "t")
        return (plan, next)
    }

    @Test func removingOneSpecWithManyReplicasIsOneRemoval() {
        // worker has 3 of the 5 containers, but it is 1 spec of 3.
        let observed = Self.running(Self.worker) + Self.running(Self.web) + Self.running(Self.db)
        let (plan, held) = Self.pass([Self.web, Self.db], observed, held: HeldDeletions())
        #expect(plan.count(.delete) == 3)
        #expect(plan.held.isEmpty && plan.notes.isEmpty)
        #expect(held.entries.isEmpty)
    }

    @Test func heldDeletionsAreNotCarriedOutWhenTheRatioChanges() {
        // Two of three specs removed: held, and recorded.
        let observed = Self.running(Self.web) + Self.running(Self.db) + Self.running(Self.cache)
        let (first, held) = Self.pass([Self.cache], observed, held: HeldDeletions())
        #expect(first.count(.delete) == 0 && first.held.count == 2)
        #expect(held.held == ["docker/web", "docker/db"])
        // An unrelated spec is added: 2 of 4 is no longer "more than half", but nothing runs by surprise.
        let added = Self.spec("queue")
        let (second, stillHeld) = Self.pass([Self.cache, added], observed, held: held)
        #expect(second.count(.delete) == 0)
        #expect(second.held.map(\.key.name).sorted() == ["db", "web"])
        // The same note as before, so watch says it once.
        #expect(second.notes == first.notes)
        #expect(stillHeld.held == held.held)
        #expect(!second.matches)
    }

    @Test func aReleasedSpecIsDeletedAndThenForgotten() {
        let observed = Self.running(Self.web) + Self.running(Self.db) + Self.running(Self.cache)
        var (_, held) = Self.pass([Self.cache], observed, held: HeldDeletions())
        #expect(held.release(names: ["web", "nothing"]) == ["nothing"])
        let (plan, after) = Self.pass([Self.cache], observed, held: held)
        #expect(plan.actions.map(\.key.name) == ["web"])
        #expect(plan.held.map(\.key.name) == ["db"])
        // Once web's containers are gone, its entry goes too; db stays held.
        let (_, later) = Self.pass([Self.cache], Self.running(Self.db) + Self.running(Self.cache), held: after)
        #expect(later.entries.keys.sorted() == ["docker/db"])
    }

    @Test func allowDeleteReleasesForOneRun() {
        let observed = Self.running(Self.web) + Self.running(Self.db) + Self.running(Self.cache)
        let (_, held) = Self.pass([Self.cache], observed, held: HeldDeletions())
        let (plan, _) = Self.pass([Self.cache], observed, held: held, allowDelete: ["db"])
        #expect(plan.actions.map(\.key.name) == ["db"])
        #expect(plan.held.map(\.key.name) == ["web"])
    }

    @Test func aSpecThatComesBackDropsItsHold() {
        let observed = Self.running(Self.web) + Self.running(Self.db) + Self.running(Self.cache)
        let (_, held) = Self.pass([Self.cache], observed, held: HeldDeletions())
        let (plan, after) = Self.pass([Self.cache, Self.web], observed, held: held)
        #expect(plan.held.map(\.key.name) == ["db"])
        #expect(after.entries.keys.sorted() == ["docker/db"])
    }

    @Test func aTargetThatWasNotObservedKeepsItsHolds() {
        let held = HeldDeletions(entries: ["kubernetes/api": .init(since: "t", resources: 2)])
        let next = held.updated(orphans: [:], guardHeld: [], observedTargets: ["docker"], now: "t2")
        #expect(next == held)
    }

    @Test func theHeldSetSurvivesAsState() {
        var held = HeldDeletions(entries: ["docker/web": .init(since: "2026-12-04T10:00:00Z", resources: 3)])
        _ = held.release(names: ["web"])
        let reread = HeldDeletions(json: held.json)
        #expect(reread == held)
        #expect(reread.released == ["docker/web"])
    }

    @Test func theClosingLineNamesWhatIsHeldAndNeverSaysEverythingMatches() {
        let observed = Self.running(Self.web) + Self.running(Self.db)
        let (plan, _) = Self.pass([], observed, held: HeldDeletions())
        #expect(!plan.description.contains("everything matches"))
        #expect(plan.description.hasSuffix("No changes to make now. Held: 2 deletions of removed specs db, web (see the note)."))
        let (none, _) = Self.pass([], [], held: HeldDeletions())
        #expect(none.description == "No changes: there are no specs, and nothing berth manages was found.")
    }

    @Test func aSelectionPlansOnlyTheNamedSpecs() {
        var context = PlanContext(owner: "main")
        context.selection = ["web"]
        let plan = Planner.plan(desired: DesiredState(specs: [Self.web, Self.db]), observed: [], context: context)
        #expect(plan.actions.map(\.key.name) == ["web"])
    }
}
