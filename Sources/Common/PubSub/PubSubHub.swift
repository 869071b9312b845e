// @chapter 9
import Synchronization

/// Who listens to what: every channel's subscribers and every pattern's,
/// for the whole server.
///
/// PUBLISH is the first command that writes to *other* connections. It
/// does not touch their sockets: it appends the message to each
/// subscriber's `Outbox` and wakes that subscriber's task, which sends it
/// on its own time. So a publisher never waits for a slow reader, and a
/// reader that falls too far behind is cut off by its outbox's limits, not
/// by the publisher.
///
/// One lock covers the whole table, and a publish appends to every outbox
/// while holding it: two PUBLISHes never interleave their deliveries, so
/// every subscriber sees one publisher's messages in the order they were
/// published. The keyspace has its own lock; the two never nest.
package final class PubSubHub: Sendable {
    private let state = Mutex(State())

    package init() {}

    /// A subscribed client, as the hub knows it.
    private struct Client {
        /// Where its messages go.
        let outbox: Outbox
        /// How they are framed: `*3` in RESP2, a `>3` push in RESP3.
        var version: RESPVersion
        /// Its channels and patterns, in the order it subscribed.
        var channels: [[UInt8]] = []
        var patterns: [[UInt8]] = []

        var count: Int { self.channels.count + self.patterns.count }
    }

    /// A channel or pattern as a dictionary key: its bytes, hashed in one
    /// block as the keyspace hashes its long keys. (`[UInt8]`'s own hash
    /// feeds the hasher a byte at a time: on PUBLISH to one subscriber
    /// that was 4.5% of the server's time.)
    private typealias Name = Database.Bytes

    private struct State {
        /// Channel → the ids of its subscribers, first subscriber first.
        var channels: [Name: [Int]] = [:]
        /// Pattern → the ids of its subscribers.
        var patterns: [Name: [Int]] = [:]
        /// The patterns in the order they first got a subscriber: a
        /// PUBLISH tries them in this order.
        var patternOrder: [[UInt8]] = []
        /// Every client with at least one subscription, by session id.
        var clients: [Int: Client] = [:]
    }

    /// Which table an operation is about.
    package enum Kind: Sendable {
        case channel
        case pattern

        /// The first word of a subscribe reply.
        var subscribeWord: [UInt8] { self == .channel ? PubSubHub.subscribeWord : PubSubHub.psubscribeWord }
        /// The first word of an unsubscribe reply.
        var unsubscribeWord: [UInt8] { self == .channel ? PubSubHub.unsubscribeWord : PubSubHub.punsubscribeWord }
    }

    // MARK: - Subscribing

    // snippet: hub-subscribe
    /// Subscribes client `id` to `names`, in order. Returns one reply per
    /// name, `[subscribe, name, count]`, where count is the client's
    /// channels and patterns after that name; subscribing twice to one name
    /// changes nothing but still replies, as Redis does.
    ///
    /// With `deliver`, the replies go into the client's outbox instead,
    /// under the lock: then no message published after the subscription
    /// can reach the client before the reply that confirms it.
    package func subscribe(_ names: [[UInt8]], kind: Kind, client id: Int, outbox: Outbox,
                           version: RESPVersion, deliver: Bool) -> (replies: [RESPValue], count: Int) {
        self.state.withLock { state in
            var client = state.clients[id] ?? Client(outbox: outbox, version: version)
            client.version = version
            var replies: [RESPValue] = []
            for name in names {
                switch kind {
                case .channel where !client.channels.contains(name):
                    client.channels.append(name)
                    state.channels[Name(name), default: []].append(id)
                case .pattern where !client.patterns.contains(name):
                    client.patterns.append(name)
                    if state.patterns[Name(name)] == nil { state.patternOrder.append(name) }
                    state.patterns[Name(name), default: []].append(id)
                default:
                    break // Already subscribed.
                }
                replies.append(.push([.bulkString(kind.subscribeWord), .bulkString(name), .integer(client.count)]))
            }
            state.clients[id] = client
            guard deliver else { return (replies, client.count) }
            outbox.send(PubSubHub.encode(replies, version: version))
            return ([], client.count)
        }
    }
    // end-snippet

    /// `replies`, one after the other, as bytes.
    private static func encode(_ replies: [RESPValue], version: RESPVersion) -> [UInt8] {
        var bytes: [UInt8] = []
        for reply in replies { reply.encode(into: &bytes, version: version) }
        return bytes
    }

    /// Unsubscribes client `id` from `names`, or from all its channels (or
    /// patterns) when `names` is empty. One reply per name; with nothing to
    /// leave, a single reply whose name is null.
    package func unsubscribe(_ names: [[UInt8]], kind: Kind, client id: Int) -> (replies: [RESPValue], count: Int) {
        self.state.withLock { state in
            guard var client = state.clients[id] else {
                // Not subscribed to anything: each name still gets its reply.
                let replies = names.isEmpty
                    ? [RESPValue.push([.bulkString(kind.unsubscribeWord), .nullBulkString, .integer(0)])]
                    : names.map { RESPValue.push([.bulkString(kind.unsubscribeWord), .bulkString($0), .integer(0)]) }
                return (replies, 0)
            }
            let leaving = names.isEmpty ? (kind == .channel ? client.channels : client.patterns) : names
            var replies: [RESPValue] = []
            for name in leaving {
                switch kind {
                case .channel:
                    if let position = client.channels.firstIndex(of: name) {
                        client.channels.remove(at: position)
                        PubSubHub.remove(id, from: name, in: &state.channels)
                    }
                case .pattern:
                    if let position = client.patterns.firstIndex(of: name) {
                        client.patterns.remove(at: position)
                        if PubSubHub.remove(id, from: name, in: &state.patterns) {
                            state.patternOrder.removeAll { $0 == name }
                        }
                    }
                }
                replies.append(.push([.bulkString(kind.unsubscribeWord), .bulkString(name), .integer(client.count)]))
            }
            if replies.isEmpty {
                replies = [.push([.bulkString(kind.unsubscribeWord), .nullBulkString, .integer(client.count)])]
            }
            state.clients[id] = client.count == 0 ? nil : client
            return (replies, client.count)
        }
    }

    /// Forgets client `id` entirely: it disconnected. Its channels and
    /// patterns lose it at once, so no message is queued for it again.
    package func removeClient(_ id: Int) {
        self.state.withLock { state in
            guard let client = state.clients.removeValue(forKey: id) else { return }
            for channel in client.channels { PubSubHub.remove(id, from: channel, in: &state.channels) }
            for pattern in client.patterns where PubSubHub.remove(id, from: pattern, in: &state.patterns) {
                state.patternOrder.removeAll { $0 == pattern }
            }
        }
    }

    /// Removes `id` from `name`'s subscribers; returns true if `name` has
    /// none left (and is gone from `table`).
    @discardableResult
    private static func remove(_ id: Int, from name: [UInt8], in table: inout [Name: [Int]]) -> Bool {
        let name = Name(name)
        guard var ids = table.removeValue(forKey: name) else { return true }
        ids.removeAll { $0 == id }
        if ids.isEmpty { return true }
        table[name] = ids
        return false
    }

    // MARK: - Publishing

    // snippet: hub-publish
    /// Queues `message` for every subscriber of `channel` (a `message`
    /// frame) and of every pattern that matches it (a `pmessage` frame).
    /// Returns how many frames were queued: a client subscribed both to
    /// the channel and to a matching pattern counts twice, as in Redis.
    package func publish(_ message: [UInt8], to channel: [UInt8]) -> Int {
        self.state.withLock { state in
            var receivers = 0
            // Each frame is encoded once per protocol version, however many
            // clients receive it: the fan-out costs one copy per client.
            var frames = FrameCache(words: [PubSubHub.messageWord, channel, message])
            for id in state.channels[Name(channel)] ?? [] where PubSubHub.deliver(&frames, to: id, in: &state) {
                receivers += 1
            }
            for pattern in state.patternOrder where GlobPattern.matches(pattern: pattern, channel, ignoringCase: false) {
                var patternFrames = FrameCache(words: [PubSubHub.pmessageWord, pattern, channel, message])
                for id in state.patterns[Name(pattern)] ?? [] where PubSubHub.deliver(&patternFrames, to: id, in: &state) {
                    receivers += 1
                }
            }
            return receivers
        }
    }
    // end-snippet

    /// Queues the frame for client `id` in its protocol version; false if
    /// it has gone. The client is read in place, not copied: a copy would
    /// retain and release its outbox and both its lists, per subscriber and
    /// per message, and so would handing out the frame as a value.
    private static func deliver(_ frames: inout FrameCache, to id: Int, in state: inout State) -> Bool {
        guard let index = state.clients.index(forKey: id) else { return false }
        frames.withBytes(for: state.clients.values[index].version) { frame in
            state.clients.values[index].outbox.send(frame)
        }
        return true
    }

    // MARK: - Introspection (PUBSUB)

    /// The channels with at least one subscriber, matching `pattern` if given.
    package func activeChannels(matching pattern: [UInt8]?) -> [[UInt8]] {
        self.state.withLock { state in
            state.channels.keys.map(\.bytes).filter { channel in
                pattern.map { GlobPattern.matches(pattern: $0, channel, ignoringCase: false) } ?? true
            }
        }
    }

    /// How many clients subscribe to each of `channels` (patterns aside).
    package func subscriberCounts(_ channels: [[UInt8]]) -> [Int] {
        self.state.withLock { state in channels.map { state.channels[Name($0)]?.count ?? 0 } }
    }

    /// How many distinct patterns have subscribers.
    package var patternCount: Int {
        self.state.withLock { $0.patterns.count }
    }

    // MARK: - Frames

    /// A message frame, encoded lazily once per protocol version.
    private struct FrameCache {
        let words: [[UInt8]]
        /// The frames; empty until first needed (a frame is never empty).
        private var resp2: [UInt8] = []
        private var resp3: [UInt8] = []

        init(words: [[UInt8]]) { self.words = words }

        /// Calls `body` with the frame for `version`, lent, not copied.
        mutating func withBytes(for version: RESPVersion, _ body: ([UInt8]) -> Void) {
            switch version {
            case .resp2:
                if self.resp2.isEmpty { self.resp2 = self.encoded(.resp2) }
                body(self.resp2)
            case .resp3:
                if self.resp3.isEmpty { self.resp3 = self.encoded(.resp3) }
                body(self.resp3)
            }
        }

        /// `RESPValue.push` of the words as bulk strings, written through a
        /// pointer into a buffer of the exact size: no array of values, no
        /// regrowth, and none of the checks of one `append` per piece (with
        /// them, encoding was half of a PUBLISH to one subscriber).
        private func encoded(_ version: RESPVersion) -> [UInt8] {
            let header = 1 + FrameCache.digitCount(self.words.count) + 2
            let size = self.words.reduce(header) { $0 + 1 + FrameCache.digitCount($1.count) + 2 + $1.count + 2 }
            var bytes = ListPack.zeros(size)
            bytes.withUnsafeMutableBufferPointer { buffer in
                var at = 0
                /// Writes `count` in decimal at `at`, and the CRLF after it.
                func line(_ marker: UInt8, _ count: Int) {
                    buffer[at] = marker
                    at += 1 + FrameCache.digitCount(count)
                    var rest = count, digit = at
                    repeat {
                        digit -= 1
                        buffer[digit] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                        rest /= 10
                    } while rest > 0
                    buffer[at] = 13
                    buffer[at + 1] = 10
                    at += 2
                }
                line(version == .resp3 ? UInt8(ascii: ">") : UInt8(ascii: "*"), self.words.count)
                for word in self.words {
                    line(UInt8(ascii: "$"), word.count)
                    word.withUnsafeBufferPointer { source in
                        guard let from = source.baseAddress else { return }
                        (buffer.baseAddress! + at).update(from: from, count: source.count)
                    }
                    at += word.count
                    buffer[at] = 13
                    buffer[at + 1] = 10
                    at += 2
                }
            }
            return bytes
        }

        /// How many decimal digits `value` (not negative) takes.
        private static func digitCount(_ value: Int) -> Int {
            var digits = 1, rest = value
            while rest >= 10 {
                digits += 1
                rest /= 10
            }
            return digits
        }
    }

    static let messageWord = Array("message".utf8)
    static let pmessageWord = Array("pmessage".utf8)
    static let subscribeWord = Array("subscribe".utf8)
    static let psubscribeWord = Array("psubscribe".utf8)
    static let unsubscribeWord = Array("unsubscribe".utf8)
    static let punsubscribeWord = Array("punsubscribe".utf8)
}
