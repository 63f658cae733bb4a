import BerthModel
import BerthSource
import BerthSystem

/// The commands' finishing of what the spec source reads: sealed values opened with the
/// state folder's key, secret references read, image sources digested under the policy.
extension SpecFinishing {
    static func commands(stateDirectory: String, policy: Policy?) -> SpecFinishing {
        SpecFinishing(open: { SealedEnv.open(&$0, stateDirectory: stateDirectory) },
                      complete: { state, root in
                          SealedEnv.open(&state, stateDirectory: stateDirectory)
                          ImageSources.fill(&state, specsRoot: root, policy: policy)
                      })
    }
}

extension SpecFolder {
    /// The specs folder as the commands use it: read, decoded, finished.
    static func load(_ directory: String, policy: Policy? = nil, catalog: TargetCatalog = .implicit, stateDirectory: String) throws -> DesiredState {
        try load(directory, policy: policy, catalog: catalog, finishing: .commands(stateDirectory: stateDirectory, policy: policy))
    }
}

extension LastValidSpecs {
    /// For `watch`: the folder with each invalid file's last valid copy kept in state/last-valid/.
    static func load(specs directory: String, store: String, policy: Policy? = nil, catalog: TargetCatalog = .implicit) throws -> DesiredState {
        try load(specs: directory, store: store, policy: policy, catalog: catalog,
                 finishing: .commands(stateDirectory: FileSystem.parentDirectory(of: store), policy: policy))
    }
}
