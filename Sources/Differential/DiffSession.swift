import Common
import Harness

/// What one server answered to one command.
public enum DiffReply: Sendable, Equatable {
    /// One complete RESP reply, as the bytes that arrived.
    case bytes([UInt8])
    /// The server closed the connection before replying.
    case closed
    /// Nothing (or not a whole reply) arrived in time.
    case timeout
    /// The bytes that arrived are not RESP.
    case malformed(String)

    /// The reply as the report shows it: escaped bytes (`+PONG\r\n`), long
    /// replies shortened.
    public var display: String {
        switch self {
        case .bytes(let bytes):
            guard bytes.count > 160 else { return bytes.escaped }
            return bytes.prefix(100).escaped + " … " + bytes.suffix(20).escaped + " (\(bytes.count) bytes)"
        case .closed: return "(connection closed)"
        case .timeout: return "(no reply within \(DiffSession.replyTimeoutMilliseconds / 1000) s)"
        case .malformed(let reason): return "(not RESP: \(reason))"
        }
    }
}

/// One client connection to one server, reading replies one RESP value at
/// a time while keeping the exact bytes of each.
final class DiffConnection {
    /// The socket.
    private let connection: TCPConnection
    /// Bytes received, split into replies.
    private var parser = ReplyParser()
    /// Set once the server closed, timed out or broke the protocol: nothing
    /// more can be read in step with the commands.
    private var broken: DiffReply?

    /// Connects to `host:port`.
    init(host: String, port: Int) throws {
        self.connection = try TCPConnection(connectingTo: host, port: port)
    }

    deinit {
        self.connection.close()
    }

    /// Closes the connection.
    func close() {
        self.connection.close()
    }

    /// Sends `bytes`; a failure shows up as the replies that never come.
    func send(_ bytes: [UInt8]) {
        guard self.broken == nil else { return }
        do {
            try self.connection.write(bytes)
        } catch {
            self.broken = .closed
        }
    }

    /// Reads `count` replies, waiting at most `timeoutMilliseconds` in all.
    /// Once a reply is missing, the rest are reported the same way.
    func readReplies(_ count: Int, timeoutMilliseconds: Int) -> [DiffReply] {
        var replies: [DiffReply] = []
        let deadline = Platform.monotonicMilliseconds() + Int64(timeoutMilliseconds)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while replies.count < count {
            if let broken = self.broken {
                replies.append(broken)
                continue
            }
            let pending = self.parser.unparsedBytes
            do {
                if try self.parser.next() != nil {
                    let used = pending.count - self.parser.unparsedBytes.count
                    replies.append(.bytes(Array(pending.prefix(used))))
                    continue
                }
            } catch {
                self.broken = .malformed(error.reason)
                continue
            }
            let left = deadline - Platform.monotonicMilliseconds()
            guard left > 0, Platform.waitUntilReady(self.connection.fd, milliseconds: Int32(left)) else {
                self.broken = .timeout
                continue
            }
            let received = (try? self.connection.read(into: &buffer)) ?? 0
            if received == 0 {
                self.broken = .closed
            } else {
                self.parser.append(buffer[0..<received])
            }
        }
        return replies
    }

    /// True if bytes arrived that no command asked for (waiting up to
    /// `milliseconds` for them): a server that replied twice to something.
    func hasUnaskedBytes(waitingMilliseconds milliseconds: Int32) -> Bool {
        guard self.broken == nil else { return false }
        if !self.parser.unparsedBytes.isEmpty { return true }
        return Platform.waitUntilReady(self.connection.fd, milliseconds: milliseconds)
    }
}

/// One command of a run, with both replies and the verdict.
public struct DiffStep: Sendable {
    /// What was sent.
    public var command: DiffCommand
    /// redis-server's reply.
    public var reference: DiffReply
    /// The reply of the server under test.
    public var tested: DiffReply
    /// True if the replies differ beyond what the comparison tolerates.
    public var diverges: Bool
}

/// Sends commands in lockstep to redis-server (the reference) and the
/// server under test, and compares every reply.
///
/// Commands go in batches: each batch is written whole to both servers
/// (pipelined) before either's replies are read, so that both see every
/// command at nearly the same moment (which bounds how far their clocks
/// drift apart, see `DiffCommandKind.timeQuery`).
public final class DiffSession {
    /// How long a batch's replies may take, in milliseconds.
    public static let replyTimeoutMilliseconds = 5_000
    /// How long the runner waits after a short TTL (at most 3 ms) before it
    /// sends anything else: Redis deletes a key once its time is strictly
    /// past, so 3 ms plus a clock tick would do; 10 ms leaves room.
    static let shortTTLWaitMilliseconds = 10
    /// How much longer a batch's replies may take for each blocking pop in
    /// it, beyond the pop's own timeout: servers check timeouts on a timer
    /// (Redis ten times a second, so a 10 ms BLPOP replies after up to
    /// 100 ms), and a loaded machine adds its own delays.
    static let blockingAllowanceMilliseconds = 1_000
    /// At most this many request bytes in one batch, so that neither side
    /// blocks writing while the other is not yet reading.
    static let batchByteLimit = 64 * 1024

    /// Where redis-server and the server under test listen.
    private let referencePort: Int, testedPort: Int
    /// The open connections, reference first.
    private var connections: (reference: DiffConnection, tested: DiffConnection)?

    /// A session with the two servers at 127.0.0.1.
    public init(referencePort: Int, testedPort: Int) {
        self.referencePort = referencePort
        self.testedPort = testedPort
    }

    /// Closes any open connections and opens new ones: every per-connection
    /// state (the protocol chosen by HELLO, the client name) starts afresh.
    /// The old ones are closed first: stage 3 serves one client at a time.
    public func reconnect() throws {
        self.connections?.reference.close()
        self.connections?.tested.close()
        self.connections = nil
        self.connections = (try DiffConnection(host: "127.0.0.1", port: self.referencePort),
                            try DiffConnection(host: "127.0.0.1", port: self.testedPort))
    }

    /// Closes the connections.
    public func close() {
        self.connections?.reference.close()
        self.connections?.tested.close()
        self.connections = nil
    }

    /// Runs `commands` on the open connections and returns every step, up
    /// to and including the batch of the first divergence when
    /// `stopAtFirstDivergence`. A server that answers more than it was asked
    /// counts as a divergence of the last command.
    public func run(_ commands: [DiffCommand], stopAtFirstDivergence: Bool = true) -> [DiffStep] {
        guard var (reference, tested) = self.connections else { return [] }
        var steps: [DiffStep] = []
        steps.reserveCapacity(commands.count)
        // Set while a key may be expired but not yet reclaimed: DBSIZE is
        // then not compared (until a FLUSHALL both answer +OK to).
        var expiredKeysMayLinger = false
        // The commands queued since MULTI (by the reference's +QUEUED): EXEC's
        // reply is compared element by element, each by its own command's
        // comparison (a CONFIG GET inside is unordered there too).
        var queued: [DiffCommand]?
        var start = 0
        while start < commands.count {
            // A batch: up to the next command that starts one, the byte
            // limit, or a short TTL (which must expire before anything else).
            var end = start
            var bytes: [UInt8] = []
            repeat {
                bytes += commands[end].requestBytes
                end += 1
            } while end < commands.count && !commands[end].startsBatch && !commands[end - 1].shortTTL
                && bytes.count < DiffSession.batchByteLimit
            reference.send(bytes)
            tested.send(bytes)
            let count = end - start
            // Blocking pops that find nothing wait out their timeouts, one after another.
            let timeout = DiffSession.replyTimeoutMilliseconds + commands[start..<end].reduce(0) {
                $0 + ($1.blocksMilliseconds > 0 ? $1.blocksMilliseconds + DiffSession.blockingAllowanceMilliseconds : 0)
            }
            let counts = commands[start..<end].map(\.replyCount)
            let referenceReplies = DiffSession.grouped(reference.readReplies(counts.reduce(0, +), timeoutMilliseconds: timeout), counts)
            let testedReplies = DiffSession.grouped(tested.readReplies(counts.reduce(0, +), timeoutMilliseconds: timeout), counts)
            var divergedInBatch = false
            for offset in 0..<count {
                let command = commands[start + offset]
                var diverges = !DiffSession.agree(command, referenceReplies[offset], testedReplies[offset],
                                                  expiredKeysMayLinger: expiredKeysMayLinger)
                if diverges, command.upperName == "EXEC", let queue = queued {
                    diverges = !DiffSession.agreeExec(queue, referenceReplies[offset], testedReplies[offset],
                                                      expiredKeysMayLinger: expiredKeysMayLinger)
                }
                queued = DiffSession.queue(after: command, reply: referenceReplies[offset], queued: queued)
                steps.append(DiffStep(command: command, reference: referenceReplies[offset], tested: testedReplies[offset], diverges: diverges))
                divergedInBatch = divergedInBatch || diverges
                if command.mayLeaveExpiredKey { expiredKeysMayLinger = true }
                if command.isFlushAll, referenceReplies[offset] == .bytes(Array("+OK\r\n".utf8)), !diverges {
                    expiredKeysMayLinger = false
                }
            }
            if divergedInBatch && stopAtFirstDivergence { return steps }
            // Both closed the connection alike (a protocol error both
            // report the same way): carry on with new connections, so that
            // the rest of the sequence is still compared, not just two
            // closed connections.
            if referenceReplies.last == .closed && testedReplies.last == .closed {
                guard (try? self.reconnect()) != nil, let reopened = self.connections else { return steps }
                (reference, tested) = reopened
            }
            if commands[end - 1].shortTTL { Platform.sleep(milliseconds: DiffSession.shortTTLWaitMilliseconds) }
            start = end
        }
        // Extra replies arrive after what was asked: look once, briefly.
        if !steps.isEmpty, tested.hasUnaskedBytes(waitingMilliseconds: 50), !reference.hasUnaskedBytes(waitingMilliseconds: 0) {
            steps[steps.count - 1].tested = .malformed("more replies than commands arrived after this one")
            steps[steps.count - 1].diverges = true
        }
        return steps
    }

    /// The transaction queue after `command` got `reply` from the reference.
    static func queue(after command: DiffCommand, reply: DiffReply, queued: [DiffCommand]?) -> [DiffCommand]? {
        switch (command.upperName, queued) {
        case ("MULTI", nil):
            return reply == .bytes(Array("+OK\r\n".utf8)) ? [] : nil
        case ("EXEC", _), ("DISCARD", _):
            return reply == .bytes(Array("-ERR EXEC without MULTI\r\n".utf8)) ? queued : nil
        case (_, let queue?):
            return reply == .bytes(Array("+QUEUED\r\n".utf8)) ? queue + [command] : queue
        default:
            return nil
        }
    }

    /// Whether two EXEC replies agree, each element compared as the reply
    /// of the command queued in its place.
    static func agreeExec(_ queue: [DiffCommand], _ reference: DiffReply, _ tested: DiffReply,
                          expiredKeysMayLinger: Bool) -> Bool {
        guard case .bytes(let expected) = reference, case .bytes(let actual) = tested,
              case .array(let a)? = DiffSession.value(expected), case .array(let b)? = DiffSession.value(actual),
              a.count == queue.count, b.count == queue.count
        else { return false }
        func bytes(_ value: RESPValue) -> DiffReply {
            var out: [UInt8] = []
            value.encode(into: &out, version: .resp3)
            return .bytes(out)
        }
        return queue.indices.allSatisfy { index in
            agree(queue[index], bytes(a[index]), bytes(b[index]), expiredKeysMayLinger: expiredKeysMayLinger)
        }
    }

    /// The one value in `bytes`, or nil.
    private static func value(_ bytes: [UInt8]) -> RESPValue? {
        var parser = ReplyParser()
        parser.append(bytes)
        return try? parser.next()
    }

    /// The replies of a batch as one per command: `counts[i]` values for
    /// command `i`, joined into one reply (or, if one of them is missing,
    /// the first missing one).
    static func grouped(_ replies: [DiffReply], _ counts: [Int]) -> [DiffReply] {
        var result: [DiffReply] = []
        var next = 0
        for count in counts {
            let values = replies[next..<(next + count)]
            next += count
            var joined: [UInt8] = []
            var missing: DiffReply?
            for value in values where missing == nil {
                if case .bytes(let bytes) = value { joined += bytes } else { missing = value }
            }
            result.append(missing ?? .bytes(joined))
        }
        return result
    }

    /// Whether `reference` and `tested` agree as answers to `command`.
    static func agree(_ command: DiffCommand, _ reference: DiffReply, _ tested: DiffReply, expiredKeysMayLinger: Bool) -> Bool {
        if reference == tested { return true }
        guard case .bytes(let expected) = reference, case .bytes(let actual) = tested else { return false }
        switch command.comparison {
        case .exact:
            return false
        case .time(let tolerance):
            guard let a = DiffSession.integer(expected), let b = DiffSession.integer(actual), a >= 0, b >= 0 else { return false }
            return abs(a - b) <= tolerance
        case .keyCount:
            return expiredKeysMayLinger && DiffSession.integer(expected) != nil && DiffSession.integer(actual) != nil
        case .hello:
            guard expected.first == actual.first, expected.first != UInt8(ascii: "-"),
                  let a = DiffSession.maskedHello(expected), let b = DiffSession.maskedHello(actual) else { return false }
            return a == b
        case .unorderedPairs:
            guard expected.first == actual.first, let a = DiffSession.pairs(expected), let b = DiffSession.pairs(actual) else { return false }
            return a.sorted { $0.lexicographicallyPrecedes($1) } == b.sorted { $0.lexicographicallyPrecedes($1) }
        case .unorderedElements:
            guard expected.first == actual.first, let a = DiffSession.elements(expected), let b = DiffSession.elements(actual) else { return false }
            return a.sorted { $0.lexicographicallyPrecedes($1) } == b.sorted { $0.lexicographicallyPrecedes($1) }
        }
    }

    /// The name-value pairs of a map or flat array reply, each as its two
    /// elements' bytes joined, or nil for any other reply.
    static func pairs(_ bytes: [UInt8]) -> [[UInt8]]? {
        var parser = ReplyParser()
        parser.append(bytes)
        guard let value = try? parser.next() else { return nil }
        switch value {
        case .map(let elements), .array(let elements):
            guard elements.count % 2 == 0 else { return nil }
            return stride(from: 0, to: elements.count, by: 2).map { index in
                var pair: [UInt8] = []
                elements[index].encode(into: &pair, version: .resp3)
                elements[index + 1].encode(into: &pair, version: .resp3)
                return pair
            }
        default:
            return nil
        }
    }

    /// The elements of an array reply, each as its bytes, or nil for any
    /// other reply.
    static func elements(_ bytes: [UInt8]) -> [[UInt8]]? {
        var parser = ReplyParser()
        parser.append(bytes)
        guard case .array(let elements)? = try? parser.next() else { return nil }
        return elements.map { $0.encoded(version: .resp3) }
    }

    /// The number in an integer reply (`:42\r\n`), or nil.
    static func integer(_ bytes: [UInt8]) -> Int? {
        guard bytes.first == UInt8(ascii: ":"), bytes.count >= 3 else { return nil }
        return Int(String(decoding: bytes.dropFirst().dropLast(2), as: UTF8.self))
    }

    /// A HELLO reply with the values of `id` and `version` replaced by a
    /// placeholder, or nil if it is not a map or array of pairs.
    static func maskedHello(_ bytes: [UInt8]) -> [RESPValue]? {
        var parser = ReplyParser()
        parser.append(bytes)
        guard let value = try? parser.next() else { return nil }
        var elements: [RESPValue]
        switch value {
        case .map(let pairs), .array(let pairs): elements = pairs
        default: return nil
        }
        var index = 0
        while index + 1 < elements.count {
            if elements[index] == .bulkString(Array("id".utf8)) || elements[index] == .bulkString(Array("version".utf8)) {
                elements[index + 1] = .simpleString(Array("(masked)".utf8))
            }
            index += 2
        }
        return elements
    }
}
