import BerthJSON
import Foundation

/// A list's `continue` token as kube-apiserver v1.28 makes it: unpadded URL-safe base64 of
/// `{"v":"meta.k8s.io/v1","rv":RV,"start":KEY}`. KEY is the last object served, as its key
/// reads under the list's prefix ("NAMESPACE/NAME" across namespaces, "NAME" within one or
/// for a cluster-scoped kind), and a NUL, so the next page starts just after it.
struct KubeContinueToken: Sendable, Equatable {
    /// The snapshot the pages are read from; -1 (the token in a 410) asks for the latest state.
    var resourceVersion: Int
    var start: String

    init(resourceVersion: Int, start: String) {
        self.resourceVersion = resourceVersion
        self.start = start
    }

    /// The token of a page whose last object is `key`.
    init(resourceVersion: Int, after key: KubeObjectKey, allNamespaces: Bool) {
        self.init(resourceVersion: resourceVersion, start: (allNamespaces ? key.namespace + "/" : "") + key.name + "\u{0}")
    }

    var encoded: String {
        // Written by hand so the bytes are Go's json.Marshal's: field order v, rv, start.
        let json = #"{"v":"meta.k8s.io/v1","rv":\#(resourceVersion),"start":"# + JSONValue.string(start).serialized() + "}"
        return Data(json.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Reads a token back; a text that is not one is 400 BadRequest with the real server's words.
    init(decoding text: String) throws(KubeStatus) {
        let bytes = try Self.base64URLDecoded(text)
        guard let json = try? JSONParser.parse(bytes, rejectDuplicateKeys: false).value, json.objectValue != nil else {
            throw Self.invalid("the decoded token is not a JSON object")
        }
        let version = json["v"]?.stringValue ?? ""
        guard version == "meta.k8s.io/v1" else { throw Self.invalid("server does not recognize this encoded version \"\(version)\"") }
        guard let resourceVersion = json["rv"]?.intValue, resourceVersion != 0 else {
            throw .badRequest("invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
        }
        guard let start = json["start"]?.stringValue, !start.isEmpty else {
            throw .badRequest("invalid continue token: continue key is not valid: encoded start key empty (version meta.k8s.io/v1)")
        }
        // The real server refuses a key that path.Clean would change: it could climb out of the list's prefix.
        if start.split(separator: "/", omittingEmptySubsequences: false).contains(where: { ["", ".", ".."].contains($0) }) {
            throw Self.invalid(start)
        }
        self.init(resourceVersion: resourceVersion, start: start)
    }

    /// Where the next page starts in the store's (namespace, name) order: objects at or after it.
    func position(allNamespaces: Bool, namespace: String?) -> (namespace: String, name: String) {
        guard allNamespaces else { return (namespace ?? "", start) }
        guard let slash = start.firstIndex(of: "/") else { return (start, "") }
        return (String(start[..<slash]), String(start[start.index(after: slash)...]))
    }

    private static func invalid(_ detail: String) -> KubeStatus {
        .badRequest("invalid continue token: continue key is not valid: \(detail)")
    }

    /// Go's base64.RawURLEncoding: no padding, `-` and `_`, and the offending byte named.
    private static func base64URLDecoded(_ text: String) throws(KubeStatus) -> [UInt8] {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        let bytes = Array(text.utf8)
        if let bad = bytes.firstIndex(where: { !alphabet.contains($0) }) {
            throw invalid("illegal base64 data at input byte \(bad)")
        }
        if bytes.count % 4 == 1 { throw invalid("illegal base64 data at input byte \(bytes.count - 1)") }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.count % 4) % 4)
        guard let data = Data(base64Encoded: standard) else { throw invalid("illegal base64 data at input byte 0") }
        return Array(data)
    }
}
