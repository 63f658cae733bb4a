import BerthJSON
import BerthModel
import BerthSystem
import FoundationEssentials

/// Turns the API's `Status` answer into one BerthError line: what berth was doing, the
/// reason and message, and the causes with their fields (a 422 names the field, a 409
/// conflict names the manager that owns it, 401/403 name the credentials used).
enum KubeStatusError {
    static func make(status: Int, body: JSONValue?, text: String, doing: String, credentials: String) -> BerthError {
        if status == 500, let message = body?["message"]?.stringValue, let typed = typedPatchFailure(message) {
            return BerthError(.invalidSpec, doing, cause: typed, isRetryable: false, status: status)
        }
        let reason = body?["reason"]?.stringValue
        var said = body?["message"]?.stringValue ?? text.trimmingWhitespaceAndNewlines()
        let causes = (body?["details"]?["causes"]?.arrayValue ?? []).compactMap(cause)
        // The message often repeats the causes; list them only when it does not.
        let unsaid = causes.filter { !said.contains($0) }
        if !unsaid.isEmpty { said += " (" + unsaid.joined(separator: "; ") + ")" }
        var cause = "API answered \(status)" + (reason.map { " \($0)" } ?? "") + ": " + said
        if status == 401 || status == 403 { cause += " [credentials: \(credentials)]" }
        let code: BerthError.Code = switch status {
        case 404: .notFound
        case 409: .conflict
        case 401, 403: .refused
        case 400, 415, 422: .invalidSpec
        default: .engineError
        }
        // 429 and 5xx pass (a 500 from a type error in the object is caught above: final).
        // A namespace that does not exist yet may be one a parallel action is creating (a
        // Namespace manifest beside the objects in it): worth the executor's backoff.
        let missingNamespace = status == 404 && body?["details"]?["kind"]?.stringValue == "namespaces"
        // A namespace being deleted is gone in seconds and may be made again: passing too.
        let terminating = status == 403 && (body?["details"]?["causes"]?.arrayValue ?? []).contains {
            $0["reason"]?.stringValue == namespaceTerminating
        }
        return BerthError(code, doing, cause: String(cause.prefix(2000)),
                          isRetryable: status >= 500 || status == 429 || missingNamespace || terminating, status: status)
    }

    static let namespaceTerminating = "NamespaceTerminating"

    static func cause(_ json: JSONValue) -> String? {
        let message = json["message"]?.stringValue
        let field = json["field"]?.stringValue
        switch (field, message) {
        case let (field?, message?) where !field.isEmpty: return message.contains(field) ? message : "\(field): \(message)"
        case let (_, message?): return message
        default: return json["reason"]?.stringValue
        }
    }

    static let typedPatchMarker = "failed to create typed patch object"

    /// A server-side apply whose object does not fit its kind's schema (a string where a
    /// number belongs, a field the kind has not) is answered 500 "failed to create typed patch
    /// object (/name; apps/v1, Kind=Deployment): .spec.replicas: expected numeric (int or
    /// float), got string", with no reason, even with fieldValidation=Strict. It is final:
    /// the same object fails the same way however often it is sent.
    static func typedPatchFailure(_ message: String) -> String? {
        guard let marker = message.firstRange(of: typedPatchMarker) else { return nil }
        var rest = message[marker.upperBound...]
        if let close = rest.firstRange(of: "): ") { rest = rest[close.upperBound...] }
        var field = "", problem = String(rest)
        if let split = rest.firstRange(of: ": ") {
            field = String(rest[..<split.lowerBound])
            problem = String(rest[split.upperBound...])
        }
        if field.hasPrefix(".") { field.removeFirst() }
        let what = field.isEmpty ? problem : "field \(field): \(problem)"
        return "the object does not fit its kind's schema: \(what) (API answered 500: \(typedPatchMarker)); "
            + "not retried: correct the spec"
    }
}

extension BerthError {
    /// A write refused because its namespace is being deleted (403, cause NamespaceTerminating).
    var isNamespaceTerminating: Bool { status == 403 && (cause ?? "").contains("because it is being terminated") }
}
