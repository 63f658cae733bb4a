import Foundation

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
        guard FileSystem.isDirectory(directory), let git = executable("git") else { return [] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: git)
        // fsmonitor off: a repository's config must not make berth run a program.
        process.arguments = ["-c", "core.fsmonitor=false", "-C", directory, "ls-files", "-z", "--", "."]
        // The folder's own repository decides, not one named by the caller's environment.
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return [] }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\0").map(String.init)
    }

    /// The first executable called `name` in $PATH.
    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") where !folder.isEmpty {
            let candidate = folder + "/" + name
            if access(candidate, X_OK) == 0 && !FileSystem.isDirectory(candidate) { return candidate }
        }
        return nil
    }
}
