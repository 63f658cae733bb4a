/// Go's `path.Clean` for '/'-separated paths: the shortest equivalent path by lexical rules
/// alone. Docker cleans every `.dockerignore` pattern this way before matching.
enum PathCleaner {
    /// Collapses repeated slashes, drops `.` elements and a trailing slash, resolves `..`
    /// against the preceding element (at the root it is dropped, in a relative path with
    /// nothing to remove it stays). The empty path becomes `.`.
    static func clean(_ path: String) -> String {
        if path.isEmpty { return "." }
        let rooted = path.hasPrefix("/")
        var kept: [String] = []
        // Split on scalars, not Characters: a combining mark after '/' must not hide it.
        for scalars in path.unicodeScalars.split(separator: "/", omittingEmptySubsequences: true) {
            let element = String(scalars)
            switch element {
            case ".":
                continue
            case "..":
                if let last = kept.last, last != ".." {
                    kept.removeLast()
                } else if !rooted {
                    kept.append(element)
                }
            default:
                kept.append(element)
            }
        }
        let joined = kept.joined(separator: "/")
        if rooted { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }
}
