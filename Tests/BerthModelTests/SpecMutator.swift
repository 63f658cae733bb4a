import Foundation

/// SplitMix64: tiny, fast and fully determined by its seed, so a printed seed replays a run.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<bound` (bound > 0); the modulo bias is irrelevant for fuzzing.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// Log-uniform in `low...high`: as many small sizes as huge ones, per decade.
    mutating func size(_ low: Int, _ high: Int) -> Int {
        let lowLog = log2(Double(low)), highLog = log2(Double(high))
        let unit = Double(next() >> 11) / Double(1 << 53)
        return min(high, max(low, Int(exp2(lowLog + (highLog - lowLog) * unit))))
    }
}

/// Mutations that make a valid spec file hostile. Each works on bytes, so it can produce
/// anything a file on disk can hold; `kind` names it in the fuzz report.
enum Mutation: String, CaseIterable {
    case truncate, bitFlip = "bit-flip", insertByte = "byte-insert", deleteBytes = "byte-delete", splice
    case deepNesting = "deep-nesting", hugeNumber = "huge-number", longString = "long-string"
    case invalidUTF8 = "invalid-utf8", overlongUTF8 = "overlong-utf8", loneSurrogate = "lone-surrogate"
    case duplicateKey = "duplicate-key", nulByte = "nul-byte", controlChar = "control-char", bom
    case whitespaceFlood = "whitespace-flood", hostileString = "hostile-string"

    /// Mutations that can make inputs of megabytes are drawn less often, so a run of 100,000
    /// inputs stays within minutes; every kind still appears thousands of times.
    var weight: Int {
        switch self {
        case .deepNesting, .longString, .whitespaceFlood: return 2
        case .hugeNumber: return 4
        case .truncate, .bitFlip, .insertByte, .deleteBytes, .hostileString: return 12
        default: return 6
        }
    }

    static let table: [Mutation] = allCases.flatMap { Array(repeating: $0, count: $0.weight) }
}

/// Applies mutations to a corpus input, driven by one PRNG.
struct SpecMutator {
    var random: SplitMix64
    let corpus: [[UInt8]]
    /// Upper bound for the big mutations (nesting depth, string and flood lengths).
    let maxSize: Int

    /// Strings that try to break out of the place a value ends up in, or to pass a check
    /// they should not: path steps, separators, label and env syntax, case, length.
    static let hostile: [String] = [
        "../etc", "..", "a/b", "a\\\\b", "/", "-rm", "Web", "WEB_1", "berth.owner", "berth.name", "x\\u0000y",
        "a\\nb", "a\\r\\nb", "A=B", "=", "", " ", "web ", "\\u2028", "\\u0085", "\\t", "\\u007f",
        String(repeating: "a", count: 54), String(repeating: "a", count: 53), "busybox", "Busybox:1",
        "busybox:1", "x:1", "localhost:5000/a:1", "a//b:1", "a:1@sha256:zz", "repo:-tag", "repo:" + String(repeating: "t", count: 129),
        "1.2.3.4:80:80", "999999:1", "80:80/sctp", "0:0", "data:/d:ro", "/srv/../etc:/d", "vol:/d/../..", "vol:relative",
        "no", "always", "swarm", "docker", "global", "start-first", "10s", "-1s", "1e400s",
    ]

    static let hugeNumbers: [String] = [
        "1e999999", "-0", "-0.0", "18446744073709551616", "-9223372036854775809", "9223372036854775807",
        "1E+", "01", "-", "1.", ".5", "NaN", "Infinity", "-Infinity", "0x10", "1e-999999", "2e2147483648",
    ]

    mutating func mutate(_ input: [UInt8], kind: Mutation) -> [UInt8] {
        var bytes = input
        switch kind {
        case .truncate:
            bytes.removeLast(bytes.isEmpty ? 0 : random.below(bytes.count) + 1)
        case .bitFlip:
            for _ in 0..<random.size(1, 16) where !bytes.isEmpty {
                bytes[random.below(bytes.count)] ^= UInt8(1) << UInt8(random.below(8))
            }
        case .insertByte:
            let interesting = Array("{}[]\":,\\0-e.\n tfn".utf8)
            for _ in 0..<random.size(1, 4) {
                let byte = random.chance(50) ? random.pick(interesting) : UInt8(truncatingIfNeeded: random.next())
                bytes.insert(byte, at: random.below(bytes.count + 1))
            }
        case .deleteBytes:
            guard !bytes.isEmpty else { break }
            let start = random.below(bytes.count)
            bytes.removeSubrange(start..<min(bytes.count, start + random.size(1, 64)))
        case .splice:
            let other = random.pick(corpus)
            bytes = Array(bytes.prefix(random.below(bytes.count + 1))) + other.suffix(random.below(other.count + 1))
        case .deepNesting:
            let depth = random.size(100, maxSize / 10)
            let opener: [UInt8] = random.pick([Array("[".utf8), Array("{\"a\":".utf8), Array("[{\"k\":".utf8)])
            var nest = Array(repeating: opener, count: depth).flatMap { $0 }
            if random.chance(50) { nest += Array("1".utf8) + Array(repeating: UInt8(ascii: "]"), count: depth) }
            bytes.insert(contentsOf: nest, at: valuePosition(in: bytes))
        case .hugeNumber:
            let digits = random.chance(30) ? String(repeating: "9", count: random.size(20, maxSize / 4)) : random.pick(Self.hugeNumbers)
            replaceValue(in: &bytes, with: Array(digits.utf8))
        case .longString:
            let unit = random.pick(["a", "é", "😀", "\\n", "\\\"", "\\u00e9", " "])
            let text = String(repeating: unit, count: random.size(64, maxSize) / unit.utf8.count)
            insertInString(&bytes, Array(text.utf8))
        case .invalidUTF8:
            insertInString(&bytes, random.pick([[0xFF], [0xFE], [0x80], [0xC3], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88]]))
        case .overlongUTF8:
            insertInString(&bytes, random.pick([[0xC0, 0xAF], [0xC1, 0xBF], [0xE0, 0x80, 0xAF], [0xF0, 0x80, 0x80, 0xAF], [0xC0, 0x80]]))
        case .loneSurrogate:
            insertInString(&bytes, Array(random.pick(["\\uD800", "\\uDC00", "\\uD83D\\u0041", "\\uD83D", "\\uDBFF\\uDBFF", "\\uD83D\\"]).utf8))
        case .duplicateKey:
            let field = random.pick(["name", "image", "env", "ports", "labels", "target", "replicas", "docker", "QUEUE", "HostConfig"])
            let value = random.pick(["\"x\"", "\"web\"", "{}", "[]", "1", "null"])
            insertAfterBrace(&bytes, Array("\"\(field)\": \(value),".utf8))
        case .nulByte:
            random.chance(50) ? insertInString(&bytes, [0x00]) : insertInString(&bytes, Array("\\u0000".utf8))
        case .controlChar:
            let raw = UInt8(random.below(0x20))
            let escaped = random.pick(["\\n", "\\r", "\\t", "\\b", "\\f", "\\u001b", "\\u007f", "\\u0085", "\\u2028"])
            random.chance(50) ? insertInString(&bytes, [random.chance(90) ? raw : 0x7F]) : insertInString(&bytes, Array(escaped.utf8))
        case .bom:
            let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
            bytes.insert(contentsOf: random.chance(30) ? bom + bom : bom, at: random.chance(70) ? 0 : random.below(bytes.count + 1))
        case .whitespaceFlood:
            let unit: [UInt8] = random.pick([[0x20], [0x09], [0x0A], [0x0D, 0x0A], [0x0D], [0x0C], [0xC2, 0xA0]])
            let flood = Array(repeating: unit, count: random.size(64, maxSize) / unit.count).flatMap { $0 }
            bytes.insert(contentsOf: flood, at: random.below(bytes.count + 1))
        case .hostileString:
            replaceString(in: &bytes, with: Array(random.pick(Self.hostile).utf8))
        }
        return bytes
    }

    /// A random offset just after a quote (inside a string, or just after one), or anywhere.
    private mutating func insertInString(_ bytes: inout [UInt8], _ insert: [UInt8]) {
        let quotes = offsets(of: UInt8(ascii: "\""), in: bytes)
        let at = quotes.isEmpty || random.chance(10) ? random.below(bytes.count + 1) : random.pick(quotes) + 1
        bytes.insert(contentsOf: insert, at: at)
    }

    /// Replaces the contents of a random string (key or value) with `text`.
    private mutating func replaceString(in bytes: inout [UInt8], with text: [UInt8]) {
        let quotes = offsets(of: UInt8(ascii: "\""), in: bytes)
        guard !quotes.isEmpty else { return bytes.insert(contentsOf: text, at: random.below(bytes.count + 1)) }
        let open = random.below(quotes.count)
        let start = quotes[open] + 1
        let end = open + 1 < quotes.count ? quotes[open + 1] : bytes.count
        bytes.replaceSubrange(start..<end, with: text)
    }

    /// Replaces the value after a random ':' (or inserts at a random offset) with `value`.
    private mutating func replaceValue(in bytes: inout [UInt8], with value: [UInt8]) {
        let at = valuePosition(in: bytes)
        var end = at
        while end < bytes.count, !Array(",}]\n".utf8).contains(bytes[end]) { end += 1 }
        bytes.replaceSubrange(at..<end, with: value)
    }

    /// Just after a random ':' or '[' (where a value starts), or a random offset.
    private mutating func valuePosition(in bytes: [UInt8]) -> Int {
        let starts = bytes.indices.filter { bytes[$0] == UInt8(ascii: ":") || bytes[$0] == UInt8(ascii: "[") }
        guard !starts.isEmpty, random.chance(90) else { return random.below(bytes.count + 1) }
        var at = random.pick(starts) + 1
        while at < bytes.count, bytes[at] == UInt8(ascii: " ") { at += 1 }
        return at
    }

    private mutating func insertAfterBrace(_ bytes: inout [UInt8], _ insert: [UInt8]) {
        let braces = offsets(of: UInt8(ascii: "{"), in: bytes)
        bytes.insert(contentsOf: insert, at: braces.isEmpty ? 0 : random.pick(braces) + 1)
    }

    private func offsets(of byte: UInt8, in bytes: [UInt8]) -> [Int] {
        bytes.indices.filter { bytes[$0] == byte }
    }
}
