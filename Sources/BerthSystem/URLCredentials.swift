/// URLs as berth shows them (git remotes, notification receivers): a password or token in
/// the URL never appears.
public enum URLCredentials {
    /// `text` with the secret part of every URL's user information replaced by `***`:
    /// `https://user:tok@host/r` → `https://user:***@host/r`, and for http(s), where a lone
    /// user name is usually a token (`https://ghp_…@github.com/…`), `https://***@host/r`.
    /// An ssh user name (`ssh://git@host/…`) is not a secret and stays.
    public static func masked(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let marker = rest.firstRange(of: "://") {
            let scheme = schemeBefore(rest[..<marker.lowerBound])
            out += rest[..<marker.upperBound]
            rest = rest[marker.upperBound...]
            // The authority ends at the first '/', whitespace or quote; user information at its last '@'.
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == " " || $0 == "\n" || $0 == "'" || $0 == "\"" } ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            guard let at = authority.lastIndex(of: "@") else { continue }
            let user = authority[..<at]
            if let colon = user.firstIndex(of: ":") {
                out += user[..<colon] + ":***"
            } else if scheme.hasPrefix("http") {
                out += "***"
            } else {
                out += user
            }
            rest = rest[at...]
        }
        return out + rest
    }

    /// The letters right before "://" (`https` in `fetch https://…`), lowercased.
    static func schemeBefore(_ text: Substring) -> String {
        String(text.reversed().prefix { $0.isLetter || $0 == "+" || $0 == "-" || $0 == "." }.reversed()).lowercased()
    }
}
