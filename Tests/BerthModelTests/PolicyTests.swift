import BerthJSON
@testable import BerthModel
import Testing

/// The operator's policy: a table of risky fields, each with the line a person sees when a
/// policy refuses it, and the warnings `plan` shows when there is no policy.
struct PolicyTests {
    static let policy = Policy(file: "/etc/berth/policy.json")

    static func errors(_ text: String, policy: Policy? = PolicyTests.policy) -> [String] {
        SpecDecoder.decode(file: "specs/a.json", bytes: Array(text.utf8), policy: policy).errors.map(\.description)
    }

    static func warnings(_ text: String) -> [String] {
        SpecDecoder.decode(file: "specs/a.json", bytes: Array(text.utf8)).warnings.map(\.description)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var input: String
        var expected: [String]
        var testDescription: String { input }
    }

    static let refused: [Case] = [
        Case(input: #"{"name": "w", "image": "busybox:1", "docker": {"HostConfig": {"Privileged": true}}}"#,
             expected: [#"specs/a.json:1:77: $.docker.HostConfig.Privileged: privileged container is refused by policy rule "privileged" of /etc/berth/policy.json; add "privileged" to the policy's "allow" list if it is meant"#]),
        Case(input: #"{"name": "w", "image": "busybox:1", "docker": {"HostConfig": {"PidMode": "host"}}}"#,
             expected: [#"specs/a.json:1:74: $.docker.HostConfig.PidMode: PidMode "host" (the host's namespace) is refused by policy rule "host-namespaces" of /etc/berth/policy.json; add "host-namespaces" to the policy's "allow" list if it is meant"#]),
        Case(input: #"{"name": "w", "image": "busybox:1", "docker": {"HostConfig": {"CapAdd": ["SYS_ADMIN"]}}}"#,
             expected: [#"specs/a.json:1:74: $.docker.HostConfig.CapAdd[0]: added capability "SYS_ADMIN" is refused by policy rule "capabilities" of /etc/berth/policy.json; add "capabilities" to the policy's "allow" list if it is meant"#]),
        Case(input: #"{"name": "w", "image": "busybox:1", "docker": {"HostConfig": {"SecurityOpt": ["seccomp=unconfined"]}}}"#,
             expected: [#"specs/a.json:1:79: $.docker.HostConfig.SecurityOpt[0]: security option "seccomp=unconfined" is refused by policy rule "unconfined" of /etc/berth/policy.json; add "unconfined" to the policy's "allow" list if it is meant"#]),
        Case(input: #"{"name": "w", "image": "busybox:1", "docker": {"HostConfig": {"Devices": [{"PathOnHost": "/dev/sda"}]}}}"#,
             expected: [#"specs/a.json:1:74: $.docker.HostConfig.Devices: host devices (Devices) is refused by policy rule "devices" of /etc/berth/policy.json; add "devices" to the policy's "allow" list if it is meant"#]),
        Case(input: #"{"name": "w", "image": "busybox:1", "docker": {"HostConfig": {"Binds": ["/:/host:ro"]}}}"#,
             expected: [#"specs/a.json:1:73: $.docker.HostConfig.Binds[0]: mount of the Docker socket (host path "/") is refused by policy rule "docker-socket" of /etc/berth/policy.json; add "docker-socket" to the policy's "allow" list if it is meant"#]),
        Case(input: #"{"name": "w", "image": "busybox:1", "volumes": ["/var/run/docker.sock:/s"]}"#,
             expected: [#"specs/a.json:1:49: $.volumes[0]: mount of the Docker socket (host path "/var/run/docker.sock") is refused by policy rule "docker-socket" of /etc/berth/policy.json; add "docker-socket" to the policy's "allow" list if it is meant"#]),
        Case(input: #"{"name": "w", "image": "busybox:1", "volumes": ["/srv/data:/data"]}"#,
             expected: [#"specs/a.json:1:49: $.volumes[0]: bind of host path "/srv/data" is refused by policy rule "host-path" of /etc/berth/policy.json (the policy lists no host paths); add the folder to "hostPaths" or use a named volume"#]),
        Case(input: #"{"name": "w", "image": "busybox:1", "docker": {"HostConfig": {"Mounts": [{"Type": "volume", "Target": "/h", "VolumeOptions": {"DriverConfig": {"Options": {"type": "none", "o": "bind", "device": "/etc"}}}}]}}}"#,
             expected: [#"specs/a.json:1:195: $.docker.HostConfig.Mounts[0].VolumeOptions.DriverConfig.Options.device: bind of host path "/etc" is refused by policy rule "host-path" of /etc/berth/policy.json (the policy lists no host paths); add the folder to "hostPaths" or use a named volume"#]),
        Case(input: #"{"name": "w", "target": "swarm", "image": "busybox:1", "swarm": {"TaskTemplate": {"ContainerSpec": {"CapabilityAdd": ["NET_ADMIN"], "Mounts": [{"Type": "bind", "Source": "/etc"}]}}}}"#,
             expected: [
                #"specs/a.json:1:119: $.swarm.TaskTemplate.ContainerSpec.CapabilityAdd[0]: added capability "NET_ADMIN" is refused by policy rule "capabilities" of /etc/berth/policy.json; add "capabilities" to the policy's "allow" list if it is meant"#,
                #"specs/a.json:1:171: $.swarm.TaskTemplate.ContainerSpec.Mounts[0].Source: bind of host path "/etc" is refused by policy rule "host-path" of /etc/berth/policy.json (the policy lists no host paths); add the folder to "hostPaths" or use a named volume"#,
             ]),
        Case(input: #"{"name": "w", "target": "kubernetes", "manifests": [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "production"}}]}"#,
             expected: [#"specs/a.json:1:82: $.manifests[0].kind: Namespace "production" is cluster-scoped and refused by policy rule "kubernetes-kind" of /etc/berth/policy.json; list it in "kubernetes": {"kinds": [...]} if it is meant"#]),
        Case(input: #"{"name": "w", "target": "kubernetes", "image": "busybox:1", "kubernetes": {"spec": {"template": {"spec": {"hostPID": true, "containers": [{"name": "w", "securityContext": {"privileged": true}}], "volumes": [{"name": "h", "hostPath": {"path": "/"}}]}}}}}"#,
             expected: [
                #"specs/a.json:1:118: $.kubernetes.spec.template.spec.hostPID: hostPID: true (the host's namespace) is refused by policy rule "host-namespaces" of /etc/berth/policy.json; add "host-namespaces" to the policy's "allow" list if it is meant"#,
                #"specs/a.json:1:187: $.kubernetes.spec.template.spec.containers[0].securityContext.privileged: privileged container is refused by policy rule "privileged" of /etc/berth/policy.json; add "privileged" to the policy's "allow" list if it is meant"#,
                #"specs/a.json:1:243: $.kubernetes.spec.template.spec.volumes[0].hostPath.path: mount of the Docker socket (host path "/") is refused by policy rule "docker-socket" of /etc/berth/policy.json; add "docker-socket" to the policy's "allow" list if it is meant"#,
             ]),
    ]

    @Test(arguments: refused) func policyRefusesRiskyField(_ c: Case) {
        #expect(Self.errors(c.input) == c.expected)
    }

    @Test func listsRelaxTheirRules() {
        let open = Policy(file: "p.json", hostPaths: ["/srv/data"], registries: ["registry.example.com", "docker.io/library"],
                          namespaces: ["web"], kinds: ["Namespace", "ConfigMap"], allow: [.privileged])
        #expect(Self.errors(#"{"name": "w", "image": "busybox:1", "volumes": ["/srv/data/x:/d"], "docker": {"HostConfig": {"Privileged": true}}}"#, policy: open) == [])
        #expect(Self.errors(#"{"name": "w", "image": "busybox:1", "volumes": ["/srv/database:/d"]}"#, policy: open).count == 1)
        #expect(Self.errors(#"{"name": "w", "image": {"ref": "evil.example.com/x:1"}}"#, policy: open) == [
            #"specs/a.json:1:32: $.image.ref: image "evil.example.com/x:1" is refused by policy rule "registry" of p.json: allowed registries are registry.example.com, docker.io/library"#])
        #expect(Self.errors(#"{"name": "w", "image": "someone/x:1"}"#, policy: open).count == 1)
        #expect(Self.errors(#"{"name": "w", "image": "registry.example.com/team/x:1"}"#, policy: open) == [])
        #expect(Self.errors(#"{"name": "w", "target": "kubernetes", "namespace": "kube-system", "manifests": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}]}"#, policy: open) == [
            #"specs/a.json:1:52: $.namespace: ConfigMap "c" in namespace "kube-system" is refused by policy rule "kubernetes-namespace" of p.json: allowed namespaces are web"#])
        #expect(Self.errors(#"{"name": "w", "target": "kubernetes", "namespace": "web", "manifests": [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "web"}}, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}]}"#, policy: open) == [])
        #expect(Self.errors(#"{"name": "w", "target": "kubernetes", "namespace": "web", "manifests": [{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}]}"#, policy: open).count == 1)
        #expect(Self.errors(#"{"name": "w", "target": "kubernetes", "image": "busybox:1"}"#, policy: open) == [
            #"specs/a.json:1:1: $: the generated Deployment names no namespace, and policy rule "kubernetes-namespace" of p.json allows only web; set "namespace""#])
        #expect(Self.errors(#"{"name": "w", "target": "kubernetes", "image": "busybox:1", "namespace": "web"}"#, policy: open) == [])
    }

    @Test func withoutPolicyPlanWarnsOncePerRiskyField() {
        let text = #"{"name": "w", "image": "busybox:1", "volumes": ["/srv:/s"], "docker": {"HostConfig": {"Privileged": true, "NetworkMode": "host"}}}"#
        #expect(Self.errors(text, policy: nil) == [])
        #expect(Self.warnings(text) == [
            #"specs/a.json:1:49: $.volumes[0]: warning: bind of host path "/srv" (policy rule "host-path"); an operator's --policy file can refuse it"#,
            #"specs/a.json:1:101: $.docker.HostConfig.Privileged: warning: privileged container (policy rule "privileged"); an operator's --policy file can refuse it"#,
            #"specs/a.json:1:122: $.docker.HostConfig.NetworkMode: warning: NetworkMode "host" (the host's namespace) (policy rule "host-namespaces"); an operator's --policy file can refuse it"#,
        ])
        #expect(Self.warnings(#"{"name": "w", "image": "busybox:1", "volumes": ["data:/d"]}"#) == [])
    }

    @Test func policyFileMistakesNameTheirPlace() {
        func failure(_ text: String) -> String {
            do { _ = try PolicyDecoder.decode(file: "p.json", bytes: Array(text.utf8)); return "" } catch { return error.description }
        }
        #expect(failure(#"{"hostPath": ["/srv"]}"#) == #"p.json:1:2: $.hostPath: unknown policy field "hostPath"; did you mean "hostPaths"?"#)
        #expect(failure(#"{"hostPaths": ["srv"]}"#) == #"p.json:1:16: $.hostPaths[0]: "srv" is not an absolute path without '..' steps"#)
        #expect(failure(#"{"allow": ["registry"]}"#).hasPrefix(#"p.json:1:12: $.allow[0]: unknown rule "registry"; "allow" takes "privileged""#))
        let policy = try? PolicyDecoder.decode(file: "p.json", bytes: Array(#"{"hostPaths": ["/srv/"], "allow": ["devices"], "kubernetes": {"kinds": ["Namespace"]}}"#.utf8))
        #expect(policy == Policy(file: "p.json", hostPaths: ["/srv"], kinds: ["Namespace"], allow: [.devices]))
    }
}
