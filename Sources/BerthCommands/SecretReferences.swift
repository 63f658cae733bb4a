import BerthModel
import BerthSystem
import FoundationEssentials
import Glibc

/// Reads the env values a spec keeps out of itself (`{"file": …}`, `{"env": …}`) whenever the
/// specs are read, so a change of the secret is a change of the spec (seen in its config hash,
/// shown only as a fingerprint). A value that cannot be read makes its file invalid, like any
/// other error in it: nothing the file describes is changed or deleted.
enum SecretReferences {
    /// A secret is a password or a certificate, not a file of megabytes.
    static let maxFileBytes = 1 << 20

    static func resolve(_ specs: inout [Spec], environment: [String: String] = ProcessInfo.processInfo.environment) -> [SpecError] {
        var errors: [SpecError] = []
        for index in specs.indices where !specs[index].secretRefs.isEmpty {
            let spec = specs[index]
            for name in spec.secretRefs.keys.sorted() {
                let reference = spec.secretRefs[name]!
                switch read(reference.source, specFile: spec.origin.file, environment: environment) {
                case .success(let value): specs[index].resolve(name, value: value)
                case .failure(let problem):
                    errors.append(SpecError(file: spec.origin.file, path: reference.path, position: reference.position,
                                            message: "spec \"\(spec.name)\": env \(name): \(problem.message)"))
                }
            }
        }
        return errors
    }

    static func read(_ source: SecretReference.Source, specFile: String, environment: [String: String]) -> Result<String, Problem> {
        switch source {
        case .environment(let variable):
            guard let value = environment[variable] else {
                return .failure(Problem("berth's environment has no \(variable): set it for berth (the service unit's Environment= or EnvironmentFile=), or change the reference"))
            }
            return checked(value, from: "\(variable)")
        case .file(let given):
            let path = given.hasPrefix("/") ? given : FileSystem.parentDirectory(of: specFile) + "/" + given
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                let cause = FileManager.default.fileExists(atPath: path) ? "it cannot be read (permissions?)" : "it does not exist"
                return .failure(Problem("cannot read the secret file \(path): \(cause); create it or fix the path"))
            }
            defer { close(fd) }
            guard let data = FileSystem.readBytes(fd, upTo: maxFileBytes + 1).map({ Data($0) }) else {
                return .failure(Problem("cannot read the secret file \(path)"))
            }
            guard data.count <= maxFileBytes else {
                return .failure(Problem("the secret file \(path) is larger than 1 MiB: a secret value is that file's whole content"))
            }
            guard var value = String(data: data, encoding: .utf8) else {
                return .failure(Problem("the secret file \(path) is not UTF-8 text, which an environment variable must be"))
            }
            // `echo secret > file` adds a newline nobody means as part of the secret.
            if value.hasSuffix("\n") { value.removeLast() }
            return checked(value, from: "the secret file \(path)")
        }
    }

    static func checked(_ value: String, from what: String) -> Result<String, Problem> {
        value.contains("\u{0}") ? .failure(Problem("\(what) holds a NUL, which an environment variable cannot")) : .success(value)
    }

    struct Problem: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }
}
