import BerthModel

enum ValidateCommand {
    static func run(settings: Settings, console: Console) -> Int32 {
        do {
            let desired = try SpecFolder.load(settings.specsDirectory, policy: settings.policy)
            for error in desired.errors { console.err(error.description) }
            if !desired.errors.isEmpty {
                console.err("berth: \(desired.errors.count) error\(desired.errors.count == 1 ? "" : "s") in \(desired.invalidFiles.count) of \(desired.fileCount) files")
                return 1
            }
            console.out("\(desired.specs.count) spec\(desired.specs.count == 1 ? "" : "s") in \(desired.fileCount) file\(desired.fileCount == 1 ? "" : "s"): valid")
            return 0
        } catch {
            console.err("berth: \(error)")
            return 1
        }
    }
}
