/// `berth show FILE.berth [--json]`: a saved plan, as `plan` printed it when it was made.
enum ShowCommand {
    static func run(arguments: Arguments, console: Console) -> Int32 {
        let path = arguments.positionals[0]
        do {
            let saved = try SavedPlan.read(path)
            if arguments.flags.contains("json") {
                console.out(saved.json.serialized())
            } else {
                console.outPlan(saved.text)
                console.out("Saved plan for owner \(saved.owner), from the \(saved.source): `berth apply \(path)` carries out exactly these actions.")
            }
            return ExitCode.ok
        } catch {
            console.err("berth: \(error)")
            return ExitCode.failure
        }
    }
}
