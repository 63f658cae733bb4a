import BerthModel
import BerthSeal

/// Opens the sealed env values of the specs read, with the installation's private key, so
/// the container, service or pod env gets the plain value and the config hash follows the
/// value, not its sealed text (sealing the same value again replaces nothing). A value that
/// cannot be opened makes its file invalid, like any other error in it: what the file
/// described is left exactly as it is, nothing is deleted.
enum SealedEnv {
    static func open(_ state: inout DesiredState, stateDirectory: String) {
        let errors = open(&state.specs, stateDirectory: stateDirectory)
        guard !errors.isEmpty else { return }
        let files = Set(errors.map(\.file))
        state.specs.removeAll { files.contains($0.origin.file) }
        state.errors += errors
        state.invalidFiles += files.subtracting(state.invalidFiles).sorted()
    }

    /// Opens what it can in `specs`, the values read from files and berth's environment
    /// (`SecretReferences`) included; one error per value that cannot be opened or read.
    static func open(_ specs: inout [Spec], stateDirectory: String) -> [SpecError] {
        SecretReferences.resolve(&specs) + openSealed(&specs, stateDirectory: stateDirectory)
    }

    static func openSealed(_ specs: inout [Spec], stateDirectory: String) -> [SpecError] {
        guard specs.contains(where: { !$0.sealedEnv.isEmpty }) else { return [] }
        let key: SealKey?
        var keyProblem: String?
        do { key = try SealKeys.load(stateDirectory: stateDirectory) } catch {
            key = nil
            keyProblem = "\(error)"
        }
        var errors: [SpecError] = []
        for index in specs.indices {
            let spec = specs[index]
            for name in spec.sealedEnv.keys.sorted() {
                let sealed = spec.sealedEnv[name]!
                func fail(_ message: String) {
                    errors.append(SpecError(file: spec.origin.file, path: sealed.path, position: sealed.position, message: message))
                }
                guard let key else {
                    fail(keyProblem.map { "spec \"\(spec.name)\": cannot open the sealed value: \($0)" }
                        ?? "spec \"\(spec.name)\": the value is sealed for key \(sealed.keyFingerprint), but this installation has no seal key (\(SealKeys.privatePath(stateDirectory))): restore the seal.key it was sealed for, or run `berth keys init` and seal the value again for the new key")
                    continue
                }
                do {
                    let bytes = try SealedText.open(sealed.text, with: key)
                    guard let value = String(validating: bytes, as: UTF8.self), !value.contains("\u{0}") else {
                        fail("spec \"\(spec.name)\": the sealed value is not text without NUL, which an environment variable must be; seal the right value again")
                        continue
                    }
                    specs[index].unseal(name, value: value)
                } catch let error as SealError {
                    switch error.code {
                    case .wrongKey(let sealedFor, let installation):
                        fail("spec \"\(spec.name)\": the value is sealed for key \(sealedFor), but this installation's key is \(installation): seal the value again for this installation (`berth keys show` prints its public key; elsewhere `berth seal --key seal.pub`)")
                    default:
                        fail("spec \"\(spec.name)\": \(error.message)")
                    }
                } catch {
                    fail("spec \"\(spec.name)\": cannot open the sealed value: \(error)")
                }
            }
        }
        return errors
    }
}
