import Foundation

/// A small reader of Prometheus' text exposition format (0.0.4), strict enough to catch what
/// a scraper would reject: every line is a HELP, a TYPE or a sample of the family announced
/// last; names are valid; label values are escaped; a histogram's buckets are cumulative and
/// end in +Inf, which equals its _count. Returns the problems found and the samples read.
struct ExpositionChecker {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    private(set) var problems: [String] = []
    private(set) var samples: [Sample] = []
    private(set) var types: [String: String] = [:]

    init(_ text: String) {
        guard text.hasSuffix("\n") else { problems.append("the text does not end with a line feed"); return }
        var family: String?
        for (index, line) in text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
                guard parts.count == 4, ExpositionChecker.isName(String(parts[2])) else { problems.append("line \(number): bad comment: \(line)"); continue }
                let name = String(parts[2])
                if parts[1] == "TYPE" {
                    guard ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else { problems.append("line \(number): bad type"); continue }
                    if types[name] != nil { problems.append("line \(number): second TYPE for \(name)") }
                    types[name] = String(parts[3])
                } else {
                    family = name
                }
                continue
            }
            guard let sample = ExpositionChecker.sample(String(line)) else { problems.append("line \(number): not a sample: \(line)"); continue }
            guard let family, sample.name == family || ["_bucket", "_sum", "_count"].contains(where: { sample.name == family + $0 }) else {
                problems.append("line \(number): \(sample.name) outside its family"); continue
            }
            samples.append(sample)
        }
        checkHistograms()
    }

    static func isName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first == ":" || CharacterSet.letters.contains(first) && first.isASCII else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0 == ":" || CharacterSet.alphanumerics.contains($0)) }
    }

    /// `name{a="x",b="y"} value`, with `\\`, `\"` and `\n` the only escapes in a value.
    static func sample(_ line: String) -> Sample? {
        var rest = Substring(line)
        let name = rest.prefix { $0 != "{" && $0 != " " }
        guard isName(String(name)) else { return nil }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let label = rest.prefix { $0 != "=" }
                guard isName(String(label)), !label.contains(":") else { return nil }
                rest = rest.dropFirst(label.count)
                guard rest.hasPrefix("=\"") else { return nil }
                rest = rest.dropFirst(2)
                var value = ""
                while true {
                    guard let c = rest.first else { return nil }
                    rest = rest.dropFirst()
                    if c == "\"" { break }
                    if c == "\n" { return nil }
                    if c == "\\" {
                        guard let e = rest.first else { return nil }
                        rest = rest.dropFirst()
                        switch e {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: return nil
                        }
                    } else {
                        value.append(c)
                    }
                }
                guard labels[String(label)] == nil else { return nil }
                labels[String(label)] = value
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" { return nil }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { return nil }
        let text = rest.dropFirst()
        let value: Double? = switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(text)
        }
        return value.map { Sample(name: String(name), labels: labels, value: $0) }
    }

    private mutating func checkHistograms() {
        for (name, type) in types where type == "histogram" {
            let buckets = samples.filter { $0.name == name + "_bucket" }
            guard let last = buckets.last, last.labels["le"] == "+Inf" else { problems.append("\(name): no +Inf bucket last"); continue }
            var previous = (bound: -Double.infinity, count: 0.0)
            for bucket in buckets {
                let text = bucket.labels["le"] ?? ""
                let parsed: Double? = text == "+Inf" ? Double.infinity : Double(text)
                guard let bound = parsed else { problems.append("\(name): bad le"); continue }
                if bound <= previous.bound { problems.append("\(name): le \(text) out of order") }
                if bucket.value < previous.count { problems.append("\(name): bucket le=\(text) is not cumulative") }
                previous = (bound, bucket.value)
            }
            let count = samples.first { $0.name == name + "_count" }?.value
            let countText = count.map { "\($0)" } ?? "missing"
            if count != last.value { problems.append("\(name): +Inf bucket \(last.value) differs from _count \(countText)") }
            if !samples.contains(where: { $0.name == name + "_sum" }) { problems.append("\(name): no _sum") }
        }
    }

    /// The value of the series with exactly these labels, if there is one.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }
}
