import BerthHTTP
import Testing

@Suite struct HTTPEndpointTests {
    @Test func parsesTheDockerForms() throws {
        #expect(try HTTPEndpoint(parsing: "unix:///var/run/docker.sock") == .unix(path: "/var/run/docker.sock"))
        #expect(try HTTPEndpoint(parsing: "tcp://127.0.0.1:2375") == .tcp(host: "127.0.0.1", port: 2375))
        #expect(try HTTPEndpoint(parsing: "http://docker.example:8080/") == .tcp(host: "docker.example", port: 8080))
        #expect(try HTTPEndpoint(parsing: "tcp://[::1]:2376") == .tcp(host: "::1", port: 2376))
        #expect(try HTTPEndpoint(parsing: "tcp://dockerhost") == .tcp(host: "dockerhost", port: 2375))
    }

    @Test func descriptionReadsBack() throws {
        for text in ["unix:///var/run/docker.sock", "tcp://127.0.0.1:2375", "tcp://[::1]:2376"] {
            let endpoint = try HTTPEndpoint(parsing: text)
            #expect(endpoint.description == text)
            #expect(try HTTPEndpoint(parsing: endpoint.description) == endpoint)
        }
        #expect(try HTTPEndpoint(parsing: "http://h:80").description == "tcp://h:80")
    }

    @Test(arguments: ["ftp://host:21", "unix://", "tcp://:2375", "tcp://host:abc", "tcp://host:70000",
                      "tcp://host:2375/v1.43", "/var/run/docker.sock"])
    func rejectsAndNamesTheInput(_ text: String) {
        do throws(HTTPError) {
            _ = try HTTPEndpoint(parsing: text)
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.kind == .invalidEndpoint)
            #expect(!error.isTransient)
            #expect(error.description.contains(text))
        }
    }

    @Test func rejectsASocketPathTooLongForTheKernel() {
        let path = "/tmp/" + String(repeating: "d", count: 120) + "/docker.sock"
        do throws(HTTPError) {
            _ = try HTTPEndpoint(parsing: "unix://" + path)
            Issue.record("long path accepted")
        } catch {
            #expect(error.kind == .invalidEndpoint)
            #expect(error.description.contains(path))
        }
    }
}

@Suite struct HTTPSEndpointTests {
    @Test func httpsParsesToTLSWithDefaultSettings() throws {
        #expect(try HTTPEndpoint(parsing: "https://10.0.0.1:6443") == .tls(host: "10.0.0.1", port: 6443, settings: TLSSettings()))
        #expect(try HTTPEndpoint(parsing: "https://kube.example/") == .tls(host: "kube.example", port: 443, settings: TLSSettings()))
        #expect(try HTTPEndpoint(parsing: "https://[::1]:6443").description == "https://[::1]:6443")
    }
}
