import BerthJSON
import Foundation

/// Compares a response of the test server with the recorded one by shape: values that
/// differ from cluster to cluster (uids, resourceVersions, timestamps, clusterIPs,
/// generated names) are compared only by their presence. Returns the differences.
enum ShapeComparison {
    static func differences(recorded: JSONValue, actual: JSONValue) -> [String] {
        if case .string(let text) = recorded {
            return actual == .string(text) ? [] : ["body \(actual.canonicalText.prefix(200)) instead of \(text.debugDescription)"]
        }
        if case .array(let events) = recorded { return watchDifferences(recorded: events, actual: actual.arrayValue ?? []) }
        if recorded["kind"]?.stringValue == "Status" { return statusDifferences(recorded: recorded, actual: actual) }
        if recorded["items"] != nil, recorded["kind"]?.stringValue?.hasSuffix("List") == true,
           recorded["kind"]?.stringValue != "APIGroupDiscoveryList" {
            return listDifferences(recorded: recorded, actual: actual)
        }
        if recorded["metadata"] != nil { return objectDifferences(recorded: recorded, actual: actual, label: "object") }
        return discoveryDifferences(recorded: recorded, actual: actual)
    }

    static func keys(_ value: JSONValue?) -> [String] { (value?.objectValue ?? [:]).keys.sorted() }

    private static func same(_ what: String, _ recorded: String?, _ actual: String?, into diffs: inout [String]) {
        if recorded != actual { diffs.append("\(what): \(actual ?? "absent") instead of \(recorded ?? "absent")") }
    }

    /// Status bodies: kind, status, reason, code, details (kind, group presence, name, causes' reason and field),
    /// and the message with digits masked (resourceVersions appear in some).
    static func statusDifferences(recorded: JSONValue, actual: JSONValue) -> [String] {
        var diffs: [String] = []
        for key in ["kind", "status", "reason", "code"] {
            same(key, recorded[key]?.canonicalText, actual[key]?.canonicalText, into: &diffs)
        }
        same("message", masked(recorded["message"]?.stringValue), masked(actual["message"]?.stringValue), into: &diffs)
        same("details keys", keys(recorded["details"]).description, keys(actual["details"]).description, into: &diffs)
        for key in ["kind", "group", "name"] {
            same("details.\(key)", recorded["details"]?[key]?.stringValue, actual["details"]?[key]?.stringValue, into: &diffs)
        }
        let causes = { (status: JSONValue) in
            (status["details"]?["causes"]?.arrayValue ?? []).map { "\($0["reason"]?.stringValue ?? "-") \($0["field"]?.stringValue ?? "-")" }
        }
        same("causes", causes(recorded).description, causes(actual).description, into: &diffs)
        return diffs
    }

    static func masked(_ text: String?) -> String? {
        text?.replacingOccurrences(of: "[0-9]+", with: "#", options: .regularExpression)
    }

    /// Lists: kind, apiVersion, resourceVersion present, item count and names, items without kind/apiVersion.
    static func listDifferences(recorded: JSONValue, actual: JSONValue) -> [String] {
        var diffs: [String] = []
        for key in ["kind", "apiVersion"] { same(key, recorded[key]?.stringValue, actual[key]?.stringValue, into: &diffs) }
        if actual["metadata"]?["resourceVersion"]?.stringValue == nil { diffs.append("list without metadata.resourceVersion") }
        guard let items = actual["items"]?.arrayValue else { return diffs + ["items missing or not an array"] }
        let names = { (list: [JSONValue]) in list.map { $0["metadata"]?["name"]?.stringValue ?? "?" } }
        same("item names", names(recorded["items"]?.arrayValue ?? []).description, names(items).description, into: &diffs)
        if items.contains(where: { $0["kind"] != nil || $0["apiVersion"] != nil }) { diffs.append("list items carry kind/apiVersion") }
        return diffs
    }

    /// Objects: kind/apiVersion, the top-level, metadata, spec and status key sets.
    static func objectDifferences(recorded: JSONValue, actual: JSONValue, label: String) -> [String] {
        var diffs: [String] = []
        for key in ["kind", "apiVersion"] { same("\(label) \(key)", recorded[key]?.stringValue, actual[key]?.stringValue, into: &diffs) }
        same("\(label) keys", keys(recorded).description, keys(actual).description, into: &diffs)
        for part in ["metadata", "spec", "status"] where recorded[part]?.objectValue != nil {
            same("\(label) \(part) keys", keys(recorded[part]).description, keys(actual[part]).description, into: &diffs)
        }
        return diffs
    }

    /// Watches: our events, bookmarks aside, must come in the recorded order and include every
    /// recorded ADDED/DELETED/ERROR event; MODIFIED ones written by the recorded cluster's
    /// controller-manager may be missing. A recorded final BOOKMARK must be ours too.
    static func watchDifferences(recorded: [JSONValue], actual: [JSONValue]) -> [String] {
        let describe = { (event: JSONValue) in
            "\(event["type"]?.stringValue ?? "?") \(event["object"]?["metadata"]?["name"]?.stringValue ?? "-")"
        }
        let wanted = recorded.filter { $0["type"]?.stringValue != "BOOKMARK" }.map(describe)
        let got = actual.filter { $0["type"]?.stringValue != "BOOKMARK" }.map(describe)
        var diffs: [String] = []
        var index = wanted.startIndex
        for event in got {
            guard let found = wanted[index...].firstIndex(of: event) else {
                diffs.append("watch event \(event) not in the recorded order \(wanted)")
                continue
            }
            for skipped in wanted[index..<found] where !skipped.hasPrefix("MODIFIED") { diffs.append("watch event \(skipped) missing") }
            index = found + 1
        }
        for skipped in wanted[index...] where !skipped.hasPrefix("MODIFIED") { diffs.append("watch event \(skipped) missing") }
        if recorded.last?["type"]?.stringValue == "BOOKMARK" && actual.last?["type"]?.stringValue != "BOOKMARK" {
            diffs.append("watch does not end with a BOOKMARK")
        }
        for event in actual where event["type"]?.stringValue != "ERROR" && event["type"]?.stringValue != "BOOKMARK" {
            if event["object"]?["kind"] == nil || event["object"]?["apiVersion"] == nil { diffs.append("watch object without kind/apiVersion") }
        }
        return diffs
    }

    /// Discovery documents: the top-level keys, and for what the test server serves, the
    /// same names, kinds, scope and verbs as the real server.
    static func discoveryDifferences(recorded: JSONValue, actual: JSONValue) -> [String] {
        var diffs: [String] = []
        same("keys", keys(recorded).description, keys(actual).description, into: &diffs)
        for key in ["kind", "apiVersion", "groupVersion"] { same(key, recorded[key]?.stringValue, actual[key]?.stringValue, into: &diffs) }
        for resource in actual["resources"]?.arrayValue ?? [] {
            let name = resource["name"]?.stringValue ?? "?"
            guard let real = recorded["resources"]?.arrayValue?.first(where: { $0["name"]?.stringValue == name }) else {
                diffs.append("resource \(name) not served by the real server")
                continue
            }
            for key in ["kind", "namespaced", "verbs", "singularName"] {
                same("\(name).\(key)", real[key]?.canonicalText, resource[key]?.canonicalText, into: &diffs)
            }
        }
        let groupNames = { (value: JSONValue, list: String) in
            Set((value[list]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue ?? $0["metadata"]?["name"]?.stringValue })
        }
        for list in ["groups", "items"] {
            for group in groupNames(actual, list).subtracting(groupNames(recorded, list)) { diffs.append("group \(group) not served by the real server") }
        }
        return diffs
    }
}
