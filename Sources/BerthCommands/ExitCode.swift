/// berth's exit codes, one table for every command (README "Exit codes" is written from it).
public enum ExitCode {
    /// Done, and what was asked for is true: valid, converged, shown.
    public static let ok: Int32 = 0
    /// Something failed: an engine error, an invalid spec, a target that could not be observed.
    public static let failure: Int32 = 1
    /// `plan --detailed-exitcode`: there is a difference (changes to make, or deletions held), as Terraform's 2.
    public static let changes: Int32 = 2
    /// `apply`: everything it could do is done, but deletions are held until a person releases them.
    public static let held: Int32 = 3
    /// `plan`, `apply`: a target could not be observed or reached and was skipped (its specs
    /// left as they are, nothing of it deleted); every other target was planned or converged.
    public static let skipped: Int32 = 4
    /// The command line itself is wrong (unknown command or option, bad value); nothing was done or written.
    public static let usage: Int32 = 64
}
