@testable import Common
import Testing

/// Arguments from words.
private func args(_ words: String...) -> [[UInt8]] { words.map { Array($0.utf8) } }
/// Bytes from text.
private func b(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A store on a manual clock, and helpers to run commands against it. Time
/// moves only when a test says so: no test here sleeps.
private struct Harness {
    let clock = ManualTimeSource()
    let store: Store

    init() { self.store = Store(clock: self.clock) }

    /// Runs one command the way stage 6 dispatches it.
    func run(_ words: String...) -> RESPValue {
        self.run(words)
    }

    /// Runs one command given as a list of words, through stage 6's table.
    func run(_ words: [String]) -> RESPValue {
        guard let reply = CommandTable.stage6.reply(to: words.map { Array($0.utf8) }, store: self.store) else {
            Issue.record("\(words) did not give one reply")
            return .nullBulkString
        }
        return reply
    }
}

@Suite("Store and expiry, on a manual clock")
struct StoreTests {
    @Test("a key lives until its time, and is gone one millisecond after")
    func boundary() {
        let h = Harness()
        #expect(h.run("SET", "k", "v", "PX", "100") == .ok)
        h.clock.advance(by: 100)
        // Redis: a key expires when now > when, so at exactly its time it is alive.
        #expect(h.run("GET", "k") == .bulkString(b("v")))
        #expect(h.run("PTTL", "k") == .integer(0))
        h.clock.advance(by: 1)
        #expect(h.run("GET", "k") == .nullBulkString)
        #expect(h.run("TTL", "k") == .integer(-2))
        #expect(h.store.withDatabase { $0.count } == 0, "the read deleted the expired key (passive expiry)")
    }

    @Test("a 100-second TTL, without waiting 100 seconds")
    func longTTL() {
        let h = Harness()
        #expect(h.run("SET", "k", "v", "EX", "100") == .ok)
        #expect(h.run("TTL", "k") == .integer(100))
        h.clock.advance(by: 60_400)
        #expect(h.run("TTL", "k") == .integer(40), "39.6 s rounds to 40")
        #expect(h.run("PTTL", "k") == .integer(39_600))
        h.clock.advance(by: 39_601)
        #expect(h.run("EXISTS", "k") == .integer(0))
    }

    @Test("TTL rounds to the nearest second, as Redis does", arguments: [
        (1_499, 1), (1_500, 2), (499, 0), (500, 1), (100_000, 100),
    ])
    func rounding(_ milliseconds: Int, _ seconds: Int) {
        let h = Harness()
        _ = h.run("SET", "k", "v", "PX", String(milliseconds))
        #expect(h.run("TTL", "k") == .integer(seconds))
    }

    @Test("EXAT and PXAT are absolute Unix times")
    func absolute() {
        let h = Harness()
        let now = h.clock.nowMilliseconds()
        #expect(h.run("SET", "a", "v", "PXAT", String(now + 5_000)) == .ok)
        #expect(h.run("PTTL", "a") == .integer(5_000))
        #expect(h.run("SET", "b", "v", "EXAT", String(now / 1000 + 10)) == .ok)
        #expect(h.run("TTL", "b") == .integer(10))
        // A time already past: stored, but never readable (and counted until deleted).
        #expect(h.run("SET", "c", "v", "PXAT", "1") == .ok)
        #expect(h.run("GET", "c") == .nullBulkString)
    }

    @Test("SET clears a TTL; KEEPTTL keeps it; NX sees expired keys as missing")
    func setAndTTL() {
        let h = Harness()
        _ = h.run("SET", "k", "v", "EX", "10")
        _ = h.run("SET", "k", "v2")
        #expect(h.run("TTL", "k") == .integer(-1))
        _ = h.run("SET", "k", "v", "EX", "10")
        _ = h.run("SET", "k", "v3", "KEEPTTL")
        #expect(h.run("TTL", "k") == .integer(10))
        h.clock.advance(by: 10_001)
        #expect(h.run("SET", "k", "new", "NX") == .ok)
        #expect(h.run("TTL", "k") == .integer(-1))
    }

    @Test("EXPIRE's NX, XX, GT and LT", arguments: [
        // (TTL before in seconds or nil, options, new seconds, expected reply)
        (nil, ["NX"], 10, 1), (5, ["NX"], 10, 0), (nil, ["XX"], 10, 0), (5, ["XX"], 10, 1),
        (5, ["GT"], 10, 1), (5, ["GT"], 3, 0), (nil, ["GT"], 10, 0), (5, ["LT"], 3, 1), (5, ["LT"], 10, 0),
        (nil, ["LT"], 10, 1), (nil, ["XX", "LT"], 3, 0), (5, ["XX", "GT"], 10, 1),
    ] as [(Int?, [String], Int, Int)])
    func expireConditions(_ before: Int?, _ options: [String], _ seconds: Int, _ expected: Int) throws {
        let h = Harness()
        _ = h.run("SET", "k", "v")
        if let before { _ = h.run("EXPIRE", "k", String(before)) }
        let arguments = args("EXPIRE", "k", String(seconds)) + options.map { Array($0.utf8) }
        #expect(CommandTable.stage6.reply(to: arguments, store: h.store) == .integer(expected))
    }

    @Test("error texts match Redis 7", arguments: [
        (["SET", "k", "v", "EX", "0"], "-ERR invalid expire time in 'set' command\r\n"),
        (["SET", "k", "v", "PX", "-5"], "-ERR invalid expire time in 'set' command\r\n"),
        (["SET", "k", "v", "EX", "9223372036854775"], "-ERR invalid expire time in 'set' command\r\n"),
        (["SET", "k", "v", "EX", "9223372036854776"], "-ERR invalid expire time in 'set' command\r\n"),
        (["SET", "k", "v", "EX", "x"], "-ERR value is not an integer or out of range\r\n"),
        (["SET", "k", "v", "EX", "abc", "FOO"], "-ERR syntax error\r\n"),
        (["SET", "k", "v", "NX", "EX", "abc"], "-ERR value is not an integer or out of range\r\n"),
        (["SET", "k", "v", "EX", "1", "PX", "1"], "-ERR syntax error\r\n"),
        (["SET", "k", "v", "KEEPTTL", "EX", "1"], "-ERR syntax error\r\n"),
        (["SET", "k", "v", "PX"], "-ERR syntax error\r\n"),
        (["EXPIRE", "k", "abc", "FOO"], "-ERR Unsupported option FOO\r\n"),
        (["EXPIRE", "k", "9223372036854775"], "-ERR invalid expire time in 'expire' command\r\n"),
        (["EXPIRE", "k", "-9223372036854776"], "-ERR invalid expire time in 'expire' command\r\n"),
        (["PEXPIRE", "k", "9223372036854775807"], "-ERR invalid expire time in 'pexpire' command\r\n"),
        (["EXPIRE", "k", "1", "nx", "gt"], "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n"),
        (["EXPIRE", "k", "1", "gt", "lt"], "-ERR GT and LT options at the same time are not compatible\r\n"),
        (["TTL"], "-ERR wrong number of arguments for 'ttl' command\r\n"),
        (["EXPIREAT", "k", "abc", "FOO"], "-ERR Unsupported option FOO\r\n"),
        (["EXPIREAT", "k", "abc", "NX", "XX"], "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n"),
        (["PEXPIREAT", "k", "1", "GT", "lt"], "-ERR GT and LT options at the same time are not compatible\r\n"),
        (["EXPIREAT", "k", "1.5"], "-ERR value is not an integer or out of range\r\n"),
        (["PEXPIREAT", "k", "9223372036854775808"], "-ERR value is not an integer or out of range\r\n"),
        (["EXPIREAT", "k", "9223372036854776"], "-ERR invalid expire time in 'expireat' command\r\n"),
        (["EXPIREAT", "k", "-9223372036854776"], "-ERR invalid expire time in 'expireat' command\r\n"),
        (["EXPIREAT", "nope", "9223372036854776"], "-ERR invalid expire time in 'expireat' command\r\n"),
        (["EXPIREAT", "k"], "-ERR wrong number of arguments for 'expireat' command\r\n"),
        (["PEXPIREAT", "k"], "-ERR wrong number of arguments for 'pexpireat' command\r\n"),
        (["EXPIRETIME"], "-ERR wrong number of arguments for 'expiretime' command\r\n"),
        (["PEXPIRETIME", "a", "b"], "-ERR wrong number of arguments for 'pexpiretime' command\r\n"),
    ] as [([String], String)])
    func errors(_ words: [String], _ expected: String) {
        let h = Harness()
        _ = h.run("SET", "k", "v")
        let reply = h.run(words)
        #expect(reply.encoded.escaped == b(expected).escaped)
    }

    @Test("EXPIREAT and PEXPIREAT take absolute Unix times; EXPIRETIME and PEXPIRETIME read them back")
    func expireAt() {
        let h = Harness()
        let now = h.clock.nowMilliseconds()
        #expect(h.run("EXPIREAT", "nope", String(now / 1000 + 10)) == .integer(0))
        #expect(h.run("EXPIRETIME", "nope") == .integer(-2))
        #expect(h.run("PEXPIRETIME", "nope") == .integer(-2))
        _ = h.run("SET", "k", "v")
        #expect(h.run("EXPIRETIME", "k") == .integer(-1))
        #expect(h.run("PEXPIRETIME", "k") == .integer(-1))
        #expect(h.run("PEXPIREAT", "k", String(now + 5_000)) == .integer(1))
        #expect(h.run("PTTL", "k") == .integer(5_000))
        #expect(h.run("PEXPIRETIME", "k") == .integer(Int(now + 5_000)))
        #expect(h.run("EXPIREAT", "k", String(now / 1000 + 100)) == .integer(1))
        #expect(h.run("TTL", "k") == .integer(100))
        #expect(h.run("EXPIRETIME", "k") == .integer(Int(now / 1000 + 100)))
        #expect(h.run("PEXPIRETIME", "k") == .integer(Int(now + 100_000)))
        // The time is absolute: it does not move with the clock.
        h.clock.advance(by: 30_000)
        #expect(h.run("EXPIRETIME", "k") == .integer(Int(now / 1000 + 100)))
        #expect(h.run("TTL", "k") == .integer(70))
        // PERSIST: no TTL again.
        _ = h.run("PERSIST", "k")
        #expect(h.run("EXPIRETIME", "k") == .integer(-1))
    }

    @Test("EXPIRETIME rounds to the nearest second, as Redis does, even at Int64.max", arguments: [
        ("99999999999499", 99_999_999_999), ("99999999999500", 100_000_000_000),
        ("9223372036854775807", 9_223_372_036_854_776), ("9223372036854775499", 9_223_372_036_854_775),
    ])
    func expireTimeRounding(_ pexpireat: String, _ seconds: Int) {
        let h = Harness()
        _ = h.run("SET", "k", "v")
        #expect(h.run("PEXPIREAT", "k", pexpireat) == .integer(1))
        #expect(h.run("EXPIRETIME", "k") == .integer(seconds))
        #expect(h.run("PEXPIRETIME", "k") == .integer(Int(pexpireat)!))
    }

    @Test("EXPIREAT and PEXPIREAT with a time already past delete the key, now included")
    func expireAtPast() {
        let h = Harness()
        let now = h.clock.nowMilliseconds()
        for time in ["-9223372036854775808", "-1", "0", "1", String(now - 1), String(now)] {
            _ = h.run("SET", "k", "v")
            #expect(h.run("PEXPIREAT", "k", time) == .integer(1), "PEXPIREAT k \(time)")
            #expect(h.store.withDatabase { $0.count } == 0, "PEXPIREAT k \(time) deleted the key at once")
        }
        _ = h.run("SET", "k", "v")
        #expect(h.run("EXPIREAT", "k", String(now / 1000)) == .integer(1), "now is a whole second: now itself is past")
        #expect(h.run("EXISTS", "k") == .integer(0))
        _ = h.run("SET", "k", "v")
        #expect(h.run("PEXPIREAT", "k", String(now + 1)) == .integer(1))
        h.clock.advance(by: 1)
        #expect(h.run("EXISTS", "k") == .integer(1), "at its time the key is still alive")
        h.clock.advance(by: 1)
        #expect(h.run("EXISTS", "k") == .integer(0))
        // A condition that fails wins over deleting.
        _ = h.run("SET", "k", "v")
        #expect(h.run("EXPIREAT", "k", "1", "GT") == .integer(0), "no TTL is infinite: 1 is not later")
        #expect(h.run("EXPIREAT", "k", "1", "XX") == .integer(0))
        #expect(h.run("EXISTS", "k") == .integer(1))
        #expect(h.run("EXPIREAT", "k", "1", "LT") == .integer(1), "no TTL is infinite: 1 is earlier")
        #expect(h.run("EXISTS", "k") == .integer(0))
    }

    @Test("EXPIREAT's NX, XX, GT and LT compare absolute times", arguments: [
        // (TTL before in seconds from now or nil, options, new time in seconds from now, expected reply)
        (nil, ["NX"], 10, 1), (5, ["nx"], 10, 0), (nil, ["XX"], 10, 0), (5, ["XX"], 10, 1),
        (5, ["GT"], 10, 1), (5, ["GT"], 5, 0), (5, ["gt"], 3, 0), (nil, ["GT"], 10, 0), (5, ["LT"], 3, 1),
        (5, ["LT"], 5, 0), (nil, ["LT"], 10, 1), (nil, ["XX", "LT"], 3, 0), (5, ["GT", "XX"], 10, 1),
        (5, ["XX", "XX"], 10, 1),
    ] as [(Int?, [String], Int, Int)])
    func expireAtConditions(_ before: Int?, _ options: [String], _ seconds: Int, _ expected: Int) {
        let h = Harness()
        let now = Int(h.clock.nowMilliseconds() / 1000)
        _ = h.run("SET", "k", "v")
        if let before { _ = h.run("EXPIRE", "k", String(before)) }
        #expect(h.run(["EXPIREAT", "k", String(now + seconds)] + options) == .integer(expected))
        let expectedTime = expected == 1 ? now + seconds : before.map { now + $0 } ?? -1
        #expect(h.run("EXPIRETIME", "k") == .integer(expectedTime))
        // PEXPIREAT, the same in milliseconds.
        let p = Harness()
        _ = p.run("SET", "k", "v")
        if let before { _ = p.run("EXPIRE", "k", String(before)) }
        #expect(p.run(["PEXPIREAT", "k", String((now + seconds) * 1000)] + options) == .integer(expected))
    }

    @Test("active expiry deletes expired keys that nobody reads, and only those")
    func activeExpiry() {
        let h = Harness()
        for key in 0..<1_000 { _ = h.run("SET", "keep\(key)", "v") }
        for key in 0..<5_000 { _ = h.run("SET", "temp\(key)", "v", "PX", "50") }
        for key in 0..<100 { _ = h.run("SET", "later\(key)", "v", "EX", "100") }
        #expect(h.store.withDatabase { $0.count } == 6_100)
        h.clock.advance(by: 51)
        // One cycle stops once a sample finds 25% or fewer expired keys, so
        // the last few stragglers go in later cycles, as in Redis. Run cycles
        // as the 100 ms timer would (a generous budget keeps the test
        // independent of machine speed); missing a key 500 times is
        // vanishingly unlikely.
        var cycles = 0
        while h.store.withDatabase({ $0.count }) > 1_100 && cycles < 500 {
            ActiveExpiry.runCycle(on: h.store, budgetMilliseconds: 1_000)
            cycles += 1
        }
        #expect(h.store.withDatabase { $0.count } == 1_100, "only the 5,000 expired keys go (after \(cycles) cycles)")
        #expect(h.store.withDatabase { $0.countWithExpiry } == 100)
        #expect(h.run("TTL", "later7") == .integer(100))
    }

    @Test("active expiry looks only at keys with a TTL, however many keys have none")
    func cheapWithoutTTLs() {
        let h = Harness()
        h.store.withDatabase { database in
            for key in 0..<200_000 { database.set(Array("key\(key)".utf8), [1]) }
        }
        #expect(ActiveExpiry.runCycle(on: h.store) == 0)
        var generator = SystemRandomNumberGenerator()
        let (sampled, expired) = h.store.withDatabase { $0.expireRandomKeys(count: 20, using: &generator) }
        #expect(sampled == 0 && expired == 0, "no key has a TTL, so nothing is sampled")
    }

    @Test("the TTL sample stays consistent through deletes, PERSIST and overwrites")
    func sampleConsistency() {
        let h = Harness()
        for key in 0..<100 { _ = h.run("SET", "k\(key)", "v", "EX", "10") }
        for key in stride(from: 0, to: 100, by: 3) { _ = h.run("DEL", "k\(key)") }
        for key in stride(from: 1, to: 100, by: 3) { _ = h.run("PERSIST", "k\(key)") }
        for key in stride(from: 2, to: 100, by: 6) { _ = h.run("SET", "k\(key)", "w") }
        let withTTL = (0..<100).filter { key in
            if case .integer(let ttl) = h.run("TTL", "k\(key)") { return ttl > 0 } else { return false }
        }.count
        #expect(h.store.withDatabase { $0.countWithExpiry } == withTTL)
        h.clock.advance(by: 10_001)
        // Every key with a TTL has expired now, so every sample is 100%
        // expired and one cycle removes them all.
        ActiveExpiry.runCycle(on: h.store, budgetMilliseconds: 1_000)
        #expect(h.store.withDatabase { $0.countWithExpiry } == 0)
        #expect(h.run("DBSIZE") == .integer(100 - 34 - withTTL), "only keys without a TTL remain")
    }

    @Test("GET, DEL, EXISTS and TYPE")
    func basics() {
        let h = Harness()
        #expect(h.run("GET", "nope") == .nullBulkString)
        _ = h.run("SET", "a", "1")
        _ = h.run("SET", "b", "2")
        #expect(h.run("EXISTS", "a", "a", "nope") == .integer(2))
        #expect(h.run("DEL", "a", "a", "nope") == .integer(1))
        #expect(h.run("TYPE", "b") == .simpleString(b("string")))
        #expect(h.run("TYPE", "a") == .simpleString(b("none")))
    }

    @Test("CONFIG GET answers what redis-benchmark asks")
    func configGet() throws {
        let h = Harness()
        #expect(h.run("CONFIG", "GET", "save", "appendonly")
                == .map([.bulkString(b("save")), .bulkString([]), .bulkString(b("appendonly")), .bulkString(b("no"))]))
        #expect(h.run("CONFIG", "GET", "maxclients") == .map([.bulkString(b("maxclients")), .bulkString(b("10000"))]))
        #expect(h.run("CONFIG", "GET", "SAVE") == .map([.bulkString(b("SAVE")), .bulkString([])]))
        #expect(h.run("CONFIG", "GET", "app*") == .map([.bulkString(b("appendonly")), .bulkString(b("no"))]))
        #expect(h.run("CONFIG", "GET", "nothing") == .map([]))
        #expect(h.run("CONFIG").encoded == b("-ERR wrong number of arguments for 'config' command\r\n"))
        #expect(throws: CommandError.wrongArity("config|get")) { try ConfigGet(parsing: args("CONFIG", "GET")) }
        #expect(throws: CommandError.unknownSubcommand(b("FOO"), of: "CONFIG")) { try ConfigGet(parsing: args("CONFIG", "FOO")) }
    }

    @Test("CONFIG GET maxclients, patterns, casing and duplicates, as Redis 7.0.15 answers them", arguments: [
        (["MAXCLIENTS"], "*2\r\n$10\r\nMAXCLIENTS\r\n$2\r\n42\r\n"),
        (["MaxClients"], "*2\r\n$10\r\nMaxClients\r\n$2\r\n42\r\n"),
        (["max*"], "*2\r\n$10\r\nmaxclients\r\n$2\r\n42\r\n"),
        (["MAX*"], "*2\r\n$10\r\nmaxclients\r\n$2\r\n42\r\n"),
        (["maxclient?"], "*2\r\n$10\r\nmaxclients\r\n$2\r\n42\r\n"),
        (["maxclient[s]"], "*2\r\n$10\r\nmaxclients\r\n$2\r\n42\r\n"),
        (["maxclients[ab"], "*0\r\n"),
        (["maxclients", "MAXCLIENTS"], "*2\r\n$10\r\nmaxclients\r\n$2\r\n42\r\n"),
        (["MAXCLIENTS", "max*"], "*2\r\n$10\r\nMAXCLIENTS\r\n$2\r\n42\r\n"),
        (["max*", "MAXCLIENTS"], "*2\r\n$10\r\nmaxclients\r\n$2\r\n42\r\n"),
        (["maxmemory"], "*0\r\n"),
        (["*"], "*6\r\n$10\r\nmaxclients\r\n$2\r\n42\r\n$4\r\nsave\r\n$0\r\n\r\n$10\r\nappendonly\r\n$2\r\nno\r\n"),
        (["save", "appendonly", "maxclients", "*"],
         "*6\r\n$4\r\nsave\r\n$0\r\n\r\n$10\r\nappendonly\r\n$2\r\nno\r\n$10\r\nmaxclients\r\n$2\r\n42\r\n"),
    ] as [([String], String)])
    func configGetMaxClients(_ parameters: [String], _ expected: String) throws {
        var options = ServerOptions()
        options.maxClients = 42
        var context = CommandContext(server: ServerState(options: options))
        let outcome = CommandTable.stage6.execute(args("CONFIG", "GET") + parameters.map { Array($0.utf8) }, in: &context)
        let reply = try #require(outcome.singleReply)
        #expect(reply.encoded.escaped == b(expected).escaped)
    }
}

@Suite("HELLO and RESP3")
struct HelloTests {
    @Test("HELLO 3 switches the session to RESP3, and nulls and maps change shape")
    func hello3() throws {
        var context = CommandContext(server: ServerState())
        let reply = try Hello(parsing: args("HELLO", "3")).apply(to: &context)
        #expect(context.session.version == .resp3)
        var bytes: [UInt8] = []
        reply.encode(into: &bytes, version: context.session.version)
        #expect(bytes.starts(with: b("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n")))
        var null: [UInt8] = []
        RESPValue.nullBulkString.encode(into: &null, version: .resp3)
        #expect(null == b("_\r\n"))
        _ = try Hello(parsing: args("HELLO", "2")).apply(to: &context)
        #expect(context.session.version == .resp2)
    }

    @Test("HELLO's errors match Redis 7", arguments: [
        (["HELLO", "x"], "-ERR Protocol version is not an integer or out of range\r\n"),
        (["HELLO", "4"], "-NOPROTO unsupported protocol version\r\n"),
        (["HELLO", "3", "FOO"], "-ERR Syntax error in HELLO option 'FOO'\r\n"),
        (["HELLO", "3", "SETNAME"], "-ERR Syntax error in HELLO option 'SETNAME'\r\n"),
        (["HELLO", "3", "SETNAME", "my name"], "-ERR Client names cannot contain spaces, newlines or special characters.\r\n"),
        (["HELLO", "3", "AUTH", "default"], "-ERR Syntax error in HELLO option 'AUTH'\r\n"),
        (["HELLO", "3", "AUTH", "DEFAULT", "secret"], "-WRONGPASS invalid username-password pair or user is disabled.\r\n"),
    ] as [([String], String)])
    func errors(_ words: [String], _ expected: String) {
        do {
            _ = try Hello(parsing: words.map { Array($0.utf8) })
            Issue.record("no error for \(words)")
        } catch {
            #expect(error.reply.encoded.escaped == b(expected).escaped)
        }
    }
}

/// Keys of up to 16 bytes are stored inline, longer ones on the heap: every
/// key must still be itself and no other, whichever form it takes.
@Suite("Database keys, inline and on the heap")
struct StoreKeyTests {
    /// Keys around the inline limit, and keys that differ only in zero
    /// bytes (the inline form pads with zeros, so the length must count).
    static let keys: [[UInt8]] = [
        [], [0], [0, 0], b("a"), b("a") + [0], b("a") + [0, 0],
        Array(repeating: 0, count: 16), Array(repeating: 0, count: 17),
        b("0123456789abcdef"), b("0123456789abcdef") + [0], b("0123456789abcde"),
        Array(repeating: 0xFF, count: 16), Array(repeating: 0xFF, count: 100),
    ]

    @Test("each key keeps its own value, and reads back its own bytes")
    func distinctKeys() {
        let store = Store(clock: ManualTimeSource())
        for (index, key) in Self.keys.enumerated() {
            store.withDatabase { $0.set(key, b("value \(index)")) }
        }
        #expect(store.withDatabase { $0.count } == Self.keys.count)
        for (index, key) in Self.keys.enumerated() {
            #expect(store.withDatabase { try? $0.string(of: key) } == b("value \(index)"), "key \(key)")
            #expect(Database.Key(key).bytes == key)
        }
    }

    @Test("the form depends only on the length: inline up to 16 bytes")
    func form() {
        for key in Self.keys {
            if case .inline = Database.Key(key) {
                #expect(key.count <= Database.Key.inlineCapacity)
            } else {
                #expect(key.count > Database.Key.inlineCapacity)
            }
        }
    }

    @Test("keys with a TTL: deadlines follow their keys through swap-removal")
    func deadlinesFollowKeys() {
        let clock = ManualTimeSource()
        let store = Store(clock: clock)
        for (index, key) in Self.keys.enumerated() {
            store.withDatabase { database in
                database.set(key, b("v"))
                database.setExpiry(key, at: database.now + Int64(index + 1) * 10)
            }
        }
        // Deleting keys from the middle moves others in `keysWithExpiry`.
        store.withDatabase { database in
            database.remove(Self.keys[0])
            database.removeExpiry(Self.keys[3])
        }
        for (index, key) in Self.keys.enumerated().dropFirst() {
            let expected: Database.Expiry = index == 3 ? .never : .at(clock.nowMilliseconds() + Int64(index + 1) * 10)
            #expect(store.withDatabase { $0.expiry(of: key) } == expected, "key \(key)")
        }
        #expect(store.withDatabase { $0.countWithExpiry } == Self.keys.count - 2)
    }
}

@Suite("Value: the size of a dictionary slot")
struct ValueLayoutTests {
    @Test("a Value is one pointer wide, whatever its type: lists are boxed")
    func onePointer() {
        // Every key's slot holds a Value: a wider enum costs every key, strings
        // included (stage 7 once made RSS per string key 1.9x Redis this way).
        #expect(MemoryLayout<Value>.size == MemoryLayout<Int>.size,
                "MemoryLayout<Value>.size is \(MemoryLayout<Value>.size); expected \(MemoryLayout<Int>.size). Hint: box big payloads (indirect case).")
    }
}
