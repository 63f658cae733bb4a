import Foundation

extension JSONValue {
    /// An API's answer (the Docker Engine's, a Kubernetes API server's), parsed with
    /// Foundation: unlike spec files, answers need no positions. nil when `bytes` is empty or
    /// not JSON; a bare scalar ("fragment") is accepted.
    public init?(answer bytes: [UInt8]) {
        guard !bytes.isEmpty,
              let object = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else {
            return nil
        }
        self.init(foundation: object)
    }
}
