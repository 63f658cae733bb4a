import Testing
@testable import BerthSystem

/// A password or token in a repository URL never reaches a log line, the journal or status.
struct URLCredentialsTests {
    @Test(arguments: [
        ("https://ann:s3cret-tok@git.example.com/team/deploy.git", "https://ann:***@git.example.com/team/deploy.git"),
        ("https://ghp_abcdef@github.com/team/deploy.git", "https://***@github.com/team/deploy.git"),
        ("http://u:p%40ss@host:8080/r", "http://u:***@host:8080/r"),
        ("ssh://git@host/team/deploy.git", "ssh://git@host/team/deploy.git"),
        ("git@host:team/deploy.git", "git@host:team/deploy.git"),
        ("file:///srv/git/deploy.git", "file:///srv/git/deploy.git"),
        ("fatal: unable to access 'https://ann:tok@h/r/': Could not resolve host: h", "fatal: unable to access 'https://ann:***@h/r/': Could not resolve host: h"),
        ("two: https://a:b@x/1 and https://c:d@y/2", "two: https://a:***@x/1 and https://c:***@y/2"),
    ])
    func credentialsAreMasked(url: String, shown: String) {
        #expect(URLCredentials.masked(url) == shown)
    }

    @Test func gitErrorsAreMaskedToo() {
        let error = GitError(command: "fetch", message: "could not read from https://ann:tok@h/r")
        #expect("\(error)" == "git fetch failed: could not read from https://ann:***@h/r")
    }

    @Test func theEnvironmentNeverPromptsAndForgetsTheCallersRepository() {
        let environment = GitCommand.environment(from: ["GIT_DIR": "/elsewhere/.git", "GIT_WORK_TREE": "/elsewhere", "GIT_INDEX_FILE": "/x",
                                                        "GIT_CONFIG_KEY_0": "core.sshCommand", "GIT_CONFIG_VALUE_0": "evil", "GIT_CONFIG_COUNT": "1",
                                                        "HOME": "/root", "PATH": "/usr/bin", "GIT_ASKPASS": "/usr/bin/helper"])
        #expect(environment["GIT_DIR"] == nil && environment["GIT_WORK_TREE"] == nil && environment["GIT_INDEX_FILE"] == nil)
        #expect(environment["GIT_CONFIG_KEY_0"] == nil && environment["GIT_CONFIG_COUNT"] == nil)
        #expect(environment["GIT_TERMINAL_PROMPT"] == "0")
        #expect(environment["GIT_SSH_COMMAND"] == "ssh -o BatchMode=yes")
        #expect(environment["GIT_ASKPASS"] == "/usr/bin/helper" && environment["HOME"] == "/root")
        #expect(GitCommand.environment(from: ["GIT_SSH_COMMAND": "ssh -i key"])["GIT_SSH_COMMAND"] == "ssh -i key")
        #expect(GitCommand.environment(from: ["GIT_SSH": "/usr/bin/plink"])["GIT_SSH_COMMAND"] == nil)
    }
}
