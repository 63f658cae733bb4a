import BerthModel

/// `berth keys init` and `berth keys show`: the installation's key pair for sealed secrets.
enum KeysCommand {
    static func run(settings: Settings, arguments: Arguments, console: Console) throws -> Int32 {
        let directory = settings.stateDirectory
        if arguments.positionals.first == "init" {
            let key = try SealKeys.create(settings)
            console.out("made seal key \(key.fingerprint): \(SealKeys.privatePath(directory)) (private, mode 0600) and \(SealKeys.publicPath(directory))")
            console.out("back up seal.key somewhere safe: without it no value sealed for this key can be opened again")
            return ExitCode.ok
        }
        guard let key = try SealKeys.load(stateDirectory: directory) else {
            throw BerthError(.notFound, "no seal key in \(SealKeys.folder(directory)): run `berth keys init` to make one")
        }
        let pem = String(decoding: try SealKeys.sealing { try key.publicPEM() }, as: UTF8.self)
        console.out(pem.hasSuffix("\n") ? String(pem.dropLast()) : pem)
        console.out("fingerprint \(key.fingerprint)")
        return ExitCode.ok
    }
}
