import BerthSystem
import FoundationEssentials
import BerthModel

/// apply's question before deletions, as Terraform asks: only on a terminal (a person is
/// there to answer), never with `--yes`, never for a saved plan (it was reviewed when saved).
enum Confirmation {
    static func approved(_ plan: Plan, arguments: Arguments, console: Console) -> Bool {
        let deletions = plan.count(.delete)
        guard deletions > 0, !arguments.flags.contains("yes"), console.inputIsTerminal else { return true }
        console.out("")
        console.out("\(deletions) resource\(deletions == 1 ? "" : "s") will be deleted (see the plan above).")
        let answer = console.ask("Do you want to perform these actions? Only 'yes' will be accepted: ")
        return answer?.trimmingWhitespace() == "yes"
    }
}
