import BerthModel
import Testing

/// Rollout judgement on Deployment statuses recorded from a real kube-apiserver v1.28
/// (../shared/kubernetes/transcripts/12-deployment-status.json) and on the cases around them.
@Suite struct KubeRolloutTests {
    static func deployment(generation: Int, replicas: Int, status: String) throws -> JSONValue {
        let text = #"{"metadata":{"name":"web","generation":\#(generation)},"spec":{"replicas":\#(replicas)},"status":\#(status)}"#
        return try JSONParser.parse(Array(text.utf8)).value
    }

    @Test func freshlyCreatedDeploymentIsPendingUntilTheControllerSeesIt() throws {
        let rollout = KubeRollout(deployment: try Self.deployment(generation: 1, replicas: 2, status: "{}"), object: "api")
        #expect(rollout.phase == .pending)
        #expect(rollout.message == "waiting for the controller to observe generation 1")
    }

    @Test func recordedStatusWithPendingPodsIsProgressing() throws {
        // Transcript 12, exchange 1: two pods that never become available.
        let status = #"""
        {"observedGeneration":1,"replicas":2,"updatedReplicas":2,"unavailableReplicas":2,"conditions":[
         {"type":"Available","status":"False","reason":"MinimumReplicasUnavailable","message":"Deployment does not have minimum availability."},
         {"type":"Progressing","status":"True","reason":"ReplicaSetUpdated","message":"ReplicaSet \"api-789f87cf45\" is progressing."}]}
        """#
        let rollout = KubeRollout(deployment: try Self.deployment(generation: 1, replicas: 2, status: status), object: "api")
        #expect(rollout.phase == .progressing)
        #expect(rollout.message == "0 of 2 updated replicas are available")
        #expect(rollout.progressing?.reason == "ReplicaSetUpdated")
        #expect(rollout.availableCondition?.status == "False")
    }

    @Test func recordedRollingUpdateStuckHalfWay() throws {
        // Transcript 12, exchange 2: one of two updated, three pods in all.
        let status = #"{"observedGeneration":6,"replicas":3,"updatedReplicas":1,"unavailableReplicas":3,"conditions":[{"type":"Progressing","status":"True","reason":"ReplicaSetUpdated"}]}"#
        let rollout = KubeRollout(deployment: try Self.deployment(generation: 6, replicas: 2, status: status), object: "web")
        #expect(rollout.phase == .progressing)
        #expect(rollout.message == "1 of 2 updated replicas")
    }

    @Test func oldReplicasStillTerminatingKeepItProgressing() throws {
        let status = #"{"observedGeneration":2,"replicas":3,"updatedReplicas":2,"readyReplicas":2,"availableReplicas":2}"#
        let rollout = KubeRollout(deployment: try Self.deployment(generation: 2, replicas: 2, status: status), object: "web")
        #expect(rollout.phase == .progressing)
        #expect(rollout.message == "1 old replicas are pending termination")
    }

    @Test func deadlineExceededIsStalledWithTheConditionsMessage() throws {
        let status = #"{"observedGeneration":3,"replicas":2,"updatedReplicas":1,"conditions":[{"type":"Progressing","status":"False","reason":"ProgressDeadlineExceeded","message":"ReplicaSet \"web-1\" has timed out progressing."}]}"#
        let rollout = KubeRollout(deployment: try Self.deployment(generation: 3, replicas: 2, status: status), object: "web")
        #expect(rollout.phase == .stalled)
        #expect(rollout.message == "ReplicaSet \"web-1\" has timed out progressing.")
    }

    @Test func allUpdatedAndAvailableIsComplete() throws {
        let status = #"{"observedGeneration":4,"replicas":2,"updatedReplicas":2,"readyReplicas":2,"availableReplicas":2}"#
        let rollout = KubeRollout(deployment: try Self.deployment(generation: 4, replicas: 2, status: status), object: "web")
        #expect(rollout.phase == .complete)
        #expect(rollout.ready == 2)
    }

    @Test func anOlderObservedGenerationIsNotComplete() throws {
        let status = #"{"observedGeneration":3,"replicas":2,"updatedReplicas":2,"readyReplicas":2,"availableReplicas":2}"#
        let rollout = KubeRollout(deployment: try Self.deployment(generation: 4, replicas: 2, status: status), object: "web")
        #expect(rollout.phase == .pending)
    }
}
