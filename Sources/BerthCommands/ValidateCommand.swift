import BerthJSON
import BerthModel
import BerthSource

enum ValidateCommand {
    static func run(settings: Settings, arguments: Arguments, console: Console) -> Int32 {
        let json = arguments.flags.contains("json")
        do {
            let desired = try SpecFolder.load(settings.specsDirectory, policy: settings.policy, catalog: settings.catalog, stateDirectory: settings.stateDirectory)
            if json {
                console.out(JSONValue.object([
                    "valid": .bool(desired.errors.isEmpty),
                    "specs": .number(String(desired.specs.count)),
                    "files": .number(String(desired.fileCount)),
                    "invalidFiles": .array(desired.invalidFiles.sorted().map { .string($0) }),
                    "errors": .array(desired.errors.map(\.json)),
                ]).serialized())
                return desired.errors.isEmpty ? ExitCode.ok : ExitCode.failure
            }
            for error in desired.errors { console.err(error.description) }
            if !desired.errors.isEmpty {
                console.err("berth: \(desired.errors.count) error\(desired.errors.count == 1 ? "" : "s") in \(desired.invalidFiles.count) of \(desired.fileCount) files")
                return ExitCode.failure
            }
            console.out("\(desired.specs.count) spec\(desired.specs.count == 1 ? "" : "s") in \(desired.fileCount) file\(desired.fileCount == 1 ? "" : "s"): valid")
            return ExitCode.ok
        } catch {
            if json {
                console.out(JSONValue.object(["valid": .bool(false), "errors": .array([]), "error": .string("\(error)")]).serialized())
            }
            console.err("berth: \(error)")
            return ExitCode.failure
        }
    }
}
