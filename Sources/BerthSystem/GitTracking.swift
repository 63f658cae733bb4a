import FoundationEssentials

/// Which files inside a folder git tracks, asked of `git ls-files` when git is on PATH.
///
/// A tracked file in the state folder means a `git pull` can put something there, a link
/// included. Without git, or outside a work tree, nothing is tracked.
enum GitTracking {
    /// Files that only keep an empty folder in a repository; berth never opens them.
    static let placeholders: Set<String> = [".gitkeep", ".keep", ".gitignore"]

    /// Paths relative to `directory` that git tracks in it; empty when the folder does not
    /// exist, git is not installed, or the folder is not in a work tree (git exits non-zero,
    /// including when it refuses a repository owned by another user).
    static func trackedFiles(in directory: String) -> [String] {
        guard FileSystem.isDirectory(directory) else { return [] }
        // The folder's own repository decides, not one named by the caller's environment;
        // fsmonitor off: a repository's config must not make berth run a program.
        let git = ChildProcess(executable: "git", arguments: ["-c", "core.fsmonitor=false", "-C", directory, "ls-files", "-z", "--", "."],
                               environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") },
                               timeout: .seconds(60))
        guard let result = try? git.runBlocking(), result.succeeded else { return [] }
        return result.stdoutText.split(separator: "\0").map(String.init)
    }

    /// The first executable called `name` in $PATH.
    static func executable(_ name: String) -> String? { ChildProcess.find(name) }
}
