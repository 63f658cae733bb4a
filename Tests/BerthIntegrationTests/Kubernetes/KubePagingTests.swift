import BerthJSON
import BerthTestSupport
import Foundation
import Testing

/// berth's lists in pages: BERTH_KUBE_PAGE_SIZE=2 spreads seven specs' objects over four
/// pages per kind, so a page left unread would show as objects to create or not to prune.
@Suite struct KubePagingTests {
    private let names = (1...7).map { "app-\($0)" }

    private func project() throws -> KubeProject {
        try KubeProject(environment: ["BERTH_KUBE_PAGE_SIZE": "2"])
    }

    @Test func sevenSpecsConvergeAndALaterPagesSpecIsPruned() async throws {
        let p = try project()
        defer { p.finish() }
        for name in names { try p.write("\(name).json", p.spec(name)) }
        let run = await p.berth("apply")
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(p.server.objects(.deployments).count == 7 && p.server.objects(.services, namespace: "default").count >= 7)

        let before = p.server.requests.count
        let plan = await p.berth("plan", "--detailed-exitcode")
        #expect(plan.status == 0, "every page was read, so nothing is left to create: \(plan.stdout)\(plan.stderr)")
        for kind in ["/apis/apps/v1/deployments?", "/api/v1/services?"] {
            let lists = p.server.requests.dropFirst(before).filter { $0.method == "GET" && $0.path.hasPrefix(kind) }
            #expect(lists.count == 4 && lists.allSatisfy { $0.path.contains("&limit=2") }, "\(lists.map(\.path))")
            #expect(lists.dropFirst().allSatisfy { $0.path.contains("&continue=") }, "\(lists.map(\.path))")
        }

        // app-7 sorts last: its objects are on the fourth page of each list.
        try p.remove("app-7.json")
        let prune = await p.berth("apply")
        #expect(prune.status == 0, "\(prune.stdout)\(prune.stderr)")
        #expect(p.server.deployment(namespace: "default", name: "app-7") == nil)
        #expect(p.server.object(.services, namespace: "default", name: "app-7") == nil)
        #expect(p.server.objects(.deployments).count == 6)
        let deletes = p.requests("DELETE")
        #expect(deletes.count == 2 && deletes.allSatisfy { $0.path.contains("/app-7?") }, "\(deletes.map(\.path))")
        #expect(await p.berth("plan", "--detailed-exitcode").status == 0)
    }

    @Test func aContinueTokenThatExpiresGetsOneFullList() async throws {
        let p = try project()
        defer { p.finish() }
        for name in names { try p.write("\(name).json", p.spec(name, ports: [])) }
        #expect(await p.berth("apply").status == 0)
        let server = p.server, before = p.server.requests.count
        // Between the first page and the second: app-6 (on the third page) goes, and the
        // store is compacted, so the second page's token answers 410 Expired.
        server.beforeNext(method: "GET", pathContains: "&continue=") {
            try? server.delete(.deployments, namespace: "default", name: "app-6")
            server.compact()
        }
        let plan = await p.berth("plan")
        #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
        #expect(plan.stdout.contains("create kubernetes apps/v1 Deployment default/app-6"), "the full list is read after the 410: \(plan.stdout)")
        #expect(!plan.stdout.contains("app-5") && !plan.stdout.contains("app-7"), "\(plan.stdout)")
        let lists = p.server.requests.dropFirst(before).filter { $0.method == "GET" && $0.path.hasPrefix("/apis/apps/v1/deployments?") }
        #expect(lists.map { $0.path.contains("&continue=") } == [false, true, false], "\(lists.map(\.path))")
        #expect(lists.last.map { !$0.path.contains("limit=") } == true, "the fallback has no limit: \(lists.map(\.path))")

        #expect(await p.berth("apply").status == 0)
        #expect(server.deployment(namespace: "default", name: "app-6") != nil)
        #expect(await p.berth("plan", "--detailed-exitcode").status == 0)
    }

    @Test func anUnusablePageSizeIsAUsageError() async throws {
        let p = try KubeProject(environment: ["BERTH_KUBE_PAGE_SIZE": "many"])
        defer { p.finish() }
        try p.write("web.json", p.spec("web"))
        let run = await p.berth("plan")
        #expect(run.status != 0)
        #expect(run.stderr.contains("BERTH_KUBE_PAGE_SIZE takes a whole number"), "\(run.stderr)")
    }
}
