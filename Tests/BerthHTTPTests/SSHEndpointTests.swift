import BerthHTTP
import BerthTestSupport
import Foundation
import Glibc
import Testing

@Suite struct SSHEndpointTests {
    @Test func parsesTheDockerCLIForms() throws {
        #expect(try HTTPEndpoint(parsing: "ssh://deploy@docker.example") == .ssh(SSHDestination(user: "deploy", host: "docker.example")))
        #expect(try HTTPEndpoint(parsing: "ssh://docker.example:2222/") == .ssh(SSHDestination(host: "docker.example", port: 2222)))
        #expect(try HTTPEndpoint(parsing: "ssh://me@[fd00::1]:22") == .ssh(SSHDestination(user: "me", host: "fd00::1", port: 22)))
        let parsed = try SSHDestination(parsing: "ssh://deploy@10.0.0.5")
        #expect(parsed.remoteCommand == ["docker", "system", "dial-stdio"])
        #expect(parsed.identityFile == nil && parsed.knownHostsFile == nil && parsed.options.isEmpty)
    }

    @Test func descriptionReadsBack() throws {
        for text in ["ssh://deploy@docker.example:2222", "ssh://docker.example", "ssh://me@[fd00::1]:22"] {
            let endpoint = try HTTPEndpoint(parsing: text)
            #expect(endpoint.description == text)
            #expect(try HTTPEndpoint(parsing: endpoint.description) == endpoint)
        }
    }

    @Test(arguments: ["ssh://", "ssh://deploy@", "ssh://@host", "ssh://host/var/run/docker.sock", "ssh://host:0",
                      "ssh://host:ssh", "ssh://-oProxyCommand=touch", "ssh://host?socket=/x", "ssh://bad host"])
    func rejectsAndNamesTheInput(_ text: String) {
        do throws(HTTPError) {
            _ = try HTTPEndpoint(parsing: text)
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.kind == .invalidEndpoint)
            #expect(error.description.contains(text))
        }
    }

    @Test func aPasswordIsRefusedAndNeverRepeated() {
        do throws(HTTPError) {
            _ = try HTTPEndpoint(parsing: "ssh://deploy:hunter2@docker.example")
            Issue.record("a password was accepted")
        } catch {
            #expect(error.kind == .invalidEndpoint)
            #expect(!error.description.contains("hunter2"))
            #expect(error.description.contains("ssh://deploy:***@docker.example"))
        }
    }

    @Test func theSSHCommandLineNeverPromptsAndEndsWithDialStdio() {
        let plain = SSHDestination(host: "docker.example")
        #expect(plain.arguments(connectTimeout: .seconds(5)) == [
            "ssh", "-T", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "--", "docker.example", "docker", "system", "dial-stdio",
        ])
        let full = SSHDestination(user: "deploy", host: "10.0.0.5", port: 2222, identityFile: "/keys/id_ed25519",
                                  knownHostsFile: "/keys/known_hosts", options: ["ServerAliveInterval=15"])
        #expect(full.arguments(connectTimeout: .milliseconds(1500)) == [
            "ssh", "-T", "-o", "BatchMode=yes", "-o", "ConnectTimeout=2",
            "-i", "/keys/id_ed25519", "-o", "IdentitiesOnly=yes",
            "-o", "UserKnownHostsFile=/keys/known_hosts", "-o", "StrictHostKeyChecking=yes",
            "-p", "2222", "-o", "ServerAliveInterval=15",
            "--", "deploy@10.0.0.5", "docker", "system", "dial-stdio",
        ])
    }
}

/// What a user sees when ssh fails, with stand-ins for ssh that print what the real one
/// prints (the real ssh and sshd are in BerthIntegrationTests.SSHTransportTests).
@Suite struct SSHFailureTests {
    static let cases: [(String, String, Int32, [String])] = [
        ("host key", "echo '@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@' >&2; echo 'Host key verification failed.' >&2",
         255, ["host key of docker.example port 2222", "known-hosts", "(ssh: Host key verification failed.)"]),
        ("refused key", "echo 'deploy@docker.example: Permission denied (publickey).' >&2", 255,
         ["refused the login as deploy", "authorized_keys", "Permission denied (publickey)."]),
        ("no docker there", "echo 'bash: line 1: docker: command not found' >&2", 127,
         ["docker is not installed on docker.example", "(ssh: bash: line 1: docker: command not found)"]),
        ("engine down there", "echo 'failed to open the raw stream connection: dial unix /var/run/docker.sock: connect: no such file or directory' >&2", 1,
         ["the Docker Engine on docker.example does not answer", "raw stream connection"]),
        ("socket not allowed there", "echo 'failed to open the raw stream connection: dial unix /var/run/docker.sock: connect: permission denied' >&2", 1,
         ["the login deploy on docker.example may not use the Docker Engine's socket; add that user to the docker group there"]),
        // Something ssh left running (a ControlPersist master) keeps stderr open after ssh exits.
        ("stderr held open", "(sleep 5 </dev/null >/dev/null &); echo 'deploy@docker.example: Permission denied (publickey).' >&2", 255,
         ["refused the login as deploy", "Permission denied (publickey).)"]),
        ("no route", "echo 'ssh: connect to host docker.example port 2222: Connection refused' >&2", 255,
         ["nothing accepts ssh at docker.example port 2222"]),
    ]

    @Test(arguments: 0..<cases.count)
    func oneLineSaysWhatWentWrong(_ index: Int) async throws {
        let (name, script, status, expected) = Self.cases[index]
        let folder = try TemporaryDirectory(prefix: "fake-ssh")
        defer { folder.remove() }
        let program = folder.path + "/ssh"
        try writeProgram(program, "#!/bin/sh\n\(script)\nexit \(status)\n")
        let destination = SSHDestination(user: "deploy", host: "docker.example", port: 2222, program: program)
        let client = HTTPClient(endpoint: .ssh(destination))
        do throws(HTTPError) {
            _ = try await client.send(HTTPRequest(method: "GET", path: "/_ping"))
            Issue.record("\(name): a request through a failing ssh succeeded")
        } catch {
            #expect(error.kind == .connect, "\(name)")
            #expect(!error.description.contains("\n"), "\(name): \(error)")
            #expect(error.description.hasPrefix("cannot reach ssh://deploy@docker.example:2222: "), "\(name): \(error)")
            for text in expected { #expect(error.description.contains(text), "\(name): \(error)") }
        }
        #expect(await Poll.until { client.runningSSHChildren == 0 })
    }

    @Test func aMissingSSHClientIsSaidOnce() async {
        let client = HTTPClient(endpoint: .ssh(SSHDestination(host: "docker.example", program: "/nonexistent/ssh")))
        do throws(HTTPError) {
            _ = try await client.send(HTTPRequest(method: "GET", path: "/_ping"))
            Issue.record("a missing ssh client succeeded")
        } catch {
            #expect(error.kind == .connect)
            #expect(!error.isTransient)
            #expect(error.description.contains("the ssh client '/nonexistent/ssh' is not installed here"))
            #expect(error.description.contains("openssh-client"))
        }
    }

    @Test func oneChildCarriesRequestsOneAfterAnotherAndABadRequestLeavesItKept() async throws {
        let folder = try TemporaryDirectory(prefix: "fake-ssh")
        defer { folder.remove() }
        let program = folder.path + "/ssh"
        // A far side that answers every request on the same connection (keep-alive).
        try writeProgram(program, """
            #!/bin/sh
            while read line; do
              while read h; do [ "$h" = "$(printf '\\r')" ] && break; done
              printf 'HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nOK'
            done

            """)
        let client = HTTPClient(endpoint: .ssh(SSHDestination(host: "docker.example", program: program)))
        for _ in 0..<5 {
            #expect(try await client.send(HTTPRequest(method: "GET", path: "/_ping")).bodyText == "OK")
        }
        // Refused before anything is sent: the kept child is not lost.
        await #expect(throws: HTTPError.self) {
            _ = try await client.send(HTTPRequest(method: "GET", path: "/_ping", headers: [("X-Bad", "a\r\nb")]))
        }
        #expect(try await client.send(HTTPRequest(method: "GET", path: "/_ping")).bodyText == "OK")
        #expect(client.startedSSHChildren == 1)
        #expect(client.runningSSHChildren == 1)
        client.closeIdleConnections()
        #expect(await Poll.until { client.runningSSHChildren == 0 })
    }

    @Test func aKeptChildThatDiesOnTheNextRequestIsReplacedForAGetButNotForAPost() async throws {
        let folder = try TemporaryDirectory(prefix: "fake-ssh")
        defer { folder.remove() }
        let program = folder.path + "/ssh"
        // Answers one request and keeps the connection; the next request makes it hang up.
        try writeProgram(program, """
            #!/bin/sh
            read line; while read h; do [ "$h" = "$(printf '\\r')" ] && break; done
            printf 'HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nOK'
            read line
            echo 'Connection to docker.example closed by remote host.' >&2
            exit 255

            """)
        let client = HTTPClient(endpoint: .ssh(SSHDestination(host: "docker.example", program: program)))
        #expect(try await client.send(HTTPRequest(method: "GET", path: "/_ping")).bodyText == "OK")
        #expect(client.runningSSHChildren == 1)
        // The kept child hangs up on the GET: sent once more on a new child, which answers.
        #expect(try await client.send(HTTPRequest(method: "GET", path: "/_ping")).bodyText == "OK")
        #expect(client.startedSSHChildren == 2)
        // A POST is not sent twice: the user sees why the child ended.
        do throws(HTTPError) {
            _ = try await client.send(HTTPRequest(method: "POST", path: "/containers/x/start"))
            Issue.record("a POST on a child that hung up succeeded")
        } catch {
            #expect(error.kind == .connect)
            #expect(error.description == "cannot reach ssh://docker.example: the ssh connection to docker.example was closed (ssh: Connection to docker.example closed by remote host.)")
        }
        #expect(client.startedSSHChildren == 2)
        #expect(await Poll.until { client.runningSSHChildren == 0 })
    }

    @Test func aFarSideThatNeverAnswersTimesOutAndItsChildEnds() async throws {
        let folder = try TemporaryDirectory(prefix: "fake-ssh")
        defer { folder.remove() }
        let program = folder.path + "/ssh"
        // Reads the request and says nothing: an engine that hangs behind a working ssh.
        try writeProgram(program, "#!/bin/sh\nexec cat >/dev/null\n")
        let client = HTTPClient(endpoint: .ssh(SSHDestination(host: "docker.example", program: program)), timeout: .milliseconds(300))
        do throws(HTTPError) {
            _ = try await client.send(HTTPRequest(method: "GET", path: "/_ping"))
            Issue.record("a silent far side answered")
        } catch {
            #expect(error.kind == .timeout)
            #expect(error.description == "no answer from ssh://docker.example: timed out after 300ms waiting for the response")
        }
        #expect(await Poll.until { client.runningSSHChildren == 0 })
        #expect(client.startedSSHChildren == 1)
    }
}

/// An executable script written through a close-on-exec descriptor, so that children other
/// tests start meanwhile do not hold it open for writing (which makes exec fail with ETXTBSY).
func writeProgram(_ path: String, _ text: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
    guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    defer { close(fd) }
    let bytes = Array(text.utf8)
    guard write(fd, bytes, bytes.count) == bytes.count else { throw POSIXError(.EIO) }
}
