/// The grammar of an image reference, as Docker's `distribution/reference` reads it:
/// `[domain[:port]/]path[/path...][:tag][@algorithm:hex]`. Checked at decode time so that
/// a reference the engine would refuse (uppercase in a repository, a '..' path step, a tag
/// of 200 characters) is an error at its line and column instead of a failed pull later,
/// and so nothing in it can break out of the `fromImage=` query it ends up in.
public enum ImageReference {
    /// Docker's limit on the name part (domain and path together).
    public static let maxNameLength = 255
    public static let maxTagLength = 128

    /// Why `reference` is not valid, in a few words, or nil when it is.
    public static func problem(_ reference: String) -> String? {
        var rest = Substring(reference)
        if let at = rest.firstIndex(of: "@") {
            if let problem = digestProblem(rest[rest.index(after: at)...]) { return problem }
            rest = rest[..<at]
        }
        // A colon after the last '/' starts the tag; one before it is the registry's port.
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            let tag = rest[rest.index(after: colon)...]
            if let problem = tagProblem(tag) { return problem }
            rest = rest[..<colon]
        }
        guard rest.utf8.count <= maxNameLength else { return "the name is longer than \(maxNameLength) characters" }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false)
        if components.count > 1, let first = components.first,
           first.contains(".") || first.contains(":") || first == "localhost" || first.contains(where: \.isUppercase) {
            if let problem = domainProblem(first) { return problem }
            components.removeFirst()
        }
        for component in components {
            if let problem = pathComponentProblem(component) { return problem }
        }
        return nil
    }

    /// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
    static func pathComponentProblem(_ component: Substring) -> String? {
        if component.isEmpty { return "an empty path component (\"//\" or a '/' at an end)" }
        if component.contains(where: { $0.isUppercase }) { return "repository names must be lowercase" }
        let bytes = Array(component.utf8)
        var index = 0
        var expectAlnum = true
        while index < bytes.count {
            let byte = bytes[index]
            if isLowerAlnum(byte) {
                expectAlnum = false
                index += 1
                continue
            }
            guard !expectAlnum else { return "\(describe(component)) must start and end with a letter or digit, with single separators between" }
            var end = index
            while end < bytes.count, !isLowerAlnum(bytes[end]) { end += 1 }
            let separator = bytes[index..<end]
            let allowed = separator.elementsEqual([0x2E]) || separator.elementsEqual([0x5F]) || separator.elementsEqual([0x5F, 0x5F])
                || separator.allSatisfy { $0 == 0x2D }
            guard allowed else { return "\(describe(component)) may only use lowercase letters, digits, '.', '_', '__' and '-'" }
            index = end
            expectAlnum = true
        }
        return expectAlnum ? "\(describe(component)) must start and end with a letter or digit, with single separators between" : nil
    }

    /// `label(.label)*(:port)?`, each label `[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?`.
    static func domainProblem(_ domain: Substring) -> String? {
        let parts = domain.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return "the registry \(describe(domain)) has more than one ':'" }
        if parts.count == 2 {
            let port = parts[1]
            guard !port.isEmpty, port.count <= 5, port.utf8.allSatisfy(isDigit) else {
                return "the registry port in \(describe(domain)) is not a number"
            }
        }
        for label in parts[0].split(separator: ".", omittingEmptySubsequences: false) {
            let bytes = Array(label.utf8)
            guard let first = bytes.first, let last = bytes.last, isAlnum(first), isAlnum(last),
                  bytes.allSatisfy({ isAlnum($0) || $0 == 0x2D }) else {
                return "the registry \(describe(domain)) is not a host name"
            }
        }
        return nil
    }

    /// `[\w][\w.-]{0,127}`
    static func tagProblem(_ tag: Substring) -> String? {
        let bytes = Array(tag.utf8)
        guard let first = bytes.first else { return "the tag after ':' is empty" }
        guard bytes.count <= maxTagLength else { return "the tag is longer than \(maxTagLength) characters" }
        guard isWord(first), bytes.allSatisfy({ isWord($0) || $0 == 0x2E || $0 == 0x2D }) else {
            return "the tag \(describe(tag)) may only use letters, digits, '_', '.' and '-', and not start with '.' or '-'"
        }
        return nil
    }

    /// `algorithm:hex`, hex at least 32 digits (sha256 has 64).
    static func digestProblem(_ digest: Substring) -> String? {
        let parts = digest.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let first = parts[0].utf8.first, isAlpha(first),
              parts[0].utf8.allSatisfy({ isAlnum($0) || $0 == 0x2B || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }),
              parts[1].utf8.count >= 32, parts[1].utf8.allSatisfy(isHex) else {
            return "the digest after '@' is not like \"sha256:<64 hex digits>\""
        }
        return nil
    }

    private static func describe(_ text: Substring) -> String { quoted(String(text)) }
    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    private static func isLowerAlnum(_ b: UInt8) -> Bool { isDigit(b) || (b >= 0x61 && b <= 0x7A) }
    private static func isAlpha(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) }
    private static func isAlnum(_ b: UInt8) -> Bool { isDigit(b) || isAlpha(b) }
    private static func isWord(_ b: UInt8) -> Bool { isAlnum(b) || b == 0x5F }
    private static func isHex(_ b: UInt8) -> Bool { isDigit(b) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46) }
}
