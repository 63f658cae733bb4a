import BerthJSON
@testable import BerthModel
import Testing

/// Names and strings that could leave their place (a container name, a label, an env entry,
/// a path, an image reference, one line of output) are refused with the exact line a person
/// sees. Each row is a hostile input; several were found by the fuzzer (SpecFuzzTests).
struct HostileNameTests {
    static let head = #"{"name": "web", "image": "busybox:1", "#
    static let nameRule = "is not a valid name: use lowercase letters, digits and '-', starting and ending with a letter or digit"
    static let envRule = "environment variable names must be non-empty and contain no '=', NUL or control characters"
    static let labelRule = "label keys must be non-empty and contain no '='; keys and values no NUL or control characters"
    static let ownLabel = #"labels starting with "berth." are berth's own and cannot be set"#
    static let volumeRule = "holds a '..' path step, NUL or a control character; write the path it means"

    static let rows: [SpecDecoderTests.Bad] = [
        .init(input: head + #""env": {"A\nB": "x"}}"#, expected: [#"specs/a.json:1:47: $.env["A\nB"]: "# + envRule]),
        .init(input: head + #""env": {"A=B": "x"}}"#, expected: [#"specs/a.json:1:47: $.env["A=B"]: "# + envRule]),
        .init(input: head + #""env": {"A": "x\u0000"}}"#, expected: ["specs/a.json:1:47: $.env.A: environment variable values cannot contain NUL"]),
        .init(input: head + #""labels": {"a\nb": "x"}}"#, expected: [#"specs/a.json:1:50: $.labels["a\nb"]: "# + labelRule]),
        .init(input: head + #""labels": {"a=b": "x"}}"#, expected: [#"specs/a.json:1:50: $.labels["a=b"]: "# + labelRule]),
        .init(input: head + #""labels": {"tier": "x\ny"}}"#, expected: ["specs/a.json:1:50: $.labels.tier: " + labelRule]),
        .init(input: head + #""docker": {"Labels": {"berth.owner": "x"}}}"#,
              expected: [#"specs/a.json:1:61: $.docker.Labels["berth.owner"]: "# + ownLabel]),
        .init(input: #"{"name": "web", "target": "swarm", "image": "busybox:1", "swarm": {"Name": "other"}}"#,
              expected: [#"specs/a.json:1:68: $.swarm.Name: the service name is berth's (OWNER-NAME); set the spec's "name" instead"#]),
        .init(input: #"{"name": "web", "target": "swarm", "image": "busybox:1", "swarm": {"TaskTemplate": {"ContainerSpec": {"Labels": {"berth.name": "x"}}}}}"#,
              expected: [#"specs/a.json:1:114: $.swarm.TaskTemplate.ContainerSpec.Labels["berth.name"]: "# + ownLabel]),
        .init(input: head + #""volumes": ["/srv/../etc:/data"]}"#, expected: [#"specs/a.json:1:51: $.volumes[0]: "/srv/../etc:/data" "# + volumeRule]),
        .init(input: head + #""volumes": ["data:/srv/../x"]}"#, expected: [#"specs/a.json:1:51: $.volumes[0]: "data:/srv/../x" "# + volumeRule]),
        .init(input: head + #""volumes": ["data:/d\n"]}"#, expected: [#"specs/a.json:1:51: $.volumes[0]: "data:/d\u{a}" "# + volumeRule]),
        .init(input: #"{"name": "web", "image": "shop/Web:1"}"#,
              expected: [#"specs/a.json:1:26: $.image: "shop/Web:1" is not a valid image reference: repository names must be lowercase"#]),
        .init(input: #"{"name": "web", "image": "Busybox:1"}"#,
              expected: [#"specs/a.json:1:26: $.image: "Busybox:1" is not a valid image reference: repository names must be lowercase"#]),
        .init(input: #"{"name": "web", "image": "shop//web:1"}"#,
              expected: [#"specs/a.json:1:26: $.image: "shop//web:1" is not a valid image reference: an empty path component ("//" or a '/' at an end)"#]),
        .init(input: #"{"name": "web", "image": "../web:1"}"#,
              expected: [#"specs/a.json:1:26: $.image: "../web:1" is not a valid image reference: the registry ".." is not a host name"#]),
        .init(input: #"{"name": "web", "image": "shop/../web:1"}"#,
              expected: [#"specs/a.json:1:26: $.image: "shop/../web:1" is not a valid image reference: ".." must start and end with a letter or digit, with single separators between"#]),
        .init(input: #"{"name": "web", "image": "a\\b:1"}"#,
              expected: [#"specs/a.json:1:26: $.image: "a\b:1" is not a valid image reference: "a\b" may only use lowercase letters, digits, '.', '_', '__' and '-'"#]),
        .init(input: #"{"name": "web", "image": "shop/web:-1"}"#,
              expected: [#"specs/a.json:1:26: $.image: "shop/web:-1" is not a valid image reference: the tag "-1" may only use letters, digits, '_', '.' and '-', and not start with '.' or '-'"#]),
        .init(input: #"{"name": "web", "image": "web:1@sha256:zz"}"#,
              expected: [#"specs/a.json:1:26: $.image: "web:1@sha256:zz" is not a valid image reference: the digest after '@' is not like "sha256:<64 hex digits>""#]),
        .init(input: #"{"name": "web", "image": {"ref": "web:1", "build": {"context": "we\nb"}}}"#,
              expected: [#"specs/a.json:1:64: $.image.build.context: "we\u{a}b" is not a path: it holds NUL or a control character"#]),
        .init(input: #"{"name": "-web", "image": "busybox:1"}"#, expected: [#"specs/a.json:1:10: $.name: "-web" "# + nameRule]),
        .init(input: #"{"name": "web\\x", "image": "busybox:1"}"#, expected: [#"specs/a.json:1:10: $.name: "web\x" "# + nameRule]),
        .init(input: #"{"name": "w\u0000", "image": "busybox:1"}"#, expected: [#"specs/a.json:1:10: $.name: "w\u{0}" "# + nameRule]),
        // Found by the fuzzer: a key holding an escaped newline split the error over two lines.
        .init(input: #"{"a\nb": 1, "name": "web", "image": "busybox:1"}"#,
              expected: [#"specs/a.json:1:2: $["a\nb"]: unknown field "a\u{a}b"; known fields are "# + SpecDecoder.fields.joined(separator: ", ")]),
        .init(input: #"{"name": "web", "image": "busybox:1", "docker": {"\u2028Tty": true}}"#,
              expected: [#"specs/a.json:1:50: $.docker["\u{2028}Tty"]: unknown Docker create-container field "\u{2028}Tty"; did you mean "Tty"?"#]),
    ]

    @Test(arguments: rows)
    func refused(_ row: SpecDecoderTests.Bad) {
        #expect(SpecDecoderTests.errors(row.input) == row.expected)
    }

    @Test func fileNamesWithNewlinesStayOnOneLine() {
        let errors = SpecDecoderTests.errors("42", file: "specs/a\nb.json")
        #expect(errors == [#"specs/a\u{a}b.json:1:1: $: expected a spec object or an array of spec objects, got number"#])
    }

    @Test func validReferencesStayValid() {
        for reference in ["busybox:1", "localhost:5000/a/b:1", "Registry.Example.com:443/team/app_1:v1.2-rc",
                          "a/b__c/d-e.f:latest", "shop/web@sha256:" + String(repeating: "a", count: 64)] {
            #expect(ImageReference.problem(reference) == nil, "\(reference)")
        }
    }

    @Test func errorsPerFileAreCappedWithACount() {
        let input = "[" + Array(repeating: "1", count: 150).joined(separator: ",\n") + "]"
        let errors = SpecDecoderTests.errors(input)
        #expect(errors.count == SpecDecoder.maxErrorsPerFile + 1)
        #expect(errors.first == "specs/a.json:1:2: $[0]: expected a spec object, got number")
        #expect(errors.last == "specs/a.json:101:1: $[100]: and 50 more errors in this file")
    }
}
