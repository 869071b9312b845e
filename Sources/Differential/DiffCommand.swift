import Common
import Harness

/// How the two replies to one command are compared.
///
/// Almost every reply must be byte-identical. The exceptions are replies
/// that depend on the clock or on the connection, which two correct servers
/// legitimately answer differently; each case says why it is tolerated.
public enum DiffComparison: Sendable, Equatable {
    /// Byte for byte.
    case exact
    /// TTL, PTTL (and EXPIRETIME-like commands): two non-negative integers
    /// may differ by `tolerance`, because the two servers set the TTL, and
    /// later read it, a few milliseconds apart. Negative answers (-1 no TTL,
    /// -2 no key) and errors are compared exactly.
    case time(tolerance: Int)
    /// DBSIZE: exact, unless a key may have expired without being reclaimed
    /// yet (see `DiffCommand.mayLeaveExpiredKey`): Redis counts such a key
    /// until its active expiry, which runs on its own clock, deletes it.
    case keyCount
    /// HELLO: errors exactly; a successful reply (a map) with the values of
    /// `id` (the connection number) and `version` masked, the two fields
    /// in which two correct servers differ.
    case hello
    /// CONFIG GET: the same name-value pairs in any order. Redis 7.0
    /// collects the matches in a dict whose hash is seeded at random when
    /// the server starts, so two runs of redis-server itself answer
    /// `CONFIG GET save appendonly` in different orders.
    case unorderedPairs
    /// PUBSUB CHANNELS: the same elements in any order. Redis lists the
    /// channels in the order of its channel dict, whose hash is seeded at
    /// random at start-up, as CONFIG GET's matches are.
    case unorderedElements
}

/// One command of a generated sequence, with what the runner needs to send
/// it and to judge its replies.
public struct DiffCommand: Sendable, Equatable {
    /// The command name and its arguments, as sent.
    public var arguments: [[UInt8]]
    /// Sent as an inline command (`PING\r\n`) rather than a RESP array.
    public var inline: Bool
    /// How its replies are compared.
    public var comparison: DiffComparison
    /// Starts a new pipelined batch: everything before it is answered first.
    /// Drawn when the sequence is generated, so that a shrunk sequence is
    /// pipelined the way the failing run was.
    public var startsBatch: Bool
    /// Gives a key a TTL of a few milliseconds. The runner ends the batch
    /// after it and waits `DiffSession.shortTTLWait` before sending more, so
    /// that the key has expired on both servers, whatever their speed,
    /// before anything looks at it: its fate is then the same on both.
    public var shortTTL: Bool
    /// May leave a key that is expired but still counted by DBSIZE (a short
    /// TTL, or SET with EXAT/PXAT in the past, which Redis 7.0 stores and
    /// lets active expiry reclaim). DBSIZE is not compared after it, until
    /// the next FLUSHALL.
    public var mayLeaveExpiredKey: Bool
    /// A blocking pop's timeout, in milliseconds (0 for every other
    /// command): how long it may wait, with no other client to push, before
    /// it replies nil. The runner allows its batch that much longer, and
    /// more (see `DiffSession.blockingAllowanceMilliseconds`).
    public var blocksMilliseconds: Int
    /// How many RESP values the command is answered with: 1, except for
    /// SUBSCRIBE and its kin, which answer each name with a value of its own
    /// (outside MULTI). The runner reads that many, and compares them
    /// joined as one reply.
    public var replyCount: Int

    /// A command compared exactly, in a batch with what comes before it.
    public init(_ arguments: [[UInt8]], inline: Bool = false, comparison: DiffComparison = .exact,
                startsBatch: Bool = false, shortTTL: Bool = false, mayLeaveExpiredKey: Bool = false,
                blocksMilliseconds: Int = 0, replyCount: Int = 1) {
        self.arguments = arguments
        self.blocksMilliseconds = blocksMilliseconds
        self.replyCount = replyCount
        self.inline = inline
        self.comparison = comparison
        self.startsBatch = startsBatch
        self.shortTTL = shortTTL
        self.mayLeaveExpiredKey = mayLeaveExpiredKey || shortTTL
    }

    /// The command name, uppercased, for decisions that depend on it.
    var upperName: String {
        String(decoding: (self.arguments.first ?? []).map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 }, as: UTF8.self)
    }

    /// True for FLUSHALL (any letter case), which clears every key.
    var isFlushAll: Bool { self.upperName == "FLUSHALL" && self.arguments.count == 1 }

    /// The bytes on the wire: a RESP array of bulk strings, or an inline line
    /// whose arguments are quoted the way redis-cli (and Redis's inline
    /// parser, `sdssplitargs`) understands them.
    public var requestBytes: [UInt8] {
        if self.inline {
            return Array(self.arguments.map { DiffCommand.inlineWord($0) }.joined(separator: " ").utf8) + [13, 10]
        }
        var bytes = Array("*\(self.arguments.count)\r\n".utf8)
        for argument in self.arguments {
            bytes += Array("$\(argument.count)\r\n".utf8)
            bytes += argument
            bytes += [13, 10]
        }
        return bytes
    }

    /// The command as a redis-cli line: plain words as they are, others in
    /// double quotes with `\xHH` escapes; a long argument is shortened
    /// (`"xxxx"... (20000 bytes)`), since a report is read, not pasted whole.
    public var displayLine: String {
        let words = self.arguments.map { argument -> String in
            guard argument.count > 64 else { return DiffCommand.inlineWord(argument) }
            return ReplyFormatter.quoted(Array(argument.prefix(24))) + "...(\(argument.count) bytes)"
        }
        return words.joined(separator: " ") + (self.inline ? "    (sent inline)" : "")
    }

    /// One argument as redis-cli (and Redis's inline parser) reads it.
    static func inlineWord(_ argument: [UInt8]) -> String {
        let plain = !argument.isEmpty && argument.allSatisfy {
            $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "'") && $0 != UInt8(ascii: "\\")
        }
        return plain ? String(decoding: argument, as: UTF8.self) : ReplyFormatter.quoted(argument)
    }
}

/// A seedable random number generator: the same seed gives the same
/// command sequence on every machine and every run, which `--seed` relies
/// on to replay a run. Common's SplitMix64 underneath, with the picks the
/// grammar needs.
public struct DiffRandom: RandomNumberGenerator, Sendable {
    /// The generator.
    private var source: SplitMix64

    /// A generator that starts from `seed`.
    public init(seed: UInt64) {
        self.source = SplitMix64(seed: seed)
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        self.source.next()
    }

    /// A number in `0..<bound`.
    public mutating func below(_ bound: Int) -> Int {
        Int(self.next() % UInt64(bound))
    }

    /// True `percent` times in a hundred.
    public mutating func chance(_ percent: Int) -> Bool {
        self.below(100) < percent
    }

    /// One element of `choices`.
    public mutating func pick<Element>(_ choices: [Element]) -> Element {
        choices[self.below(choices.count)]
    }
}
