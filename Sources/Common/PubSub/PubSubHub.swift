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
        /// How its messages are framed: `*3` in RESP2, a `>3` push in RESP3.
        var version: RESPVersion
        /// Its channels and patterns, in the order it subscribed.
        var channels: [[UInt8]] = []
        var patterns: [[UInt8]] = []

        var count: Int { self.channels.count + self.patterns.count }
    }

    /// One subscription, as its channel or pattern lists it: all that a
    /// PUBLISH needs to reach the client. (With ids alone, every delivery
    /// also looked the client up in `clients`: one more hash per
    /// subscriber and per message.)
    private struct Subscriber {
        /// The client's session id.
        let id: Int
        /// Where its messages go.
        let outbox: Outbox
        /// A copy of its `Client.version`, which changes both.
        var version: RESPVersion
    }

    /// A channel or pattern as a dictionary key: its bytes, hashed in one
    /// block as the keyspace hashes its long keys. (`[UInt8]`'s own hash
    /// feeds the hasher a byte at a time: on PUBLISH to one subscriber
    /// that was 4.5% of the server's time.)
    private typealias Name = Database.Bytes

    private struct State {
        /// Channel → its subscribers, first subscriber first.
        var channels: [Name: [Subscriber]] = [:]
        /// Pattern → its subscribers.
        var patterns: [Name: [Subscriber]] = [:]
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
            var client = state.clients[id] ?? Client(version: version)
            if client.version != version { PubSubHub.change(&client, id: id, to: version, in: &state) }
            let subscriber = Subscriber(id: id, outbox: outbox, version: version)
            var replies: [RESPValue] = []
            for name in names {
                switch kind {
                case .channel where !client.channels.contains(name):
                    client.channels.append(name)
                    state.channels[Name(name), default: []].append(subscriber)
                case .pattern where !client.patterns.contains(name):
                    client.patterns.append(name)
                    if state.patterns[Name(name)] == nil { state.patternOrder.append(name) }
                    state.patterns[Name(name), default: []].append(subscriber)
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

    /// Frames client `id`'s next messages in `version`: it sent HELLO
    /// while subscribed (RESP3 allows any command then), and Redis frames
    /// each message in the client's protocol of the moment.
    package func changeVersion(of id: Int, to version: RESPVersion) {
        self.state.withLock { state in
            guard var client = state.clients[id], client.version != version else { return }
            PubSubHub.change(&client, id: id, to: version, in: &state)
            state.clients[id] = client
        }
    }

    /// Sets `client`'s version, and its copy in each of its subscriptions.
    private static func change(_ client: inout Client, id: Int, to version: RESPVersion, in state: inout State) {
        client.version = version
        func update(_ name: [UInt8], in table: inout [Name: [Subscriber]]) {
            guard let index = table.index(forKey: Name(name)) else { return }
            for position in table.values[index].indices where table.values[index][position].id == id {
                table.values[index][position].version = version
            }
        }
        for channel in client.channels { update(channel, in: &state.channels) }
        for pattern in client.patterns { update(pattern, in: &state.patterns) }
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
    private static func remove(_ id: Int, from name: [UInt8], in table: inout [Name: [Subscriber]]) -> Bool {
        let name = Name(name)
        guard var subscribers = table.removeValue(forKey: name) else { return true }
        subscribers.removeAll { $0.id == id }
        if subscribers.isEmpty { return true }
        table[name] = subscribers
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
            var frames = FrameCache(kind: PubSubHub.messageWord, channel: channel, message: message)
            if let subscribers = state.channels[Name(channel)] {
                receivers += PubSubHub.deliver(&frames, to: subscribers)
            }
            for pattern in state.patternOrder where GlobPattern.matches(pattern: pattern, channel, ignoringCase: false) {
                var patternFrames = FrameCache(kind: PubSubHub.pmessageWord, pattern: pattern, channel: channel,
                                               message: message)
                receivers += PubSubHub.deliver(&patternFrames, to: state.patterns[Name(pattern)] ?? [])
            }
            return receivers
        }
    }
    // end-snippet

    /// Queues the frame for each of `subscribers`, in its protocol
    /// version; returns how many. Read through the list's buffer: copying
    /// each subscriber out would retain and release its outbox, per
    /// subscriber and per message.
    private static func deliver(_ frames: inout FrameCache, to subscribers: [Subscriber]) -> Int {
        subscribers.withUnsafeBufferPointer { list in
            for index in list.indices { frames.send(to: list[index].outbox, version: list[index].version) }
        }
        return subscribers.count
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

    /// A message frame, encoded when first needed, once per protocol version.
    ///
    /// The first receiver of each version gets the frame written straight
    /// into its outbox: a channel with one subscriber (the common case)
    /// then costs no buffer of its own and no second copy. A second
    /// receiver of the same version finds no frame to copy from, so the
    /// frame is encoded once more, into a buffer kept for all the others.
    private struct FrameCache {
        /// `message` or `pmessage`.
        let kind: [UInt8]
        /// The pattern that matched, for a `pmessage`.
        let pattern: [UInt8]?
        let channel: [UInt8]
        let message: [UInt8]
        /// The frames kept for a second receiver on; empty until then (a
        /// frame is never empty).
        private var resp2: [UInt8] = []
        private var resp3: [UInt8] = []
        /// Whether a receiver of each version got the frame written in place.
        private var wroteResp2 = false
        private var wroteResp3 = false

        init(kind: [UInt8], pattern: [UInt8]? = nil, channel: [UInt8], message: [UInt8]) {
            self.kind = kind
            self.pattern = pattern
            self.channel = channel
            self.message = message
        }

        /// Queues the frame for `version` in `outbox`.
        mutating func send(to outbox: Outbox, version: RESPVersion) {
            let wrote = version == .resp2 ? self.wroteResp2 : self.wroteResp3
            if !wrote {
                if version == .resp2 { self.wroteResp2 = true } else { self.wroteResp3 = true }
                self.sendInPlace(to: outbox, version: version)
                return
            }
            switch version {
            case .resp2:
                if self.resp2.isEmpty { self.resp2 = self.encoded(.resp2) }
                outbox.send(self.resp2)
            case .resp3:
                if self.resp3.isEmpty { self.resp3 = self.encoded(.resp3) }
                outbox.send(self.resp3)
            }
        }

        /// Writes the frame for `version` straight into `outbox`. (Not in
        /// `send`: a closure in a `mutating` method would capture a copy of
        /// the cache, one retain and release of each word.)
        private func sendInPlace(to outbox: Outbox, version: RESPVersion) {
            outbox.send(byteCount: self.size) { self.encode(version, into: $0) }
        }

        /// How many words the frame has.
        private var wordCount: Int { self.pattern == nil ? 3 : 4 }

        /// The frame's size in bytes: the same in RESP2 and RESP3, whose
        /// headers differ only in their first byte (`*` or `>`).
        private var size: Int {
            func bulk(_ word: [UInt8]) -> Int { 1 + FrameCache.digitCount(word.count) + 2 + word.count + 2 }
            return 1 + FrameCache.digitCount(self.wordCount) + 2 + bulk(self.kind) + (self.pattern.map(bulk) ?? 0)
                + bulk(self.channel) + bulk(self.message)
        }

        /// The frame for `version` in a buffer of its own.
        private func encoded(_ version: RESPVersion) -> [UInt8] {
            var bytes = ListPack.zeros(self.size)
            bytes.withUnsafeMutableBufferPointer { self.encode(version, into: $0) }
            return bytes
        }

        /// Writes `RESPValue.push` of the words, as bulk strings, into
        /// `buffer`, which has exactly `size` bytes: through a pointer, with
        /// none of the checks of one `append` per piece (with them, encoding
        /// was half of a PUBLISH to one subscriber).
        private func encode(_ version: RESPVersion, into buffer: UnsafeMutableBufferPointer<UInt8>) {
            var at = 0
            /// A marker, a length in decimal, CR LF.
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
            /// One bulk string.
            func bulk(_ word: [UInt8]) {
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
            line(version == .resp3 ? UInt8(ascii: ">") : UInt8(ascii: "*"), self.wordCount)
            bulk(self.kind)
            if let pattern = self.pattern { bulk(pattern) }
            bulk(self.channel)
            bulk(self.message)
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
