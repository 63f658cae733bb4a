import BerthJSON
import Testing

/// The replay's comparison must be able to fail: these differences are reported.
@Suite struct ShapeComparisonTests {
    private func json(_ text: String) throws -> JSONValue { try JSONParser.parse(text).value }

    @Test func statusDifferencesAreReportedButResourceVersionsAreNot() throws {
        let recorded = try json(#"{"kind":"Status","status":"Failure","reason":"Expired","code":410,"message":"too old resource version: 1 (367)"}"#)
        let sameShape = try json(#"{"kind":"Status","status":"Failure","reason":"Expired","code":410,"message":"too old resource version: 4 (20)"}"#)
        #expect(ShapeComparison.differences(recorded: recorded, actual: sameShape).isEmpty)
        let otherReason = try json(#"{"kind":"Status","status":"Failure","reason":"Gone","code":410,"message":"too old resource version: 4 (20)"}"#)
        #expect(!ShapeComparison.differences(recorded: recorded, actual: otherReason).isEmpty)
    }

    @Test func objectKeySetsAndListItemKindsAreCompared() throws {
        let recorded = try json(#"{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web","uid":"a"},"spec":{"replicas":1},"status":{}}"#)
        let missingKey = try json(#"{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web"},"spec":{"replicas":1},"status":{}}"#)
        #expect(!ShapeComparison.differences(recorded: recorded, actual: missingKey).isEmpty)
        let list = try json(#"{"kind":"DeploymentList","apiVersion":"apps/v1","metadata":{"resourceVersion":"5"},"items":[{"metadata":{"name":"web"}}]}"#)
        let itemsWithKind = try json(#"{"kind":"DeploymentList","apiVersion":"apps/v1","metadata":{"resourceVersion":"9"},"items":[{"kind":"Deployment","metadata":{"name":"web"}}]}"#)
        #expect(ShapeComparison.differences(recorded: list, actual: itemsWithKind) == ["list items carry kind/apiVersion"])
    }

    @Test func watchesMayLackControllerEventsButNotOthers() throws {
        let event = { (type: String, name: String) in
            JSONValue.object(["type": .string(type), "object": .object(["kind": .string("Deployment"), "apiVersion": .string("apps/v1"),
                                                                         "metadata": .object(["name": .string(name)])])])
        }
        let recorded = [event("ADDED", "a"), event("MODIFIED", "a"), event("DELETED", "a"), event("BOOKMARK", "")]
        #expect(ShapeComparison.differences(recorded: .array(recorded), actual: .array([event("ADDED", "a"), event("DELETED", "a"),
                                                                                        event("BOOKMARK", "")])).isEmpty)
        #expect(!ShapeComparison.differences(recorded: .array(recorded), actual: .array([event("ADDED", "a"), event("BOOKMARK", "")])).isEmpty)
        #expect(!ShapeComparison.differences(recorded: .array(recorded), actual: .array([event("DELETED", "a"), event("ADDED", "a"),
                                                                                         event("BOOKMARK", "")])).isEmpty)
    }
}
