import BerthJSON
import BerthTestSupport

/// What each transcript needs around its exchanges: the state it was recorded in, the
/// controller-manager's part, credentials, and what cannot be replayed without one.
struct ReplayPlan {
    var seed: (KubeTestServer) throws -> Void = { _ in }
    var before: [Int: (KubeTestServer) -> String] = [:]
    var skips: [Int: String] = [:]
    var credentials: [Int: TranscriptReplayTests.Credentials] = [:]
    /// The exchange that is a watch left open while the following ones run.
    var backgroundWatch: Int?

    static func `for`(_ file: String) -> ReplayPlan {
        var plan = ReplayPlan()
        switch file.prefix(2) {
        case "01", "02":
            break
        case "03", "06", "10":
            plan.seed = { try $0.createNamespace("berth-test", labels: ["berth.owner": "demo"]) }
        case "09":
            plan.seed = { try seedWorkloads($0, names: ["web", "api"]) }
            plan.backgroundWatch = 1
            plan.before[6] = { server in
                server.compact()
                return "history compacted, as etcd's compaction had done on the recorded cluster"
            }
        case "11":
            plan.seed = { try seedWorkloads($0, names: ["web"]) }
            plan.before[6] = { server in
                server.finishPendingDeletions()
                return "garbage collector played: the Foreground deletion finished"
            }
        case "12":
            plan.seed = { try seedWorkloads($0, names: ["web"]) }
            plan.skips[3] = "ReplicaSets are created by the deployment controller, which the test server does not run"
            plan.skips[4] = "Pods are created by the ReplicaSet controller, which the test server does not run"
        case "13":
            plan.seed = { try $0.createNamespace("berth-test") }
            plan.credentials = [0: .none, 1: .none, 2: .wrongToken, 3: .none]
        case "14":
            plan.seed = { try $0.createNamespace("berth-test", labels: ["berth.owner": "demo"]) }
            plan.before[3] = { server in
                server.finishPendingDeletions()
                return "namespace controller played: the namespace emptied and removed"
            }
        case "18":
            plan.before[6] = { server in
                server.finishPendingDeletions()
                return "namespace controller played: the terminating namespace emptied and removed"
            }
        case "15", "16", "17", "19", "20", "21":
            // Each makes its own namespace, or needs none.
            break
        default:
            plan.seed = { try seedWorkloads($0, names: ["web"]) }
        }
        return plan
    }

    /// The namespace and berth's Deployments as scenario 03 (web) and 12 (api) applied them.
    static func seedWorkloads(_ server: KubeTestServer, names: [String]) throws {
        try server.createNamespace("berth-test", labels: ["berth.owner": "demo"])
        for name in names {
            try server.apply(as: "berth", .deployments, namespace: "berth-test", object: deployment(name))
        }
    }

    static func deployment(_ name: String) -> JSONValue {
        let labels: JSONValue = .object(["berth.owner": .string("demo"), "berth.name": .string(name)])
        let container: JSONValue = .object([
            "name": .string(name), "image": .string("busybox:1"),
            "command": .array([.string("sh"), .string("-c"), .string("sleep 3600")]),
            "env": .array([.object(["name": .string("GREETING"), "value": .string("hello")]),
                           .object(["name": .string("LOG_LEVEL"), "value": .string("info")])]),
        ])
        return .object([
            "apiVersion": .string("apps/v1"), "kind": .string("Deployment"),
            "metadata": .object(["name": .string(name), "labels": labels,
                                 "annotations": .object(["berth.config-hash": .string("sha256:65872cca041f7543")])]),
            "spec": .object([
                "replicas": .number("2"), "selector": .object(["matchLabels": labels]),
                "template": .object(["metadata": .object(["labels": labels]), "spec": .object(["containers": .array([container])])]),
            ]),
        ])
    }
}
