@testable import BerthModel
import Testing

/// Quantities compare by value, so the API server's canonical rewrite is not drift.
struct KubeQuantityTests {
    /// Pairs the API server treats as one value: what a user writes, what it reads back as.
    @Test(arguments: [
        ("0.5", "500m"), ("1000m", "1"), ("1", "1"), ("1.5", "1500m"), ("1024Mi", "1Gi"), ("1536Mi", "1536Mi"),
        ("1.5Gi", "1536Mi"), ("1e3", "1k"), ("1000", "1k"), ("1E3", "1k"), ("2k", "2000"), ("0.1", "100m"),
        ("1Ki", "1024"), ("+1", "1"), ("-1", "-1000m"), (".5", "500m"), ("5.", "5"), ("0", "0m"), ("-0", "0"),
        ("1e-3", "1m"), ("1E", "1000P"), ("100Mi", "104857600"), ("1e+3", "1k"), ("3000n", "3u"),
    ])
    func sameValue(_ written: String, _ served: String) {
        #expect(KubeQuantity.sameValue(written, served), "\(written) and \(served)")
        #expect(KubeQuantity.sameValue(served, written))
    }

    @Test(arguments: [
        ("1", "2"), ("500m", "501m"), ("1Gi", "1G"), ("1Mi", "1M"), ("1", "-1"), ("1k", "1Ki"), ("0.5", "5"),
        ("1e3", "1e4"), ("1m", "1M"),
    ])
    func differentValues(_ a: String, _ b: String) {
        #expect(!KubeQuantity.sameValue(a, b), "\(a) and \(b)")
    }

    @Test(arguments: ["", "abc", "1x", "1.2.3", "Gi", "1 Gi", "1e", "1Gi3", "--1", "1e1.5", "0x10", ".",
                      String(repeating: "9", count: 65), "1e999999999"])
    func notQuantities(_ text: String) {
        #expect(KubeQuantity(text) == nil, "\(text)")
        #expect(!KubeQuantity.sameValue(text, text))
    }
}
