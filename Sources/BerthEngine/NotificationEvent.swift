import BerthModel

/// One notification as it is posted: `event`, `owner`, `time` (RFC 3339), `message`, and
/// the fields of its kind (revision, errors, names, target, cause...).
public struct NotificationEvent: Sendable, Equatable {
    public var event: String
    public var owner: String
    public var time: String
    public var message: String
    public var fields: [String: JSONValue]

    public init(event: String, owner: String, time: String, message: String, fields: [String: JSONValue] = [:]) {
        self.event = event; self.owner = owner; self.time = time; self.message = message; self.fields = fields
    }

    /// The JSON body, keys sorted.
    public var json: String {
        var object = fields
        object["event"] = .string(event)
        object["owner"] = .string(owner)
        object["time"] = .string(time)
        object["message"] = .string(message)
        return JSONValue.object(object).serialized()
    }
}
