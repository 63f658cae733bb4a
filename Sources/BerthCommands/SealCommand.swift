import BerthModel
import BerthSeal
import BerthSystem

/// `berth seal [VALUE]`: prints the value sealed for this installation's public key (or the
/// one `--key` names), for a spec's env as {"sealed": "…"}. Nothing is written anywhere.
enum SealCommand {
    /// An env value is at most this long: the kernel's limit for one argument or variable.
    static let maxValueBytes = 128 << 10

    static func run(settings: Settings, arguments: Arguments, console: Console) throws -> Int32 {
        let key: SealKey
        if let file = arguments.values["key"] {
            let bytes: [UInt8]
            do { bytes = try FileSystem.readFile(file) } catch {
                throw BerthError(.notFound, "cannot read the public key \(file): \(error)")
            }
            do { key = try SealKey(publicPEM: bytes) } catch {
                throw BerthError(.usage, "\(file) is \(error); give the PEM that `berth keys show` prints")
            }
        } else {
            guard let own = try SealKeys.loadPublic(stateDirectory: settings.stateDirectory) else {
                throw BerthError(.notFound, "no seal key in \(SealKeys.folder(settings.stateDirectory)): run `berth keys init`, or seal for another installation with --key PUBFILE")
            }
            key = own
        }
        var value: [UInt8]
        if let given = arguments.positionals.first {
            value = Array(given.utf8)
        } else {
            if console.inputIsTerminal { console.err("berth: type the value, then Ctrl-D (it is not shown anywhere else)") }
            value = try console.input()
            // One final newline is what `echo` and a terminal add, never part of the secret.
            if value.last == UInt8(ascii: "\n") { value.removeLast() }
            if value.last == UInt8(ascii: "\r") { value.removeLast() }
        }
        if value.isEmpty { throw BerthError(.usage, "nothing to seal: the value is empty") }
        if value.count > maxValueBytes { throw BerthError(.usage, "the value is \(value.count) bytes; an environment variable holds at most \(maxValueBytes)") }
        if value.contains(0) || String(validating: value, as: UTF8.self) == nil {
            throw BerthError(.usage, "the value must be UTF-8 text without NUL, as an environment variable is")
        }
        console.out(try SealKeys.sealing { try SealedText.seal(value, for: key) })
        return ExitCode.ok
    }
}
