import BerthJSON
import BerthModel
import Foundation

/// Turns the API's `Status` answer into one BerthError line: what berth was doing, the
/// reason and message, and the causes with their fields (a 422 names the field, a 409
/// conflict names the manager that owns it, 401/403 name the credentials used).
enum KubeStatusError {
    static func make(status: Int, body: JSONValue?, text: String, doing: String, credentials: String) -> BerthError {
        let reason = body?["reason"]?.stringValue
        var said = body?["message"]?.stringValue ?? text.trimmingCharacters(in: .whitespacesAndNewlines)
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
        // 429 and 5xx pass; a 500 from a type error in the object does not, but berth's own
        // objects are typed by the model, so a retry is the better bet.
        // A namespace that does not exist yet may be one a parallel action is creating (a
        // Namespace manifest beside the objects in it): worth the executor's backoff.
        let missingNamespace = status == 404 && body?["details"]?["kind"]?.stringValue == "namespaces"
        return BerthError(code, doing, cause: String(cause.prefix(2000)),
                          isRetryable: status >= 500 || status == 429 || missingNamespace, status: status)
    }

    static func cause(_ json: JSONValue) -> String? {
        let message = json["message"]?.stringValue
        let field = json["field"]?.stringValue
        switch (field, message) {
        case let (field?, message?) where !field.isEmpty: return message.contains(field) ? message : "\(field): \(message)"
        case let (_, message?): return message
        default: return json["reason"]?.stringValue
        }
    }
}
