import BerthModel

/// What turns specs as read into specs ready to plan, which the spec source knows nothing
/// of: the commands open sealed values with the installation's key, read `{"file"}` and
/// `{"env"}` references and digest image sources.
public struct SpecFinishing: Sendable {
    /// Per file, before it counts as valid: an error here (a sealed value this installation
    /// cannot open) makes the file invalid, so its last valid copy stays in force.
    public var open: @Sendable (inout [Spec]) -> [SpecError]
    /// The whole state once assembled, with the specs folder's path.
    public var complete: @Sendable (inout DesiredState, _ specsRoot: String) -> Void

    public init(open: @escaping @Sendable (inout [Spec]) -> [SpecError],
                complete: @escaping @Sendable (inout DesiredState, _ specsRoot: String) -> Void) {
        self.open = open; self.complete = complete
    }

    /// Nothing added: the specs as the files say (tests of the source itself).
    public static let none = SpecFinishing(open: { _ in [] }, complete: { _, _ in })
}
