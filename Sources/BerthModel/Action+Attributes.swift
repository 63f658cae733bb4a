/// What a create will set, shown under its line in the plan so a reviewer sees the new
/// resource's settings, not only its name (as Terraform lists a new resource's attributes).
extension Action {
    /// `image`, `command`, `env.NAME`, `ports`, `volumes`, `replicas`, each with a JSON value,
    /// only those the spec sets. Secret values never appear: a credential-like or `secretEnv`
    /// name shows "(secret)", a sealed one "(sealed)", a password inside a URL "***", so the
    /// text can be pasted into a review or saved with the plan. Empty for anything but a
    /// create of a container, a service or a Kubernetes Deployment.
    public var createAttributes: [String] {
        guard op == .create, let spec, key.object == nil || key.kind == "Deployment" else { return [] }
        let mask = spec.secretMask(key: [])
        func quoted(_ text: String) -> String { JSONValue.string(Secrets.maskingURLPasswords(text) { _ in "***" } ?? text).canonicalText }
        var lines = ["image: " + quoted(spec.image)]
        if let command = spec.command { lines.append("command: [" + command.map(quoted).joined(separator: ", ") + "]") }
        for name in spec.env.keys.sorted() {
            let shown = mask.sealed.contains(name) ? "(sealed)" : mask.isSecret(name: name) ? "(secret)" : quoted(spec.env[name]!)
            lines.append("env.\(name): \(shown)")
        }
        // Sealed values not opened (plan without the key) are still named.
        for name in spec.sealedEnv.keys.sorted() where spec.env[name] == nil { lines.append("env.\(name): (sealed)") }
        if !spec.ports.isEmpty { lines.append("ports: [" + spec.ports.map { quoted($0.description) }.joined(separator: ", ") + "]") }
        if !spec.volumes.isEmpty { lines.append("volumes: [" + spec.volumes.map { quoted($0.description) }.joined(separator: ", ") + "]") }
        if spec.mode != .global { lines.append("replicas: \(spec.replicas)") }
        return lines
    }
}
