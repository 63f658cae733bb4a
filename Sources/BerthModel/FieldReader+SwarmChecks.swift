/// What Swarm cannot do as written, refused before anything is sent (issue 19).
extension FieldReader {
    mutating func checkSwarm(_ byKey: [String: JSONNode], _ path: JSONPath, mode: ServiceMode?, ports: [PortMapping]) {
        if mode == .global, let replicas = byKey["replicas"] {
            fail(replicas, path.appending(key: "replicas"), "a global service runs one task on every node, so \"replicas\" does not apply; remove it, or use \"mode\": \"replicated\"")
        }
        // Swarm publishes through its routing mesh on every interface of every node; it
        // cannot bind one address, and host-mode publishing cannot either.
        for (i, port) in ports.enumerated() where port.hostIP != nil {
            fail(byKey["ports"]!.elements![i], path.appending(key: "ports").appending(index: i),
                 "Swarm publishes a port on every interface of every node and cannot bind it to \(port.hostIP!); write \"\(port.hostPort):\(port.containerPort)/\(port.proto)\", or use target \"docker\" to bind one address")
        }
        // The portable fields would be overwritten by the fragment without a word.
        let container = byKey["swarm"]?["TaskTemplate"]?["ContainerSpec"]
        for (key, portable) in [("Image", "image"), ("Env", "env")] {
            guard let member = container?.members?.first(where: { $0.key == key }) else { continue }
            fail(at: member.keyPosition, path.appending(key: "swarm").appending(key: "TaskTemplate").appending(key: "ContainerSpec").appending(key: key),
                 "set the spec's \"\(portable)\" instead: berth writes ContainerSpec.\(key) from it" + (key == "Image" ? " (pinned by image ID or digest)" : ""))
        }
    }
}
