/// Something that can be told to look at its remote now instead of at the next interval:
/// the webhook listener calls it after a push.
public protocol FetchTrigger: Sendable {
    func fetchNow() async
}
