/// An env value written in a spec as `{"sealed": "berth-sealed:v1:…"}`: encrypted for one
/// installation's key (`berth seal`), opened by the commands only when the specs are used
/// (BerthSeal holds the cryptography; the model only checks the text's shape).
public struct SealedValue: Sendable, Equatable {
    public static let prefix = "berth-sealed:v1:"
    /// Wrapped RSA-3072 key, nonce and tag: the bytes of a sealed empty value.
    static let minimumBytes = 384 + 12 + 16

    public var text: String
    /// The fingerprint of the key it was sealed for (16 hex digits).
    public var keyFingerprint: String
    /// Where the value is written, for messages about it.
    public var path: JSONPath
    public var position: JSONPosition

    public init(text: String, keyFingerprint: String, path: JSONPath, position: JSONPosition) {
        self.text = text; self.keyFingerprint = keyFingerprint; self.path = path; self.position = position
    }

    /// The key fingerprint of a well-formed sealed text, or why the text is not one.
    static func parse(_ text: String) -> Result<String, SealedTextProblem> {
        guard text.hasPrefix(prefix) else {
            return .failure(SealedTextProblem(message: "a sealed value starts with \"\(prefix)\"; make one with `berth seal`"))
        }
        let parts = text.dropFirst(prefix.count).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            return .failure(SealedTextProblem(message: "a sealed value is \"\(prefix)FINGERPRINT:DATA\"; this one is cut short or changed"))
        }
        let fingerprint = String(parts[0])
        guard fingerprint.utf8.count == 16, fingerprint.allSatisfy({ "0123456789abcdef".contains($0) }) else {
            return .failure(SealedTextProblem(message: "the key fingerprint of a sealed value is 16 lowercase hex digits, got \"\(fingerprint.prefix(32))\""))
        }
        guard let count = base64Length(parts[1]) else {
            return .failure(SealedTextProblem(message: "the sealed data after the key fingerprint is not base64 (cut short or changed?)"))
        }
        guard count >= minimumBytes else {
            return .failure(SealedTextProblem(message: "the sealed value is cut short: \(count) bytes, at least \(minimumBytes) expected"))
        }
        return .success(fingerprint)
    }

    /// The decoded length of standard padded base64, or nil when `text` is not that.
    static func base64Length(_ text: Substring) -> Int? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count % 4 == 0 else { return nil }
        let padding = bytes.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        guard padding <= 2 else { return nil }
        let alphabet = Set(Base64.alphabet.map { UInt8($0.asciiValue!) })
        guard bytes.dropLast(padding).allSatisfy(alphabet.contains) else { return nil }
        return bytes.count / 4 * 3 - padding
    }
}

struct SealedTextProblem: Error {
    var message: String
}

extension Spec {
    /// Puts the opened value of the sealed env variable `name` in place: from here on it is
    /// an env value like any other, shown and stored only as a "(sealed:…)" fingerprint.
    public mutating func unseal(_ name: String, value: String) {
        env[name] = value
    }

    /// How this spec's secret values are shown and stored (`secretEnv`, sealed names, URL passwords).
    public func secretMask(key: [UInt8]) -> SecretMask {
        SecretMask(key: key, names: secretEnv, sealed: Set(sealedEnv.keys))
    }
}
