/// What one stage adds to the differential fuzzer's grammar.
///
/// A stage's grammar is the union of the entries of every stage up to it,
/// so a new stage adds one entry to `DiffGrammar.table` naming only what
/// it brings: new commands, new SET options, new CONFIG parameters.
public struct DiffStageGrammar: Sendable {
    /// The stage number.
    public var stage: Int
    /// The commands the stage adds.
    public var commands: [DiffCommandKind]
    /// The SET options it adds (SET itself comes from `commands`).
    public var setOptions: [DiffSetOption]
    /// The CONFIG GET parameters it adds: names the server knows, and that
    /// no other parameter of Redis matches as a prefix pattern.
    public var configParameters: [String]
    /// From this stage on, the grammar sends what a hostile learner would:
    /// wrong arities, unknown commands and options, broken integers, inline
    /// commands. Stage 2 answers PING alone and has no error replies yet.
    public var hostileInput: Bool

    /// An entry; everything not named is added by another stage.
    public init(stage: Int, commands: [DiffCommandKind] = [], setOptions: [DiffSetOption] = [],
                configParameters: [String] = [], hostileInput: Bool = false) {
        self.stage = stage
        self.commands = commands
        self.setOptions = setOptions
        self.configParameters = configParameters
        self.hostileInput = hostileInput
    }
}

/// The options of SET the grammar may draw.
public enum DiffSetOption: String, Sendable, CaseIterable {
    case nx = "NX", xx = "XX", get = "GET"
    case ex = "EX", px = "PX", exat = "EXAT", pxat = "PXAT", keepTTL = "KEEPTTL"
}

/// Seconds or milliseconds: the unit of a command's time argument or reply.
public enum DiffTimeUnit: Sendable {
    case seconds, milliseconds
}

/// The grammar of every stage: which commands stage N implements.
public enum DiffGrammar {
    /// One entry per stage, naming what it adds. Stage 1 has no commands:
    /// it only accepts connections, so it has no entry.
    public static let table: [DiffStageGrammar] = [
        DiffStageGrammar(stage: 2, commands: [.ping]),
        DiffStageGrammar(stage: 3, commands: [.echo, .unknownCommand], hostileInput: true),
        // Stage 4 serves many clients at once; its commands are stage 3's.
        DiffStageGrammar(stage: 4),
        DiffStageGrammar(
            stage: 5,
            commands: [.set, .get, .del, .exists, .dbsize, .flushall, .type, .configGet, .hello],
            setOptions: [.nx, .xx, .get],
            configParameters: ["save", "appendonly", "maxclients"]),
        DiffStageGrammar(
            stage: 6,
            commands: [
                .expire("EXPIRE", unit: .seconds), .expire("PEXPIRE", unit: .milliseconds),
                .expire("EXPIREAT", unit: .seconds, absolute: true),
                .expire("PEXPIREAT", unit: .milliseconds, absolute: true),
                .persist, .timeQuery("TTL", unit: .seconds), .timeQuery("PTTL", unit: .milliseconds),
                .timeQuery("EXPIRETIME", unit: .seconds), .timeQuery("PEXPIRETIME", unit: .milliseconds),
            ],
            setOptions: [.ex, .px, .exat, .pxat, .keepTTL]),
        // Lists, on the same keys as the strings (so WRONGTYPE both ways),
        // and the blocking pops, rarely, with a 10 ms timeout: see
        // `DiffCommandKind.blockingPop`.
        DiffStageGrammar(
            stage: 7,
            commands: [
                .push("LPUSH", weight: 6), .push("RPUSH", weight: 6), .push("LPUSHX", weight: 2), .push("RPUSHX", weight: 2),
                .pop("LPOP"), .pop("RPOP"), .llen, .lrange, .lindex, .lset, .linsert, .lrem, .ltrim, .lpos,
                .lmove, .rpoplpush, .lmpop,
                .blockingPop,
            ]),
        // The rest of the string family, mostly on two counter keys that
        // hold numbers (`counterKey`), and on the shared keys, which hold
        // strings that are no numbers and lists (so WRONGTYPE, and MGET's
        // nulls).
        DiffStageGrammar(
            stage: 8,
            commands: [
                .incrDecr("INCR"), .incrDecr("DECR"), .incrBy("INCRBY"), .incrBy("DECRBY"), .incrByFloat,
                .append, .strlen, .getrange, .setrange,
                .mget, .mset("MSET"), .mset("MSETNX"),
                .getset, .getdel, .getex, .setnx, .setex("SETEX", unit: .seconds), .setex("PSETEX", unit: .milliseconds),
                .transaction("MULTI", weight: 3), .transaction("EXEC", weight: 3), .transaction("DISCARD", weight: 1),
                .watch, .unwatch,
            ]),
        // Pub/sub on the one connection: SUBSCRIBE and the rest change what
        // every other command answers (RESP2's subscribed mode refuses
        // them), PING included; PUBLISH goes only where nobody listens, so
        // that no message lands between two replies. See the pub/sub part
        // of `DiffGenerator` for what the generator must know to keep the
        // replies deterministic.
        DiffStageGrammar(
            stage: 9,
            commands: [
                .subscribe("SUBSCRIBE", weight: 2), .subscribe("PSUBSCRIBE", weight: 1),
                .unsubscribe("UNSUBSCRIBE", weight: 3), .unsubscribe("PUNSUBSCRIBE", weight: 2),
                .publish, .pubsub,
            ]),
    ]

    /// The first stage that has commands.
    public static var firstStage: Int { table.map(\.stage).min()! }

    /// The entries of stages 1 through `stage`, or nil when none has commands.
    public static func entries(throughStage stage: Int) -> [DiffStageGrammar]? {
        let entries = table.filter { $0.stage <= stage }
        return entries.contains { !$0.commands.isEmpty } ? entries : nil
    }
}

/// Whether a connection is inside MULTI, as the generator can tell from
/// the commands it drew.
public enum DiffTransactionState: Sendable {
    /// Surely not: commands run as they come.
    case outside
    /// Surely: commands are queued (`+QUEUED`).
    case inside
    /// Either (a MULTI that subscribed mode may have refused).
    case unknown
}

/// Draws random commands from the grammar of one stage.
///
/// Everything it draws depends only on the seed, never on replies, so a
/// seed replays the same sequence; and the time values it draws keep every
/// reply independent of how fast each server is (see `relativeTime`).
public struct DiffGenerator {
    /// The source of every choice.
    var random: DiffRandom
    /// The commands to draw from, each with its weight.
    let commands: [DiffCommandKind]
    /// The sum of the commands' weights.
    let totalWeight: Int
    /// SET's options at this stage.
    let setOptions: [DiffSetOption]
    /// CONFIG GET's parameters at this stage.
    let configParameters: [String]
    /// Whether ill-formed input is drawn (stage 3 on).
    let hostile: Bool
    /// Numbers every long relative TTL, so that a TTL drawn later is always
    /// the longer of two in the same range (see `relativeTime`).
    private var ttlCounter = 0
    /// Commands left in the current pipelined batch.
    private var batchRemaining = 0
    /// Whether a command queued since MULTI may give a key a short TTL
    /// (see `carryShortTTL`).
    private var queuedShortTTL = false
    /// The key a list command last wrote to (see `blockingKey`).
    private var recentListKey = Array("k1".utf8)
    /// Whether the connection is inside MULTI (see `track`).
    private(set) var transactionState = DiffTransactionState.outside
    /// Every channel, and every pattern, that the connection may be
    /// subscribed to: an upper bound, since a SUBSCRIBE queued in MULTI may
    /// never run.
    private(set) var possibleChannels: Set<[UInt8]> = []
    private(set) var possiblePatterns: Set<[UInt8]> = []
    /// True only while the connection surely speaks RESP3 (HELLO 3 ran),
    /// where subscribed mode refuses nothing.
    private var surelyRESP3 = false

    /// A generator for stage `stage`, or nil if that stage has no commands.
    public init?(stage: Int, seed: UInt64) {
        guard let entries = DiffGrammar.entries(throughStage: stage) else { return nil }
        self.random = DiffRandom(seed: seed)
        self.commands = entries.flatMap(\.commands)
        self.totalWeight = self.commands.reduce(0) { $0 + $1.weight }
        self.setOptions = entries.flatMap(\.setOptions)
        self.configParameters = entries.flatMap(\.configParameters)
        self.hostile = entries.contains(where: \.hostileInput)
    }

    /// The names of the commands drawn, for the report.
    public var commandNames: [String] { self.commands.map(\.name) }

    /// The next command of the sequence.
    public mutating func next() -> DiffCommand {
        var kind = self.drawKind()
        while (kind.avoidWhileSubscribed && self.maybeSubscribedInRESP2)
            || (kind.avoidInsideTransaction && self.transactionState != .outside) {
            kind = self.drawKind()
        }
        var command = kind.draw(&self)
        self.carryShortTTL(into: &command)
        self.track(command)
        // Command names in any letter case: Redis ignores it.
        if self.random.chance(25) { command.arguments[0] = self.mixedCase(command.arguments[0]) }
        // Some commands inline (stage 3 parses both forms), when short.
        if self.hostile && self.random.chance(8) && command.arguments.reduce(0, { $0 + $1.count }) < 4_000 {
            command.inline = true
        }
        // Batches: 40% of them a single command (one at a time), the rest
        // pipelined, 2 to 40 commands in one write.
        if self.batchRemaining == 0 {
            self.batchRemaining = self.random.chance(40) ? 1 : 2 + self.random.below(39)
            command.startsBatch = true
        }
        self.batchRemaining -= 1
        return command
    }

    /// A command kind, drawn by weight.
    private mutating func drawKind() -> DiffCommandKind {
        var roll = self.random.below(self.totalWeight)
        for candidate in self.commands {
            if roll < candidate.weight { return candidate }
            roll -= candidate.weight
        }
        return self.commands[0]
    }

    // MARK: - Connection state (stages 8 and 9)

    /// Follows what `command` does to the connection's state that the
    /// grammar depends on: MULTI, and the protocol. Nothing here reads a
    /// reply: it follows from the commands alone, and is exact for
    /// `.outside` and `.inside` (EXEC, even refused, always ends MULTI;
    /// MULTI always begins it, unless refused in subscribed mode, which
    /// leaves it unknown).
    private mutating func track(_ command: DiffCommand) {
        let name = command.upperName
        if name == "HELLO" {
            // Only a HELLO 3 that surely runs surely switches; any other
            // HELLO may switch back, or may be queued.
            let runsNow = self.transactionState == .outside && !self.maybeSubscribedInRESP2
            self.surelyRESP3 = runsNow && command.arguments.count == 2 && command.arguments[1] == Array("3".utf8)
        }
        switch name {
        case "MULTI" where command.arguments.count == 1:
            if self.transactionState != .inside {
                self.transactionState = self.maybeSubscribedInRESP2 ? .unknown : .inside
            }
        case "EXEC":
            self.transactionState = .outside
        case "DISCARD" where command.arguments.count == 1:
            self.transactionState = .outside
        default:
            break
        }
    }

    /// A short TTL queued in MULTI starts at EXEC, not when it is queued:
    /// the runner's wait after the queued command is then too early, and
    /// the next batch could find the key alive on the faster server and
    /// gone on the slower. So EXEC carries the short TTL of anything it may
    /// run, and the runner waits after EXEC too. (Seen in CI: `PEXPIRE k 1`
    /// queued, EXEC, then `EXPIRE k 782150 GT` answered 1 by redis-server,
    /// whose key still lived, and 0 by ours.)
    private mutating func carryShortTTL(into command: inout DiffCommand) {
        switch command.upperName {
        case "EXEC":
            // EXEC always ends MULTI (see `track`), even when refused.
            if self.queuedShortTTL {
                command.shortTTL = true
                command.mayLeaveExpiredKey = true
            }
            self.queuedShortTTL = false
        case "DISCARD" where command.arguments.count == 1:
            self.queuedShortTTL = false
        default:
            if command.shortTTL && self.transactionState != .outside { self.queuedShortTTL = true }
        }
    }

    /// Whether an unknown subcommand or a subcommand's wrong arity (`CONFIG
    /// FOO`, `PUBSUB NUMPAT x`) may be drawn: only while commands surely
    /// run at once. Redis finds the subcommand, and refuses it, before it
    /// queues a command in MULTI; our stages queue it, and fail at EXEC. A
    /// known divergence, reported (see `DiffCommandKind.avoidWhileSubscribed`).
    var mayRefuseSubcommands: Bool { self.transactionState == .outside }

    /// True unless the connection is surely not in RESP2's subscribed mode.
    var maybeSubscribedInRESP2: Bool {
        !self.surelyRESP3 && !(self.possibleChannels.isEmpty && self.possiblePatterns.isEmpty)
    }

    // MARK: - Pub/sub arguments (stage 9)

    /// The channels SUBSCRIBE draws from: short names, a NUL byte, UTF-8,
    /// and the empty name (all of them channels Redis accepts).
    static let channelPool = ["ch1", "ch2", "news.it", "k1", "", "b\u{0}in", "\u{e9}t\u{e9}"]
    /// The patterns PSUBSCRIBE draws from. None matches a silent channel.
    static let patternPool = ["ch*", "news.*", "n?ws.it", "[a-c]h[12]", "*.it", "h\\*llo", "[^a]*1"]
    /// The channels PUBLISH sends to: no channel or pattern of the pools
    /// matches them, so nothing is ever delivered.
    static let silentChannels = ["quiet", "silent", "nobody.here"]
    /// The patterns of PUBSUB CHANNELS, for the glob matcher: classes,
    /// ranges, negation, escapes, and patterns left open.
    static let channelsPatterns = [
        "*", "ch*", "*.it", "c?1", "*[12]", "[^c]*", "[!c]*", "[a-c]h?", "ch[", "[", "\\", "news\\.it", "*\u{e9}*", "nomatch", "",
    ]

    /// Whether SUBSCRIBE and its kin answer each name with a value of its
    /// own (they run now); inside MULTI they are answered `+QUEUED`.
    var repliesPerName: Bool { self.transactionState == .outside }

    /// How many names a SUBSCRIBE or UNSUBSCRIBE gets: up to three when it
    /// runs now, else one. Queued, each name's reply still comes out of
    /// EXEC as a value of its own (Redis 7.0 declares EXEC's array with one
    /// element per command, then writes `SUBSCRIBE a b`'s two replies), and
    /// whether EXEC runs the queue at all depends on WATCH: the number of
    /// values would be unknown.
    mutating func subscriptionNameCount() -> Int {
        self.transactionState == .outside ? self.random.pick([1, 1, 1, 2, 3]) : 1
    }

    /// A channel or (`patterns`) a pattern from the pools.
    mutating func subscriptionName(patterns: Bool) -> [UInt8] {
        Array(self.random.pick(patterns ? DiffGenerator.patternPool : DiffGenerator.channelPool).utf8)
    }

    /// Notes that the connection may from now on be subscribed to `names`.
    mutating func mayBeSubscribed(to names: [[UInt8]], patterns: Bool) {
        if patterns { self.possiblePatterns.formUnion(names) } else { self.possibleChannels.formUnion(names) }
    }

    /// Notes an UNSUBSCRIBE (all when `names` is empty); only one that runs
    /// now surely removes anything, a queued one may never run.
    mutating func unsubscribed(from names: [[UInt8]], patterns: Bool) {
        guard self.transactionState == .outside else { return }
        if patterns {
            if names.isEmpty { self.possiblePatterns = [] } else { self.possiblePatterns.subtract(names) }
        } else {
            if names.isEmpty { self.possibleChannels = [] } else { self.possibleChannels.subtract(names) }
        }
    }

    // MARK: - Arguments

    /// A key: mostly from a small pool, so that commands meet on the same
    /// keys; sometimes the empty key, a binary key, a long one, or a pool
    /// key in another letter case (keys are case-sensitive).
    mutating func key() -> [UInt8] {
        let roll = self.random.below(100)
        switch roll {
        case 0..<88: return Array(self.random.pick(["k1", "k2", "k3", "k4", "key:{1}"]).utf8)
        case 88..<91: return []
        case 91..<94: return [0, 0xFF, UInt8(ascii: "k"), 13, 10]
        case 94..<97: return Array("K1".utf8)
        case 97..<99: return Array("a key".utf8)
        default: return [UInt8](repeating: UInt8(ascii: "k"), count: 1_000)
        }
    }

    /// A value: short text, numbers, binary, the empty string, or long.
    mutating func value() -> [UInt8] {
        let roll = self.random.below(100)
        switch roll {
        case 0..<60: return Array(self.random.pick(["v1", "v2", "hello world", "0", "-1", "3.14", "OK"]).utf8)
        case 60..<70: return []
        case 70..<80: return [0, 13, 10, 0xFF, UInt8(ascii: "\""), UInt8(ascii: "\\")]
        case 80..<88: return Array("\u{e9}t\u{e9} \u{1F600}".utf8)
        case 88..<97: return Array(self.random.pick(["+OK", "-ERR", ":1", "$3", "*1", "PING"]).utf8)
        default: return [UInt8](repeating: self.random.pick(Array("xyz".utf8)), count: self.random.pick([200, 4_096, 20_000]))
        }
    }

    /// `word` with each letter randomly upper or lower case.
    mutating func mixedCase(_ word: [UInt8]) -> [UInt8] {
        word.map { byte in
            let isLetter = (65...90).contains(byte) || (97...122).contains(byte)
            guard isLetter else { return byte }
            return self.random.chance(50) ? byte & ~0x20 : byte | 0x20
        }
    }

    /// `name` as bytes, sometimes in mixed case (for options, whose case
    /// Redis also ignores).
    mutating func word(_ name: String) -> [UInt8] {
        self.random.chance(20) ? self.mixedCase(Array(name.utf8)) : Array(name.utf8)
    }

    /// With hostile input, sometimes drops the last argument or adds one,
    /// for Redis's arity errors.
    mutating func wrongArity(_ arguments: [[UInt8]]) -> [[UInt8]] {
        guard self.hostile, self.random.chance(6) else { return arguments }
        if arguments.count > 1 && self.random.chance(50) { return Array(arguments.dropLast()) }
        return arguments + [self.value()]
    }

    /// Integers that are not integers, or beyond 64 bits: Redis rejects them
    /// all (`value is not an integer or out of range`).
    static let brokenIntegers = [
        "abc", "", "1.5", "0x10", "1e3", "-", "+", " ", "9223372036854775808",
        "-9223372036854775809", "18446744073709551616", "99999999999999999999",
    ]

    /// A relative time (SET EX/PX, EXPIRE, PEXPIRE), and whether it is a
    /// short TTL (a few milliseconds).
    ///
    /// Why the outcome never depends on timing:
    /// - Long TTLs are at least an hour: nothing expires during a run. They
    ///   are `3600 * (1 + 24 * b) + k` seconds, with `b` in 0..<30 and `k` a
    ///   counter that grows with every long TTL drawn. Two of them are
    ///   either in the same range, where the later-drawn one is longer by at
    ///   least a second and so also expires later, or in ranges a day apart,
    ///   far more than a run lasts: the answer of GT and LT never depends on
    ///   how many milliseconds passed between the two commands. (Equal TTLs
    ///   would: `EX 3600` then `EXPIRE k 3600 GT` succeeds only if a
    ///   millisecond passed in between.) In milliseconds they are that times
    ///   1000 plus `k % 1000`, which keeps the order.
    /// - Short TTLs (1 to 3 ms) end their batch, and the runner waits until
    ///   they have expired on both servers before sending anything else.
    /// - Zero, negative and broken values are answered at once (an error, or
    ///   the key deleted), the same at any time.
    /// - Huge valid values (`1e11` seconds) are fixed, so two of them could be
    ///   equal: they are left out when `comparing` (GT or LT is present).
    mutating func relativeTime(_ unit: DiffTimeUnit, comparing: Bool) -> (bytes: [UInt8], short: Bool) {
        let roll = self.random.below(100)
        if roll < 70 || (!self.hostile && roll < 93) {
            return (Array(self.longTTL(unit).utf8), false)
        }
        if roll < 78 {
            // A long TTL written the way no integer parser should accept.
            let number = self.longTTL(unit)
            let form = self.random.pick(["+\(number)", " \(number)", "\(number) ", "0\(number)", "\(number).0", "\(number)abc"])
            return (Array(form.utf8), false)
        }
        if roll < 86 { return (Array(self.random.pick(DiffGenerator.brokenIntegers).utf8), false) }
        if roll < 93 {
            var limits = ["0", "-1", "-100", "9223372036854775807", "-9223372036854775808"]
            if !comparing { limits += ["100000000000", "9223372036854775"] }
            return (Array(self.random.pick(limits).utf8), false)
        }
        guard unit == .milliseconds else { return (Array(self.longTTL(unit).utf8), false) }
        return (Array(String(1 + self.random.below(3)).utf8), true)
    }

    /// A long relative TTL, as explained at `relativeTime`.
    private mutating func longTTL(_ unit: DiffTimeUnit) -> String {
        let counter = self.ttlCounter % 80_000
        self.ttlCounter += 1
        let seconds = 3_600 * (1 + 24 * self.random.below(30)) + counter
        return unit == .seconds ? String(seconds) : String(seconds * 1_000 + counter % 1_000)
    }

    /// An absolute Unix time (SET EXAT/PXAT, EXPIREAT), and whether it is in
    /// the past. Future times are after 2100, past ones before 2021: both
    /// far from now, so the answer never depends on the clock.
    mutating func absoluteTime(_ unit: DiffTimeUnit) -> (bytes: [UInt8], past: Bool) {
        let scale = unit == .seconds ? 1 : 1_000
        let roll = self.random.below(100)
        if roll < 60 || (!self.hostile && roll < 85) {
            let seconds = 4_102_444_800 + self.random.pick([0, 1, 3_600, 31_536_000])
            let extra = unit == .seconds ? 0 : self.random.pick([0, 1, 999])
            return (Array(String(seconds * scale + extra).utf8), false)
        }
        if roll < 85 { return (Array(String(self.random.pick([1, 1_000_000_000, 1_600_000_000]) * scale).utf8), true) }
        if roll < 93 { return (Array(self.random.pick(DiffGenerator.brokenIntegers).utf8), false) }
        return (Array(self.random.pick(["0", "-1", "9223372036854775807", "-9223372036854775808"]).utf8), false)
    }

    // MARK: - String arguments (stage 8)

    /// A key for the string family: half the time one of two counter keys,
    /// `n1` and `n2`, which mostly hold numbers (only these commands and
    /// the shared keys' commands write them); else a shared key, which
    /// may hold anything, a list included.
    mutating func counterKey() -> [UInt8] {
        self.random.chance(50) ? Array(self.random.pick(["n1", "n2"]).utf8) : self.key()
    }

    /// A value for MSET, GETSET, SETNX and SETEX: often a number (so that
    /// the counters meet them), else any value.
    mutating func counterValue() -> [UInt8] {
        guard self.random.chance(50) else { return self.value() }
        return Array(self.random.pick(["0", "1", "-5", "41", "9223372036854775807", "-9223372036854775808", "1.5", "10.5", "3.0e3", "0x10"]).utf8)
    }

    /// INCRBY's and DECRBY's amount: mostly small, sometimes at the 64-bit
    /// limits, sometimes (hostile input) not an integer.
    mutating func counterAmount() -> [UInt8] {
        if self.hostile && self.random.chance(10) { return Array(self.random.pick(DiffGenerator.brokenIntegers).utf8) }
        return Array(self.random.pick([
            "1", "2", "5", "-1", "-3", "100", "0", "9223372036854775807", "-9223372036854775808", "4611686018427387904",
        ]).utf8)
    }

    /// INCRBYFLOAT's increment: what people write (0.1, 1.5, 3.0e3), what
    /// C's strtold also reads (hex, `.5`, `5.`, `+1`, `inf`), what shows the
    /// long double's width (1e20, 1e308, 1e4932) and its rounding (17
    /// decimals, a tie), and what is no float at all.
    mutating func floatAmount() -> [UInt8] {
        let roll = self.random.below(100)
        if roll < 60 || !self.hostile {
            return Array(self.random.pick([
                "0.1", "0.2", "1.5", "-2.5", "10.5", "3.0e3", "5.0e3", "-0.1", "1", "-1", "0", "100", "0.000003814697265625",
                "1.23456789012345678", "1e-17", "-5e-18", "0.3333333333333333333",
            ]).utf8)
        }
        if roll < 85 {
            return Array(self.random.pick([
                "1e20", "1e308", "-1e308", "1e4932", "-1e4932", "1e-4940", "0x10", "0x1p-3", ".5", "5.", "+1", "-0", "1E3",
                "inf", "-Infinity", "123456789012345678901234567890",
            ]).utf8)
        }
        return Array(self.random.pick(["abc", "", " 1", "1 ", "1e", "nan", "1e5000", "1e-5000", "0x", "1.5.5", "1,5", "--1"]).utf8)
    }

    // MARK: - List arguments (stage 7)

    /// A key for a list command: `key()`, from the same pool as the string
    /// commands' keys (so that GET meets lists and LPUSH meets strings, for
    /// WRONGTYPE). When the command writes a list there (`written`), the key
    /// is remembered for the blocking pops (`blockingKey`).
    mutating func listKey(written: Bool = false) -> [UInt8] {
        let key = self.random.chance(60) ? Array(self.random.pick(["l1", "l2"]).utf8) : self.key()
        if written { self.recentListKey = key }
        return key
    }

    /// A key for a blocking pop: mostly the key a list command last wrote,
    /// which likely still holds elements, so that most blocking pops are
    /// answered at once instead of waiting out their timeout. (Whether it
    /// does changes only how long the reply takes: nothing here reads the
    /// replies, so a seed still draws the same sequence.)
    mutating func blockingKey() -> [UInt8] {
        self.random.chance(85) ? self.recentListKey : self.listKey()
    }

    /// How long a blocking pop drawn here may block: its timeout, 0.01 s.
    static let blockingTimeoutMilliseconds = 10

    /// The timeout of a blocking pop: 10 ms, written in a few ways, or (with
    /// hostile input) one Redis refuses at once. Never 0 (block forever),
    /// nothing that rounds down to 0 ms, nothing longer than 10 ms.
    mutating func blockingTimeout() -> [UInt8] {
        let roll = self.random.below(100)
        if roll < 80 || !self.hostile { return Array("0.01".utf8) }
        if roll < 90 { return Array(self.random.pick(["1e-2", ".01", "0.010"]).utf8) }
        return Array(self.random.pick(["abc", "", "-1", "-0.5", "0.01x", "1.5.5"]).utf8)
    }

    /// A list element: mostly one of a few short words, so that LREM, LPOS
    /// and LINSERT's pivot find what was pushed; otherwise any value.
    mutating func element() -> [UInt8] {
        self.random.chance(60) ? Array(self.random.pick(["a", "b", "c", "a", "v1"]).utf8) : self.value()
    }

    /// A list index (LRANGE, LINDEX, LSET, LTRIM): mostly -4 to 4, so that
    /// indexes fall inside and outside short lists from either end; then far
    /// out of range and at the 64-bit limits; then not an integer.
    mutating func listIndex() -> [UInt8] {
        let roll = self.random.below(100)
        if roll < 80 || (!self.hostile && roll < 95) { return Array(String(self.random.below(9) - 4).utf8) }
        if roll < 92 {
            return Array(self.random.pick(["10", "-10", "100", "-100", "9223372036854775807", "-9223372036854775808"]).utf8)
        }
        guard self.hostile else { return Array("0".utf8) }
        return Array(self.random.pick(DiffGenerator.brokenIntegers).utf8)
    }

    /// A pop count (LPOP, RPOP, LMPOP's and BLMPOP's COUNT): zero, negative,
    /// small, more than a list holds, the 64-bit limit, or not an integer.
    mutating func listCount() -> [UInt8] {
        if self.hostile && self.random.chance(10) { return Array(self.random.pick(DiffGenerator.brokenIntegers).utf8) }
        return Array(self.random.pick(["0", "1", "1", "2", "3", "5", "100", "-1", "9223372036854775807"]).utf8)
    }

    /// LEFT or RIGHT (in any letter case), or, with hostile input, neither.
    mutating func direction() -> [UInt8] {
        if self.hostile && self.random.chance(4) { return self.word(self.random.pick(["UP", "", "LEFTX", "L"])) }
        return self.word(self.random.pick(["LEFT", "RIGHT"]))
    }

    /// What LMPOP and BLMPOP take after the command (and BLMPOP's timeout):
    /// `numkeys key [key ...] LEFT|RIGHT [COUNT count]`, with a numkeys that
    /// is sometimes wrong (zero, negative, one too many, not a number), and
    /// COUNT sometimes without its argument or twice.
    mutating func multiPopArguments(blocking: Bool) -> [[UInt8]] {
        let count = self.random.pick([1, 1, 1, 2, 3])
        let keys = (0..<count).map { _ in blocking ? self.blockingKey() : self.listKey() }
        var numberOfKeys = String(count)
        if self.hostile && self.random.chance(8) {
            numberOfKeys = self.random.pick(["0", "-1", String(count + 1), "abc", "9223372036854775807"])
        }
        var arguments = [Array(numberOfKeys.utf8)] + keys + [self.direction()]
        if self.random.chance(40) {
            arguments.append(self.word("COUNT"))
            if !(self.hostile && self.random.chance(5)) { arguments.append(self.listCount()) }
            if self.hostile && self.random.chance(4) { arguments += [self.word("COUNT"), Array("2".utf8)] }
        }
        return arguments
    }
}
