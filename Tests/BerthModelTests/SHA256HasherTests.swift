@testable import BerthModel
import Testing

struct SHA256HasherTests {
    @Test(arguments: [0, 1, 55, 56, 63, 64, 65, 1000, 100_003])
    func incrementalEqualsOneShot(length: Int) {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var hasher = SHA256.Hasher()
        var offset = 0
        var step = 1
        while offset < bytes.count {
            let end = min(bytes.count, offset + step)
            hasher.update(bytes[offset..<end])
            offset = end
            step = step * 3 % 97 + 1
        }
        #expect(hasher.hexDigest() == SHA256.hex(bytes))
    }

    @Test func knownVector() {
        var hasher = SHA256.Hasher()
        hasher.update("ab")
        hasher.update("c")
        #expect(hasher.hexDigest() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
