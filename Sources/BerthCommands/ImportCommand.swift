import BerthJSON
import BerthModel
import BerthSource
import BerthSystem
import FoundationEssentials

/// `berth import compose FILE`: one spec file per service, or nothing at all.
///
/// Everything is translated and checked before the first file is written: a Compose file
/// with an error, a spec berth would refuse, or a spec file that exists (without `--force`)
/// leaves the specs folder as it was.
enum ImportCommand {
    static func run(settings: Settings, arguments: Arguments, console: Console) -> Int32 {
        let file = arguments.positionals[1]
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            console.err("berth: cannot read the Compose file \(file): \("\(error)")")
            return ExitCode.failure
        }
        let absolute = URL(fileURLWithPath: file).standardizedFileURL.path
        let directory = FileSystem.deletingLastComponent(of: absolute)
        var out = arguments.values["out"] ?? settings.specsDirectory
        while out.count > 1 && out.hasSuffix("/") { out.removeLast() }
        let outAbsolute = URL(fileURLWithPath: out).standardizedFileURL.path
        var dotEnv: [String: String] = [:]
        let dotEnvPath = directory + "/.env"
        if FileManager.default.fileExists(atPath: dotEnvPath) {
            do {
                let content = try String(contentsOfFile: dotEnvPath, encoding: .utf8)
                for (key, value) in try ComposeVariables.parseEnvFile(content) { dotEnv[key] = value }
            } catch let failure as ComposeVariables.Failure {
                console.err("berth: \(dotEnvPath): \(failure.message)")
                return ExitCode.failure
            } catch {
                console.err("berth: cannot read \(dotEnvPath): \("\(error)")")
                return ExitCode.failure
            }
        }
        var translation = ComposeImport(
            file: file, variables: ComposeVariables(environment: settings.environment, dotEnv: dotEnv),
            composeDirectory: directory, outDirectory: outAbsolute,
            readFile: { try String(contentsOfFile: $0, encoding: .utf8) })
        translation.run(text)
        var errors = translation.errors
        var files: [(String, String)] = []
        for output in translation.outputs {
            let path = out + "/" + output.name + ".json"
            let body = output.spec.serialized(pretty: true) + "\n"
            let result = SpecDecoder.decode(file: path, bytes: Array(body.utf8), policy: settings.policy)
            for error in result.errors {
                errors.append(ComposeImport.Note(line: output.line, path: "services.\(output.name)",
                                                 message: "the spec berth would write is refused: \(error.path): \(error.message)"))
            }
            if FileManager.default.fileExists(atPath: path) && !arguments.flags.contains("force") {
                errors.append(ComposeImport.Note(line: output.line, path: "services.\(output.name)",
                                                 message: "\(path) exists; add --force to replace it"))
            }
            files.append((path, body))
        }
        errors += definedElsewhere(translation.outputs, out: out, writing: files.map(\.0))
        for note in translation.notes { console.err("\(file):\(note)") }
        guard errors.isEmpty else {
            for error in errors.sorted(by: { $0.line < $1.line }) { console.err("\(file):\(error)") }
            console.err("berth: \(errors.count) error\(errors.count == 1 ? "" : "s") in \(file); no spec file written")
            return ExitCode.failure
        }
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            for (path, body) in files {
                try AtomicFile.write(body, to: path)
                console.out("wrote \(path)")
            }
        } catch {
            console.err("berth: writing the spec files to \(out): \(error)")
            return ExitCode.failure
        }
        let left = translation.notes.count
        console.err("berth: \(files.count) spec file\(files.count == 1 ? "" : "s") written from \(file)"
                    + (left == 0 ? "" : "; \(left) note\(left == 1 ? "" : "s") above: keys not translated or changed"))
        return ExitCode.ok
    }

    /// Services whose spec name another file in the folder already defines (for target
    /// docker): written, the folder would hold the name twice and be refused as a whole.
    static func definedElsewhere(_ outputs: [ComposeImport.Output], out: String, writing: [String]) -> [ComposeImport.Note] {
        guard FileManager.default.fileExists(atPath: out), let existing = try? SpecFolder.read(out) else { return [] }
        func standardized(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }
        let written = Set(writing.map(standardized))
        let lines = Dictionary(outputs.map { ($0.name, $0.line) }, uniquingKeysWith: { a, _ in a })
        var found: [ComposeImport.Note] = []
        for other in existing.files where !written.contains(standardized(other.path)) {
            for spec in SpecDecoder.decode(file: other.path, bytes: other.bytes).specs where spec.target == "docker" {
                guard let line = lines[spec.name.rawValue] else { continue }
                found.append(ComposeImport.Note(line: line, path: "services.\(spec.name)",
                                                message: "\(other.path):\(spec.origin.position) already defines the spec \"\(spec.name)\"; rename the service or remove that spec"))
            }
        }
        return found
    }
}
