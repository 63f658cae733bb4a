/// What berth reads of a Swarm service besides its spec: Swarm's account of the last update
/// (UpdateStatus), what berth itself last sent (kept in the state folder, because a rollback
/// restores the whole previous spec, labels included) and the image the spec names as the
/// engine holds it now. The planner judges from these whether a spec content already failed.
public struct SwarmRollout: Sendable, Equatable {
    /// UpdateStatus.State: updating, paused, completed, rollback_started, rollback_paused,
    /// rollback_completed; nil when the service was never updated.
    public var state: String?
    /// UpdateStatus.Message, Swarm's own words.
    public var message: String?
    /// The config hash berth last sent for this service, and the keys of that content the
    /// engine did not keep (read back after the create or update).
    public var sentHash: String?
    public var unkept: [String]
    /// The desired image as the engine has it now, pinned: "repo@sha256:…" for an image with
    /// a registry digest, else its image ID "sha256:…". Nil when the image is not on the engine.
    public var wantedImage: String?

    public init(state: String? = nil, message: String? = nil, sentHash: String? = nil, unkept: [String] = [],
                wantedImage: String? = nil) {
        self.state = state; self.message = message; self.sentHash = sentHash; self.unkept = unkept
        self.wantedImage = wantedImage
    }

    public var rolledBack: Bool { state?.hasPrefix("rollback") == true }
    public var paused: Bool { state == "paused" || state == "rollback_paused" }
    /// Swarm is still moving tasks: a wait goes on.
    public var inProgress: Bool { state == "updating" || state == "rollback_started" }
}

/// A spec content the platform refused: not sent again until the spec changes. Shown in
/// plan and status, journalled, and it makes apply fail.
public struct BlockedSpec: Sendable, Equatable, CustomStringConvertible {
    public var key: ResourceKey
    public var configHash: String
    public var message: String
    public init(key: ResourceKey, configHash: String, message: String) {
        self.key = key; self.configHash = configHash; self.message = message
    }
    public var description: String { "\(key): \(message)" }
}
