/// Why a key could not be made, read or used, or a sealed value could not be opened: one
/// line a person can act on. The sealed value itself is never part of the message.
public struct SealError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// Not `berth-sealed:v1:…`, cut short, or not base64.
        case malformed
        /// Sealed for another installation's key.
        case wrongKey(sealedFor: String, installation: String)
        /// The right key, but the ciphertext, nonce, tag or wrapped key was changed.
        case tampered
        /// A key file berth cannot use, or OpenSSL failing.
        case key
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) { self.code = code; self.message = message }

    public var description: String { message }
}
