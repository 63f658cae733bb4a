import BerthJSON
import BerthModel
import BerthSystem
import FoundationEssentials

extension KubernetesAdapter {
    /// One label-filtered list across all namespaces, read `pageSize` objects at a time, and
    /// the resourceVersion a watch starts from: the first page's, since the server reads
    /// every later page from that page's snapshot.
    func list(_ type: KubeResourceType, owner: String) async throws -> (objects: [JSONValue], resourceVersion: String?) {
        let path = type.collectionPath(namespace: nil) + "?labelSelector=" + KubernetesAdapter.selector(owner)
        let doing = "listing \(type.apiVersion) \(type.kind) objects"
        guard pageSize > 0 else { return try await listWhole(path, doing: doing) }
        var objects: [JSONValue] = []
        var version: String?
        var token: String?
        var page = 1
        repeat {
            let answer: JSONValue?
            do {
                answer = try await client.request(
                    "GET", path + "&limit=\(pageSize)" + (token.map { "&continue=" + KubernetesAdapter.queryValue($0) } ?? ""),
                    doing: page == 1 ? doing : "\(doing) (page \(page))").body
            } catch let error as BerthError where token != nil && error.status == 410 {
                // The snapshot the first pages came from is compacted away. Reading on from the
                // fresh token the server offers would mix two points in time, and a pruned or
                // healed object could be judged on the mix; one list without a limit is one
                // consistent snapshot, which is what client-go's pager falls back to as well.
                return try await listWhole(path, doing: "\(doing) in one piece (the continue token expired at page \(page))")
            }
            objects += answer?["items"]?.arrayValue ?? []
            if page == 1 { version = answer?["metadata"]?["resourceVersion"]?.stringValue }
            token = answer?["metadata"]?["continue"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
            page += 1
        } while token != nil
        return (objects, version)
    }

    private func listWhole(_ path: String, doing: String) async throws -> (objects: [JSONValue], resourceVersion: String?) {
        let (_, body) = try await client.request("GET", path, doing: doing)
        return (body?["items"]?.arrayValue ?? [], body?["metadata"]?["resourceVersion"]?.stringValue)
    }

    /// Real servers hand out URL-safe base64, but a token is opaque: an aggregated API may
    /// use `+`, `/` or `=`, which a query would otherwise misread.
    static func queryValue(_ text: String) -> String {
        text.percentEncodedUnreserved()
    }
}
