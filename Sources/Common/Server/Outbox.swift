// @chapter 4
import Synchronization

/// Bytes that other tasks send to one client: pub/sub messages, and later
/// the replication stream. Any task may `send`; only the client's own
/// serve loop takes them out, in order, and writes them with its replies.
///
/// Why not write to the socket directly? The publisher would have to wait
/// for a slow subscriber's socket (then one slow client slows everyone), or
/// two tasks would interleave their writes on one socket. Instead the
/// publisher appends here, which never blocks, and the client's own task
/// writes when its socket can take it.
///
/// A client that never reads must not make the server's memory grow
/// without bound: past `limit` pending bytes the outbox refuses more, and
/// the connection is cut, as Redis's `client-output-buffer-limit` does.
public final class Outbox: Sendable {
    /// What is waiting, and whether the limit was passed.
    private struct Pending: Sendable {
        var bytes: [UInt8] = []
        var overflowed = false
        /// Set when the connection closes: nothing is accepted after that.
        var closed = false
    }

    /// The most bytes that may wait (Redis's pub/sub hard limit: 32 MB).
    package let limit: Int
    private let pending = Lock(Pending())
    /// True while `pending` holds bytes: a lock-free check for the serve
    /// loop, which looks after every command.
    private let nonEmpty = Atomic<Bool>(false)
    /// Set once the limit is passed: checked after every command.
    private let overflowed = Atomic<Bool>(false)
    /// Called after every accepted `send`, to wake the client's task.
    private let wake: @Sendable () -> Void
    /// Called once, under the lock, when the limit is passed: cuts the
    /// connection. (Under the lock, so that it can never reach a socket
    /// that was closed meanwhile and whose number was reused.)
    private let overflow: @Sendable () -> Void

    /// An outbox that calls `wake` whenever something is sent to it, and
    /// `overflow` once if its client falls more than `limit` bytes behind.
    init(limit: Int = 32 * 1024 * 1024, wake: @escaping @Sendable () -> Void,
         overflow: @escaping @Sendable () -> Void) {
        self.limit = limit
        self.wake = wake
        self.overflow = overflow
    }

    // snippet: send
    /// Queues `bytes` for the client. Returns false, and queues nothing,
    /// when the client has fallen more than `limit` bytes behind: it will
    /// be disconnected.
    @discardableResult
    package func send(_ bytes: [UInt8]) -> Bool {
        let accepted = self.pending.withLock { pending -> Bool in
            guard !pending.overflowed, !pending.closed else { return false }
            guard pending.bytes.count + bytes.count <= self.limit else {
                pending.overflowed = true
                pending.bytes = []
                self.overflowed.store(true, ordering: .releasing)
                self.overflow()
                return false
            }
            pending.bytes += bytes
            return true
        }
        guard accepted else { return false }
        self.nonEmpty.store(true, ordering: .releasing)
        self.wake()
        return true
    }
    // end-snippet

    // @chapter 7 {
    /// Wakes the owner's serve loop without a message: a wait it is in
    /// (BLPOP) has ended, and its reply is ready elsewhere.
    package func wakeOwner() {
        self.nonEmpty.store(true, ordering: .releasing)
        self.wake()
    }
    // @}

    /// True when bytes are waiting.
    package var hasPending: Bool { self.nonEmpty.load(ordering: .acquiring) }

    /// True once the client fell too far behind.
    package var hasOverflowed: Bool { self.overflowed.load(ordering: .acquiring) }

    /// Accepts nothing more: the connection is closing.
    func close() {
        self.pending.withLock { pending in
            pending.closed = true
            pending.bytes = []
        }
        self.nonEmpty.store(false, ordering: .relaxed)
    }

    /// Moves everything waiting to the end of `out`.
    func drain(into out: inout [UInt8]) {
        guard self.hasPending else { return }
        let bytes = self.pending.withLock { pending -> [UInt8] in
            self.nonEmpty.store(false, ordering: .relaxed)
            defer { pending.bytes = [] }
            return pending.bytes
        }
        out += bytes
    }
}
