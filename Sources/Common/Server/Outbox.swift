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
        // @chapter 9 {
        /// The hard limit now: `limit`, or a subscriber's own.
        var hardLimit: Int
        /// A subscriber's soft limit: more than `bytes` pending for
        /// `milliseconds` also cuts the connection.
        var softLimit: (bytes: Int, milliseconds: Int64)?
        /// When the pending bytes last went above the soft limit.
        var overSoftSince: Int64?
        // @}
    }

    /// The most bytes that may wait (Redis's pub/sub hard limit: 32 MB).
    package let limit: Int
    private let pending: Lock<Pending>
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
    // @before 9 {
    // init(limit: Int = 32 * 1024 * 1024, wake: @escaping @Sendable () -> Void,
    //      overflow: @escaping @Sendable () -> Void) {
    // @}
    // @chapter 9 {
    init(limit: Int = 32 * 1024 * 1024, wake: @escaping @Sendable () -> Void,
         overflow: @escaping @Sendable () -> Void,
         now: @escaping @Sendable () -> Int64 = Platform.monotonicMilliseconds) {
    // @}
        self.limit = limit
        self.wake = wake
        self.overflow = overflow
        // @before 9 {
        // self.pending = Lock(Pending())
        // @}
        self.pending = Lock(Pending(hardLimit: limit)) // @chapter 9
        self.now = now // @chapter 9
    }
    // @chapter 9 {

    /// The clock of the soft limit, in milliseconds (a test's own clock).
    private let now: @Sendable () -> Int64

    /// Back to `limit` alone: the client left subscribed mode.
    package func restoreDefaultLimits() {
        self.pending.withLock { pending in
            pending.hardLimit = self.limit
            pending.softLimit = nil
            pending.overSoftSince = nil
        }
    }

    /// An outbox nobody reads: for a context without a connection (a unit
    /// test), so that subscribing works there too.
    static var detached: Outbox { Outbox(wake: {}, overflow: {}) }

    /// Applies Redis's `client-output-buffer-limit pubsub` to this client,
    /// which has just subscribed: `hard` bytes pending cut it at once, more
    /// than `soft` bytes for `seconds` too. Zero turns a limit off.
    package func applyLimits(_ limits: OutputBufferLimits) {
        self.pending.withLock { pending in
            pending.hardLimit = limits.hardBytes > 0 ? limits.hardBytes : Int.max
            pending.softLimit = limits.softBytes > 0 ? (limits.softBytes, Int64(limits.softSeconds) * 1000) : nil
        }
    }
    // @}

    // @chapter 9 {
    // snippet: soft-limit
    /// Whether `total` pending bytes break the soft limit: above it for
    /// longer than its time. Redis's rule: the clock starts when the
    /// pending bytes first go above the soft limit, and stops when they
    /// drop below it again.
    private func pastSoftLimit(_ total: Int, _ pending: inout Pending) -> Bool {
        guard let soft = pending.softLimit else { return false }
        guard total > soft.bytes else {
            pending.overSoftSince = nil
            return false
        }
        let now = self.now()
        guard let since = pending.overSoftSince else {
            pending.overSoftSince = now
            return false
        }
        return now - since >= soft.milliseconds
    }
    // end-snippet
    // @}

    // snippet: send
    /// Queues `bytes` for the client. Returns false, and queues nothing,
    /// when the client has fallen more than `limit` bytes behind: it will
    /// be disconnected.
    @discardableResult
    package func send(_ bytes: [UInt8]) -> Bool {
        // Through a pointer: `+=` takes its argument owned, and a PUBLISH
        // hands one frame to every subscriber, so each send would retain
        // and release it.
        self.enqueue(byteCount: bytes.count) { pending, _ in
            bytes.withUnsafeBufferPointer { pending.append(contentsOf: $0) }
        }
    }
    // @chapter 9 {

    /// Queues `byteCount` bytes that `write` writes in place, at the end of
    /// the pending bytes: a PUBLISH encodes its frame straight into the
    /// outbox, with no buffer of its own. Returns false as `send` does.
    @discardableResult
    package func send(byteCount: Int, writing write: (UnsafeMutableBufferPointer<UInt8>) -> Void) -> Bool {
        self.enqueue(byteCount: byteCount) { pending, start in
            // Room first (Array has no way to append bytes left
            // uninitialized), then the bytes written over it.
            pending.append(contentsOf: repeatElement(0, count: byteCount))
            pending.withUnsafeMutableBufferPointer { write(UnsafeMutableBufferPointer(rebasing: $0[start...])) }
        }
    }
    // @}

    /// The one way bytes are queued: `append` adds `byteCount` bytes at
    /// the end of the pending ones (which it gets with their count before).
    private func enqueue(byteCount: Int, _ append: (inout [UInt8], _ start: Int) -> Void) -> Bool {
        let accepted = self.pending.withLock { pending -> Bool in
            guard !pending.overflowed, !pending.closed else { return false }
            // @before 9 {
            // guard pending.bytes.count + byteCount <= self.limit else {
            // @}
            // @chapter 9 {
            let total = pending.bytes.count + byteCount
            guard total <= pending.hardLimit, !self.pastSoftLimit(total, &pending) else {
            // @}
                pending.overflowed = true
                pending.bytes = []
                self.overflowed.store(true, ordering: .releasing)
                self.overflow()
                return false
            }
            append(&pending.bytes, pending.bytes.count)
            return true
        }
        guard accepted else { return false }
        // Wake the owner only if the outbox was empty: otherwise it has
        // been woken already and will take these bytes with the others.
        // (A drain sets `nonEmpty` under the lock before it takes the
        // bytes, so bytes it missed always find the flag false here.) One
        // PUBLISH pipeline to a subscriber then costs one wake, not one
        // per message.
        if !self.nonEmpty.exchange(true, ordering: .acquiringAndReleasing) { self.wake() }
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
    ///
    /// Into an empty `out` the two buffers are swapped, not copied: the
    /// outbox goes on with `out`'s old storage, so a subscriber that gets a
    /// message after every write reuses two buffers instead of growing a
    /// new one each time. A buffer that grew big is let go, so that an idle
    /// client does not keep the memory of its largest burst.
    func drain(into out: inout [UInt8]) {
        guard self.hasPending else { return }
        self.pending.withLock { pending in
            self.nonEmpty.store(false, ordering: .relaxed)
            if out.isEmpty { swap(&out, &pending.bytes) } else { out += pending.bytes }
            if pending.bytes.capacity > 64 * 1024 { pending.bytes = [] } else { pending.bytes.removeAll(keepingCapacity: true) }
        }
    }
}
