import BerthTestSupport

/// Each test's own folder comes from BerthTestSupport's `TemporaryDirectory`.
extension TemporaryDirectory {
    init() throws { try self.init(prefix: "system-test") }
}
