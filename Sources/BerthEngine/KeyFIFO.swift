/// First-in, first-out storage for the keys waiting in a `WorkQueue`.
///
/// A plain array with `removeFirst()` is O(n) per dequeue, and a resync can enqueue every
/// spec at once; reading from a moving head and compacting only when the dead prefix is the
/// larger half keeps both ends O(1) amortised. Uniqueness is not checked here: the queue's
/// dirty set already guarantees a key is appended at most once while it waits.
struct KeyFIFO<Key: Hashable & Sendable>: Sendable {
    private var storage: [Key] = []
    private var head = 0

    /// Keys waiting, oldest first.
    var count: Int { storage.count - head }
    var isEmpty: Bool { head == storage.count }

    mutating func append(_ key: Key) {
        storage.append(key)
    }

    mutating func popFirst() -> Key? {
        guard head < storage.count else { return nil }
        let key = storage[head]
        head += 1
        if head == storage.count {
            // Drained: start over rather than keep a dead prefix around.
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 64 && head * 2 > storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return key
    }

    mutating func removeAll() {
        storage.removeAll()
        head = 0
    }
}
