import Foundation
import Testing
import BerthModel
@testable import BerthSeal

/// RSA-3072 keys take a moment to make: two for the whole suite.
private let installation = try! SealKey.generate()
private let other = try! SealKey.generate()

struct SealedTextTests {
    @Test func roundTripThroughThePublicKeyAlone() throws {
        let publicOnly = try SealKey(publicPEM: try installation.publicPEM())
        #expect(publicOnly.fingerprint == installation.fingerprint)
        let sealed = try SealedText.seal(Array("s3cr3t pa55 ✓\nline two".utf8), for: publicOnly)
        #expect(sealed.hasPrefix("berth-sealed:v1:\(installation.fingerprint):"))
        #expect(!sealed.contains("s3cr3t"))
        #expect(try SealedText.open(sealed, with: installation) == Array("s3cr3t pa55 ✓\nline two".utf8))
    }

    @Test func anEmptyValueRoundTrips() throws {
        let sealed = try SealedText.seal([], for: installation)
        #expect(try SealedText.open(sealed, with: installation) == [])
    }

    @Test func sealingTwiceGivesDifferentTexts() throws {
        let value = Array("same".utf8)
        #expect(try SealedText.seal(value, for: installation) != SealedText.seal(value, for: installation))
    }

    @Test func theFingerprintIsTheFirst16HexOfTheSHA256OfTheDERPublicKey() throws {
        // Checked with the model's own SHA-256, not with OpenSSL's digest the key used.
        #expect(installation.fingerprint == String(SHA256.hex(installation.publicDER).prefix(16)))
        #expect(installation.publicDER.count > 384)
        #expect(installation.fingerprint != other.fingerprint)
    }

    @Test func aChangedCiphertextOrTagIsRefused() throws {
        let sealed = try SealedText.seal(Array("value".utf8), for: installation)
        let header = String(sealed[..<sealed.lastIndex(of: ":")!])
        var payload = [UInt8](Data(base64Encoded: String(sealed.split(separator: ":").last!))!)
        // The byte after wrapped key and nonce (ciphertext), then the last byte (tag).
        for index in [SealKey.blockBytes + 12, payload.count - 1] {
            payload[index] ^= 0x01
            let changed = header + ":" + Data(payload).base64EncodedString()
            let error = #expect(throws: SealError.self) { try SealedText.open(changed, with: installation) }
            #expect(error?.code == .tampered)
            payload[index] ^= 0x01
        }
        #expect(try SealedText.open(header + ":" + Data(payload).base64EncodedString(), with: installation) == Array("value".utf8))
    }

    @Test func aValueSealedForAnotherKeyNamesBothFingerprints() throws {
        let sealed = try SealedText.seal(Array("value".utf8), for: other)
        let error = #expect(throws: SealError.self) { try SealedText.open(sealed, with: installation) }
        #expect(error?.code == .wrongKey(sealedFor: other.fingerprint, installation: installation.fingerprint))
        #expect(error?.message == "sealed for key \(other.fingerprint), but this installation's key is \(installation.fingerprint)")
    }

    @Test func aFingerprintRewrittenToOursDoesNotOpen() throws {
        let sealed = try SealedText.seal(Array("value".utf8), for: other)
        let forged = sealed.replacingOccurrences(of: other.fingerprint, with: installation.fingerprint)
        let error = #expect(throws: SealError.self) { try SealedText.open(forged, with: installation) }
        #expect(error?.code == .tampered)
    }

    @Test func truncatedOrMalformedInputIsRefused() throws {
        let sealed = try SealedText.seal(Array("value".utf8), for: installation)
        let cases = [
            String(sealed.prefix(sealed.count - 40)),  // cut in the payload: too short
            String(sealed.prefix(sealed.count - 1)),   // no longer base64
            String(sealed.prefix(30)),                 // cut in the fingerprint
            "berth-sealed:v2:" + sealed.dropFirst(16),
            "plain text",
            "",
        ]
        for text in cases {
            let error = #expect(throws: SealError.self) { try SealedText.open(text, with: installation) }
            #expect(error?.code == .malformed, "\(text.prefix(40))")
        }
    }

    @Test func keysReadBackFromPEMAndOthersAreRefused() throws {
        let again = try SealKey(privatePEM: try installation.privatePEM())
        #expect(again.fingerprint == installation.fingerprint)
        #expect(String(decoding: try installation.publicPEM(), as: UTF8.self).hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
        #expect(throws: SealError.self) { try SealKey(privatePEM: try installation.publicPEM()) }
        #expect(throws: SealError.self) { try SealKey(publicPEM: Array("not a key".utf8)) }
        let publicOnly = try SealKey(publicPEM: try installation.publicPEM())
        let sealed = try SealedText.seal(Array("v".utf8), for: installation)
        #expect(throws: SealError.self) { try SealedText.open(sealed, with: publicOnly) }
    }
}
