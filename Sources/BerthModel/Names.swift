/// Names become container names, hostnames and label values: they must not be able to
/// break out of their place (no path separators, no '..', nothing a label parser splits on).
public enum Names {
    public static func isValid(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard let first = bytes.first, let last = bytes.last else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        return alnum(first) && alnum(last) && bytes.allSatisfy { alnum($0) || $0 == 0x2D }
    }

    /// A container's name: OWNER-NAME-REPLICA; on a named target OWNER-TARGET-NAME-REPLICA,
    /// so that two targets on one engine never want the same name.
    public static func container(owner: String, target: TargetName, spec: SpecName, replica: Int) -> String {
        target.isImplicit ? "\(owner)-\(spec)-\(replica)" : "\(owner)-\(target)-\(spec)-\(replica)"
    }

    /// Turns a folder name into a valid owner name ("My_Project" -> "my-project").
    public static func sanitized(_ s: String) -> String {
        var out = ""
        for scalar in s.lowercased().unicodeScalars {
            let c = Character(scalar)
            if (c >= "a" && c <= "z") || (c >= "0" && c <= "9") { out.append(c) }
            else if !out.isEmpty && out.last != "-" { out.append("-") }
        }
        while out.last == "-" { out.removeLast() }
        return out.isEmpty ? "berth" : String(out.prefix(SpecDecoder.maxNameLength))
    }
}

/// The labels by which berth recognises what it owns.
public enum Labels {
    public static let prefix = "berth."
    public static let owner = "berth.owner"
    public static let name = "berth.name"
    public static let replica = "berth.replica"
    public static let configHash = "berth.config-hash"
    /// The target a resource was made for, on named targets only (berth.json's): two targets
    /// pointed at one engine never take each other's resources. The implicit targets write
    /// none, so what berth v1 made stays theirs.
    public static let target = "berth.target"

    /// Whether a resource's `berth.target` label places it on `target`.
    public static func belongs(_ value: String?, to target: TargetName) -> Bool {
        target.isImplicit ? value == nil : value == target.rawValue
    }
    public static let removeImage = "berth.remove-image"
    /// What a resource that is not a workload is: `volume` on the Docker volumes berth makes.
    public static let kind = "berth.kind"
    /// Kubernetes: an annotation naming the Deployment's env variables that were sealed, so
    /// that when one is removed from the spec its old value is not shown in the plan.
    public static let sealedEnv = "berth.sealed-env"
    /// Swarm: the image reference the spec names (the service runs it pinned by ID or digest).
    public static let image = "berth.image"
    /// Swarm: the replica count berth last set, to tell a spec's scaling from somebody else's.
    public static let replicas = "berth.replicas"
    /// Docker: "false" when the spec said `"prune": false`: the container is released, not
    /// deleted, when its spec is removed. On the container so the promise outlives the state folder.
    public static let prune = "berth.prune"
    /// Docker: what a released container's name ends with (`main-web-1-released`). Docker
    /// cannot remove labels, so this name is what tells berth never to touch it again.
    public static let releasedSuffix = "-released"

    /// Whether a container's name marks it released: "…-released", or "…-released-<12 hex>"
    /// when that name was taken by an earlier release.
    public static func isReleased(engineName name: String) -> Bool {
        if name.hasSuffix(releasedSuffix) { return true }
        // The last "-released-" is the one 12 characters from the end: hex has no "r".
        guard name.dropLast(12).hasSuffix(releasedSuffix + "-") else { return false }
        let tail = name.suffix(12)
        return tail.count == 12 && tail.allSatisfy { $0.isHexDigit }
    }
}

/// "did you mean": the closest known word within a small edit distance.
public enum Suggest {
    static func closest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(Array(word.lowercased()), Array($0.lowercased()))) }
        guard let best = scored.min(by: { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }) else { return nil }
        return best.1 <= max(1, best.0.count / 3) ? best.0 : nil
    }

    /// The candidate a typo most likely meant: within 1 edit of a short word, 2 of a longer
    /// one ("hots" -> "host"), and never a guess as long as the word itself ("b" -> "a").
    public static func near(_ word: String, _ candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(Array(word.lowercased()), Array($0.lowercased()))) }
        guard let best = scored.min(by: { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }) else { return nil }
        return best.1 <= (word.count >= 4 ? 2 : 1) && best.1 < word.count ? best.0 : nil
    }

    /// Levenshtein distance; Int.max past 64 characters (no suggestion is that long).
    public static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.count > 64 || b.count > 64 { return Int.max }
        var previous = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var current = [i + 1]
            for (j, cb) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
