@testable import Common
import Synchronization
import Testing

/// The hub and the outbox limits, without sockets: who gets what, with
/// which counts, and when a slow subscriber is cut.
@Suite("Pub/sub: the hub and the subscriber limits")
struct PubSubTests {
    /// An outbox whose clock the test moves, and a flag set when it cuts.
    final class TestOutbox: Sendable {
        /// The clock and the cut flag, shared with the outbox's closures.
        final class Probe: Sendable {
            let clock = Atomic<Int64>(0)
            let cut = Atomic<Bool>(false)
        }
        let probe = Probe()
        let outbox: Outbox

        init(limit: Int = 32 * 1024 * 1024) {
            let probe = self.probe
            self.outbox = Outbox(limit: limit, wake: {}, overflow: { probe.cut.store(true, ordering: .relaxed) },
                                 now: { probe.clock.load(ordering: .relaxed) })
        }

        /// Moves the outbox's clock to `milliseconds`.
        func setClock(_ milliseconds: Int64) { self.probe.clock.store(milliseconds, ordering: .relaxed) }
        /// Whether the outbox has cut its client.
        var wasCut: Bool { self.probe.cut.load(ordering: .relaxed) }

        var pending: [UInt8] {
            var bytes: [UInt8] = []
            self.outbox.drain(into: &bytes)
            return bytes
        }
    }

    static func words(_ text: String) -> [[UInt8]] { text.split(separator: " ").map { Array($0.utf8) } }

    @Test("subscribe replies count channels and patterns together; a repeat still replies")
    func subscribeCounts() {
        let hub = PubSubHub(), client = TestOutbox()
        let first = hub.subscribe(Self.words("a b a"), kind: .channel, client: 1, outbox: client.outbox, version: .resp2, deliver: false)
        #expect(first.count == 2)
        #expect(first.replies.map { $0.encoded(version: .resp2) } == [
            "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n", "*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n",
            "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:2\r\n",
        ].map { Array($0.utf8) })
        let pattern = hub.subscribe(Self.words("n*"), kind: .pattern, client: 1, outbox: client.outbox, version: .resp2, deliver: false)
        #expect(pattern.count == 3)
        #expect(pattern.replies.first?.encoded(version: .resp3) == Array(">3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:3\r\n".utf8))
    }

    @Test("PUBLISH counts a client once per channel and once per matching pattern")
    func publishCountsEveryFrame() {
        let hub = PubSubHub(), both = TestOutbox(), other = TestOutbox()
        _ = hub.subscribe(Self.words("news.it"), kind: .channel, client: 1, outbox: both.outbox, version: .resp2, deliver: false)
        _ = hub.subscribe(Self.words("news.*"), kind: .pattern, client: 1, outbox: both.outbox, version: .resp2, deliver: false)
        _ = hub.subscribe(Self.words("sport"), kind: .channel, client: 2, outbox: other.outbox, version: .resp3, deliver: false)
        #expect(hub.publish(Array("ciao".utf8), to: Array("news.it".utf8)) == 2)
        #expect(both.pending == Array(("*3\r\n$7\r\nmessage\r\n$7\r\nnews.it\r\n$4\r\nciao\r\n"
            + "*4\r\n$8\r\npmessage\r\n$6\r\nnews.*\r\n$7\r\nnews.it\r\n$4\r\nciao\r\n").utf8))
        #expect(other.pending.isEmpty)
        #expect(hub.publish(Array("goal".utf8), to: Array("sport".utf8)) == 1)
        #expect(other.pending == Array(">3\r\n$7\r\nmessage\r\n$5\r\nsport\r\n$4\r\ngoal\r\n".utf8))
        #expect(hub.publish(Array("x".utf8), to: Array("nobody".utf8)) == 0)
    }

    @Test("a departed client is forgotten everywhere")
    func removeClient() {
        let hub = PubSubHub(), client = TestOutbox()
        _ = hub.subscribe(Self.words("a b"), kind: .channel, client: 7, outbox: client.outbox, version: .resp2, deliver: false)
        _ = hub.subscribe(Self.words("a*"), kind: .pattern, client: 7, outbox: client.outbox, version: .resp2, deliver: false)
        hub.removeClient(7)
        #expect(hub.subscriberCounts(Self.words("a b")) == [0, 0])
        #expect(hub.patternCount == 0)
        #expect(hub.activeChannels(matching: nil).isEmpty)
        #expect(hub.publish(Array("x".utf8), to: Array("a".utf8)) == 0)
    }

    @Test("unsubscribing from nothing replies once, with a null name")
    func unsubscribeFromNothing() {
        let hub = PubSubHub()
        let (replies, count) = hub.unsubscribe([], kind: .channel, client: 3)
        #expect(count == 0)
        #expect(replies.map { $0.encoded(version: .resp2) } == [Array("*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n".utf8)])
        #expect(replies.map { $0.encoded(version: .resp3) } == [Array(">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n".utf8)])
    }

    @Test("past the hard limit the outbox cuts the client at once")
    func hardLimit() {
        let client = TestOutbox()
        client.outbox.applyLimits(OutputBufferLimits(hardBytes: 100, softBytes: 0, softSeconds: 0))
        #expect(client.outbox.send([UInt8](repeating: 1, count: 100)))
        #expect(!client.wasCut)
        #expect(!client.outbox.send([1]), "101 bytes pending is past a 100-byte hard limit")
        #expect(client.wasCut)
    }

    @Test("above the soft limit for its whole time, the client is cut; dropping below restarts the clock")
    func softLimit() {
        let client = TestOutbox()
        client.outbox.applyLimits(OutputBufferLimits(hardBytes: 0, softBytes: 10, softSeconds: 60))
        #expect(client.outbox.send([UInt8](repeating: 1, count: 11)), "above the soft limit: the clock starts")
        client.setClock(59_999)
        #expect(client.outbox.send([1]), "59.999 s above: still allowed")
        _ = client.pending // The client caught up: below the limit again.
        client.setClock(70_000)
        #expect(client.outbox.send([1]), "below the soft limit: the clock stops")
        #expect(client.outbox.send([UInt8](repeating: 1, count: 10)), "above again: the clock restarts at 70 s")
        client.setClock(129_999)
        #expect(client.outbox.send([1]))
        #expect(!client.wasCut)
        client.setClock(130_000)
        #expect(!client.outbox.send([1]), "60 s above the soft limit: cut")
        #expect(client.wasCut)
    }

    @Test("Redis's syntax for the limits: units, and what is refused")
    func parseLimits() {
        #expect(OutputBufferLimits(parsing: "pubsub 32mb 8mb 60") == OutputBufferLimits())
        #expect(OutputBufferLimits(parsing: "PUBSUB 1k 512 2") == OutputBufferLimits(hardBytes: 1000, softBytes: 512, softSeconds: 2))
        #expect(OutputBufferLimits(parsing: "pubsub 1gb 0 0") == OutputBufferLimits(hardBytes: 1 << 30, softBytes: 0, softSeconds: 0))
        #expect(OutputBufferLimits(parsing: "normal 0 0 0") == nil)
        #expect(OutputBufferLimits(parsing: "pubsub 1mb 8mb") == nil)
        #expect(OutputBufferLimits(parsing: "pubsub -1 0 0") == nil)
    }
}
