import BerthModel
import BerthSystem
import FoundationEssentials

/// "registry:5000/team/app:1.2" -> ("registry:5000/team/app", "1.2"); a digest stays whole.
enum ImageRef {
    static func split(_ ref: String) -> (repo: String, tag: String?) {
        if ref.contains("@") { return (ref, nil) }
        guard let colon = ref.lastIndex(of: ":"), !ref[colon...].contains("/") else { return (ref, nil) }
        return (String(ref[..<colon]), String(ref[ref.index(after: colon)...]))
    }

    /// The registry a reference names, as Docker reads it: a first part with a dot, a colon or
    /// "localhost" is a registry; anything else is Docker Hub.
    static func registry(_ ref: String) -> String {
        let first = ref.split(separator: "/").first.map(String.init) ?? ""
        if ref.contains("/") && (first.contains(".") || first.contains(":") || first == "localhost") { return first }
        return "https://index.docker.io/v1/"
    }
}

/// Registry credentials for pulls, from ~/.docker/config.json `auths` (never from a spec),
/// sent as the X-Registry-Auth header. They never reach the journal or the log.
public struct RegistryAuth: Sendable {
    let auths: [String: (user: String, password: String)]

    public static func fromDockerConfig(home: String = FileManager.default.homeDirectoryForCurrentUser.path) -> RegistryAuth {
        let path = (ProcessInfo.processInfo.environment["DOCKER_CONFIG"] ?? home + "/.docker") + "/config.json"
        guard let data = FileManager.default.contents(atPath: path),
              let root = try? JSONParser.parse([UInt8](data)).value, let auths = root["auths"]?.objectValue else {
            return RegistryAuth(auths: [:])
        }
        var out: [String: (String, String)] = [:]
        for (registry, entry) in auths {
            guard let encoded = entry["auth"]?.stringValue, let decoded = Data(base64Encoded: encoded),
                  let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":") else { continue }
            out[registry] = (String(text[..<colon]), String(text[text.index(after: colon)...]))
        }
        return RegistryAuth(auths: out)
    }

    /// base64url of {"username", "password", "serveraddress"}, as the Engine API wants it.
    func header(for ref: String) -> String? {
        let registry = ImageRef.registry(ref)
        let candidates = [registry, "https://" + registry, "http://" + registry, registry + "/v1/", "https://" + registry + "/v1/"]
        guard let found = candidates.lazy.compactMap({ self.auths[$0] }).first else { return nil }
        let body = JSONValue.object([
            "username": .string(found.user), "password": .string(found.password), "serveraddress": .string(registry),
        ]).serialized()
        return Data(body.utf8).base64EncodedString().replacingAll("+", with: "-").replacingAll("/", with: "_")
    }
}
