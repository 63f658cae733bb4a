/// What a list or watch selects: a `labelSelector` and a `fieldSelector` (the real server
/// supports `metadata.name` and `metadata.namespace` for every kind; so does this one).
struct KubeObjectFilter: Sendable {
    var labels: KubeLabelSelector
    var fields: KubeLabelSelector

    static let everything = KubeObjectFilter(labels: .everything, fields: .everything)

    init(labels: KubeLabelSelector, fields: KubeLabelSelector) {
        self.labels = labels
        self.fields = fields
    }

    /// Parses the two query parameters; 400 BadRequest as the real server answers.
    init(labelSelector: String?, fieldSelector: String?) throws(KubeStatus) {
        labels = try KubeLabelSelector(parsing: labelSelector ?? "")
        fields = try KubeLabelSelector(parsing: fieldSelector ?? "")
        for requirement in fields.requirements {
            switch requirement {
            case .equals(let key, _), .notEquals(let key, _):
                guard ["metadata.name", "metadata.namespace"].contains(key) else {
                    throw .badRequest("field label not supported: \(key)")
                }
            default:
                throw .badRequest("invalid selector: '\(fieldSelector ?? "")'; can't understand set-based requirements in a field selector")
            }
        }
    }

    /// Whether nothing is selected out, so what is left of a list can be counted without reading it.
    var selectsEverything: Bool { labels.requirements.isEmpty && fields.requirements.isEmpty }

    func matches(_ key: KubeObjectKey, labels objectLabels: [String: String]) -> Bool {
        labels.matches(objectLabels) && fields.matches(["metadata.name": key.name, "metadata.namespace": key.namespace])
    }
}
