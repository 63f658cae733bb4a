import BerthCommands
import FoundationEssentials
import Glibc

let status = await BerthCLI.run(
    Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment, console: .live())
exit(status)
