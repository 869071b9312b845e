@testable import Common
import Testing

// Every expected value here was first asked of redis-server 7.0.15 on
// x86-64 Linux (the course's specification), except the `Double` formatting
// table, whose values are Python's `'%.17f' % x` (also correctly rounded):
// that is the form a Redis whose long double is a double would write.

/// Bytes from text.
private func b(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Stage 8's string commands, with the stage 7 commands they meet.
private let stringTable = CommandTable([
    SetCommand.self, Get.self, Del.self, Exists.self, TypeCommand.self, TTL.self, PTTL.self, Expire.self,
    RPush.self, LLen.self,
    Incr.self, Decr.self, IncrBy.self, DecrBy.self, IncrByFloat.self,
    Append.self, StrLen.self, GetRange.self, SetRange.self,
    MGet.self, MSet.self, MSetNX.self,
    GetSet.self, GetDel.self, GetEx.self, SetNX.self, SetEx.self, PSetEx.self,
])

/// A store on a manual clock, and the string commands to run against it.
private struct Strings {
    let clock = ManualTimeSource()
    let store: Store

    init() { self.store = Store(clock: self.clock) }

    /// Runs one command through the table, as a stage dispatches it.
    @discardableResult
    func run(_ words: String...) -> RESPValue {
        guard let reply = stringTable.reply(to: words.map { Array($0.utf8) }, store: self.store) else {
            Issue.record("\(words) did not give one reply")
            return .nullBulkString
        }
        return reply
    }
}

@Suite("INCRBYFLOAT's numbers: strtold's grammar and printf's %.17Lf")
struct LongDoubleTextTests {
    /// (stored value or nil, increment, Redis's reply: the text, or the error).
    static let sums: [(String?, String, String)] = [
        ("10.5", "0.1", "10.6"),
        ("3.0e3", "5.0e3", "8000"),
        (nil, "1e20", "100000000000000000000"),
        ("0.1", "0.2", "0.3"),
        ("1.1", "2.2", "3.3"),
        (nil, "0.000003814697265625", "0.00000381469726562"), // 2^-18: a tie, to even
        (nil, "-1e-18", "0"), // "-0.00000000000000000" trimmed to "-0", written 0
        (nil, "1.5e-17", "0.00000000000000002"),
        (nil, "5e-18", "0"),
        (nil, "1.23456789012345678", "1.23456789012345678"),
        ("-5.5", "5.5", "0"),
        (nil, "0x10", "16"),
        (nil, "0x1p-2", "0.25"),
        (nil, "+.75", "0.75"),
        (nil, "5.", "5"),
        (nil, "123456789012345678901234567890", "123456789012345678899921813504"),
        ("9223372036854775807", "1", "9223372036854775808"),
        ("-0", "-0", "0"),
        (nil, "1e-4940", "0"), // a subnormal long double: kept, and prints as 0
        ("1e4932", "-1e4932", "0"),
        (nil, "0.3333333333333333333333", "0.33333333333333333"),
        (nil, "-2.5", "-2.5"),
        (nil, "0.99999999999999999999", "1"),
        (nil, String(repeating: "0", count: 5118) + "1", "1"), // 5,119 bytes: still read
        ("1e4932", "1e4932", "ERR increment would produce NaN or Infinity"),
        (nil, "inf", "ERR increment would produce NaN or Infinity"),
        (nil, "nan", "ERR value is not a valid float"),
        (nil, "abc", "ERR value is not a valid float"),
        ("x", "1", "ERR value is not a valid float"),
        (nil, "1e5000", "ERR value is not a valid float"), // overflow
        (nil, "1e-5000", "ERR value is not a valid float"), // underflow to zero
        (nil, " 1", "ERR value is not a valid float"),
        (nil, "1 ", "ERR value is not a valid float"),
        (nil, "", "ERR value is not a valid float"),
        (nil, "0x", "ERR value is not a valid float"),
        (nil, "1e", "ERR value is not a valid float"),
        (nil, String(repeating: "0", count: 5119) + "1", "ERR value is not a valid float"), // 5,120 bytes
    ]

    #if (arch(i386) || arch(x86_64)) && !os(Windows) && !os(Android)
    @Test("sums as Redis 7.0.15 writes them on x86", arguments: sums)
    func sum(_ stored: String?, _ increment: String, _ expected: String) {
        do throws(CommandError) {
            let text = try IncrByFloat.sum(stored: stored.map(b), increment: b(increment))
            #expect(String(decoding: text, as: UTF8.self) == expected)
        } catch {
            #expect(String(decoding: error.message, as: UTF8.self) == expected)
        }
    }

    @Test("1e308 + 1e308 does not overflow a long double, and prints all 309 digits")
    func hugeSum() throws {
        let text = try IncrByFloat.sum(stored: b("1e308"), increment: b("1e308"))
        #expect(String(decoding: text, as: UTF8.self) == "199999999999999999993371759311691291321120199694831134415594095989843469737676123744200253843777078640893494450108026446304269499187921167194841628860392837535918200039206381557326219209014213335878306791577877829121087126122536729803237260434173178506889763247582601711514636284849020905456510092687857156096")
    }
    #endif

    @Test("Double's %.17f, as Python writes it", arguments: [
        (10.6, "10.59999999999999964"),
        (0.1, "0.10000000000000001"),
        (0.3, "0.29999999999999999"),
        (1e22, "10000000000000000000000"),
        (Double.leastNonzeroMagnitude, "0"),
        (2.5e-17, "0.00000000000000002"),
        (1.5, "1.5"),
        (123456.789, "123456.78900000000430737"),
        (-0.0, "0"),
        (0x1p-18, "0.00000381469726562"),
        (0.1 + 0.2, "0.30000000000000004"),
        (-1e-18, "0"),
    ])
    func doubleFormat(_ value: Double, _ expected: String) {
        #expect(String(decoding: LongDoubleText.format(value), as: UTF8.self) == expected)
    }

    @Test("the largest Double is written in full: 309 digits, no exponent")
    func largestDouble() {
        let text = LongDoubleText.format(Double.greatestFiniteMagnitude)
        #expect(text.count == 309)
        #expect(String(decoding: text.prefix(20), as: UTF8.self) == "17976931348623157081")
        #expect(String(decoding: text.suffix(6), as: UTF8.self) == "858368")
    }

    @Test("what strtold reads whole, and what Redis then refuses", arguments: [
        ("1", true), ("-1", true), ("+1", true), (".5", true), ("5.", true), ("1e+5", true), ("1E-5", true),
        ("0x1p3", true), ("0X.8P1", true), ("0x1.", true), ("inf", true), ("-Infinity", true), ("0e99999", true),
        ("1e-4940", true), ("00012", true),
        ("", false), (" 1", false), ("\t1", false), ("1 ", false), ("1e", false), ("1e+", false), ("1.5e", false),
        (".", false), ("-", false), ("0x", false), ("0x.", false), ("0xp1", false), ("0x1p", false), ("1..2", false),
        ("1_0", false), ("nan", false), ("NaN", false), ("infinit", false), ("infinityy", false), ("1e5000", false),
        ("1e-5000", false), ("0.5\u{0}", false), ("1,5", false),
    ])
    func parse(_ text: String, _ accepted: Bool) {
        #expect((LongDoubleText.parse(b(text)) != nil) == accepted)
    }

    @Test("rounding a shifted value: ties go to the even neighbour")
    func roundedShift() {
        #expect(LongDoubleText.roundedShift(5, right: 1) == 2) // 2.5 -> 2
        #expect(LongDoubleText.roundedShift(7, right: 1) == 4) // 3.5 -> 4
        #expect(LongDoubleText.roundedShift(11, right: 2) == 3) // 2.75 -> 3
        #expect(LongDoubleText.roundedShift(9, right: 2) == 2) // 2.25 -> 2
        #expect(LongDoubleText.roundedShift(UInt128.max, right: 200) == 0)
    }

    @Test("big integers in decimal: 2^64 and 2^100")
    func decimalDigits() {
        #expect(String(decoding: LongDoubleText.decimalDigits(of: 1, shiftedLeftBy: 64), as: UTF8.self) == "18446744073709551616")
        #expect(String(decoding: LongDoubleText.decimalDigits(of: 1, shiftedLeftBy: 100), as: UTF8.self) == "1267650600228229401496703205376")
        #expect(String(decoding: LongDoubleText.decimalDigits(of: 3, shiftedLeftBy: 0), as: UTF8.self) == "3")
    }
}

@Suite("Counters: INCR, DECR, INCRBY, DECRBY")
struct CounterTests {
    @Test("overflow is refused both ways, and nothing is written")
    func overflow() {
        let s = Strings()
        s.run("SET", "k", "9223372036854775807")
        #expect(s.run("INCR", "k") == CommandError.incrementOverflow.reply)
        #expect(s.run("GET", "k") == .bulkString(b("9223372036854775807")))
        s.run("SET", "k", "-9223372036854775808")
        #expect(s.run("DECR", "k") == CommandError.incrementOverflow.reply)
        #expect(s.run("INCRBY", "k", "9223372036854775807") == .integer(-1))
    }

    @Test("DECRBY of the most negative integer is its own error, even on a list")
    func decrementOverflow() {
        let s = Strings()
        s.run("RPUSH", "list", "a")
        #expect(s.run("DECRBY", "k", "-9223372036854775808") == .error(b("ERR decrement would overflow")))
        #expect(s.run("DECRBY", "list", "-9223372036854775808") == .error(b("ERR decrement would overflow")))
        #expect(s.run("EXISTS", "k") == .integer(0))
        #expect(s.run("INCRBY", "k", "-9223372036854775808") == .integer(Int.min), "INCRBY takes it")
    }

    @Test("what is not a strict 64-bit integer", arguments: [" 1", "1 ", "+1", "01", "-0", "1.0", "", "9223372036854775808", "0x10"])
    func notAnInteger(_ text: String) {
        let s = Strings()
        s.run("SET", "k", text)
        #expect(s.run("INCR", "k") == CommandError.notAnInteger.reply)
        #expect(s.run("INCRBY", "other", text) == CommandError.notAnInteger.reply)
        #expect(s.run("EXISTS", "other") == .integer(0))
    }

    @Test("INCRBY reads its argument before the key; INCRBYFLOAT the key first")
    func order() {
        let s = Strings()
        s.run("RPUSH", "list", "a")
        #expect(s.run("INCRBY", "list", "x") == CommandError.notAnInteger.reply)
        #expect(s.run("INCRBY", "list", "1") == CommandError.wrongType.reply)
        #expect(s.run("INCRBYFLOAT", "list", "x") == CommandError.wrongType.reply)
        #expect(s.run("LLEN", "list") == .integer(1))
    }

    @Test("INCR, INCRBYFLOAT, APPEND and SETRANGE keep the TTL; MSET and GETSET clear it")
    func ttl() {
        let s = Strings()
        s.run("SET", "k", "1", "EX", "100")
        s.clock.advance(by: 10_000)
        #expect(s.run("INCR", "k") == .integer(2))
        #expect(s.run("INCRBYFLOAT", "k", "0.5") == .bulkString(b("2.5")))
        #expect(s.run("APPEND", "k", "0") == .integer(4))
        #expect(s.run("SETRANGE", "k", "0", "3") == .integer(4))
        #expect(s.run("GET", "k") == .bulkString(b("3.50")))
        #expect(s.run("PTTL", "k") == .integer(90_000))
        s.run("MSET", "k", "x")
        #expect(s.run("TTL", "k") == .integer(-1))
        s.run("EXPIRE", "k", "100")
        s.run("GETSET", "k", "y")
        #expect(s.run("TTL", "k") == .integer(-1))
    }

    @Test("an expired key counts from 0, without its old TTL")
    func expired() {
        let s = Strings()
        s.run("SET", "k", "41", "PX", "100")
        s.clock.advance(by: 101)
        #expect(s.run("INCR", "k") == .integer(1))
        #expect(s.run("TTL", "k") == .integer(-1))
        s.run("SET", "a", "x", "PX", "100")
        s.clock.advance(by: 101)
        #expect(s.run("APPEND", "a", "y") == .integer(1))
        #expect(s.run("TTL", "a") == .integer(-1))
    }
}

@Suite("APPEND, GETRANGE, SETRANGE and the limits")
struct StringRangeTests {
    @Test("GETRANGE's clamping, Redis 7.0's quirk included", arguments: [
        (0, 3, "This"), (-3, -1, "ing"), (0, -1, "This is a string"), (10, 100, "string"), (-100, 3, "This"),
        (5, 2, ""), (100, 200, ""), (-1, -5, ""), (0, -100, "T"), (-100, -200, ""), (-100, -16, "T"),
        (Int.min, Int.max, "This is a string"), (Int.max, Int.min, ""),
    ])
    func getRange(_ start: Int, _ end: Int, _ expected: String) {
        let text = b("This is a string")
        #expect(Array(text[GetRange.range(start: start, end: end, length: text.count)]) == b(expected))
    }

    @Test("GETRANGE of an empty string is empty, whatever the indexes")
    func emptyRange() {
        #expect(GetRange.range(start: 0, end: -1, length: 0).isEmpty)
        #expect(GetRange.range(start: 0, end: 0, length: 0).isEmpty)
    }

    @Test("the 512 MB limit, with the sum's overflow counted as too long")
    func limit() throws {
        try StringLimit.check(536_870_911, adding: 1)
        #expect(throws: CommandError.stringTooLong) { try StringLimit.check(536_870_912, adding: 1) }
        #expect(throws: CommandError.stringTooLong) { try StringLimit.check(Int.max, adding: 1) }
        #expect(throws: CommandError.stringTooLong) { try StringLimit.check(1, adding: 536_870_912) }
    }

    @Test("SETRANGE pads with zeros, skips an empty value, refuses negative offsets")
    func setRange() {
        let s = Strings()
        #expect(s.run("SETRANGE", "k", "3", "ab") == .integer(5))
        #expect(s.run("GET", "k") == .bulkString([0, 0, 0] + b("ab")))
        #expect(s.run("SETRANGE", "k", "1", "X") == .integer(5))
        #expect(s.run("GET", "k") == .bulkString([0] + b("X") + [0] + b("ab")))
        #expect(s.run("SETRANGE", "k", "999999999999", "") == .integer(5), "an empty value skips the limit")
        #expect(s.run("SETRANGE", "new", "7", "") == .integer(0))
        #expect(s.run("EXISTS", "new") == .integer(0))
        #expect(s.run("SETRANGE", "k", "-1", "x") == CommandError.offsetOutOfRange.reply)
        #expect(s.run("SETRANGE", "k", "536870912", "x") == CommandError.stringTooLong.reply)
        #expect(s.run("SETRANGE", "big", "536870912", "x") == CommandError.stringTooLong.reply)
        #expect(s.run("EXISTS", "big") == .integer(0), "a refused SETRANGE creates nothing")
    }

    @Test("APPEND grows the string in place: the buffer is not copied")
    func appendInPlace() throws {
        let s = Strings()
        /// Where the string's bytes live now.
        func address() throws -> UInt {
            try s.store.withDatabase { database throws(CommandError) in
                try database.modifyString(b("k"), creating: false) { bytes, _ in
                    bytes.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
                }
            }
        }
        s.run("APPEND", "k", String(repeating: "x", count: 1_000))
        s.run("APPEND", "k", "y") // now the buffer has room to spare
        let before = try address()
        s.run("APPEND", "k", "z")
        #expect(try address() == before, "APPEND copied the string instead of appending to it")
        #expect(s.run("STRLEN", "k") == .integer(1_002))
    }
}

@Suite("MGET, MSET, MSETNX, GETEX and the SET spellings")
struct MultiKeyAndExpiryTests {
    @Test("MSET with a key but no value is an arity error, and writes nothing")
    func msetArity() {
        let s = Strings()
        #expect(s.run("MSET", "a", "1", "b") == CommandError.wrongArity("mset").reply)
        #expect(s.run("MSETNX", "a", "1", "b") == CommandError.wrongArity("msetnx").reply)
        #expect(s.run("EXISTS", "a") == .integer(0))
    }

    @Test("MGET: nulls for missing keys and for lists")
    func mget() {
        let s = Strings()
        s.run("SET", "a", "1")
        s.run("RPUSH", "l", "x")
        #expect(s.run("MGET", "a", "l", "missing") == .array([.bulkString(b("1")), .nullBulkString, .nullBulkString]))
    }

    @Test("GETEX EXAT in the past deletes after reading; a relative time never does")
    func getexPast() {
        let s = Strings()
        s.run("SET", "k", "v")
        #expect(s.run("GETEX", "k", "PX", "1") == .bulkString(b("v")))
        #expect(s.run("PTTL", "k") == .integer(1))
        #expect(s.run("GETEX", "k", "PXAT", String(s.clock.nowMilliseconds())) == .bulkString(b("v")))
        #expect(s.run("EXISTS", "k") == .integer(0), "a time equal to now is already past for GETEX")
    }

    @Test("GETEX's options, parsed as Redis 7.0.15 parses them", arguments: [
        (["EX", "1", "EX", "2"], nil), (["PERSIST", "PERSIST"], nil), (["px", "5"], nil),
        (["EX", "1", "PX", "2"], "ERR syntax error"), (["PERSIST", "EX", "1"], "ERR syntax error"),
        (["EX", "1", "PERSIST"], "ERR syntax error"), (["EX"], "ERR syntax error"), (["KEEPTTL"], "ERR syntax error"),
        (["NX"], "ERR syntax error"), (["GET"], "ERR syntax error"),
        // Redis compares options as C strings: a NUL byte ends them.
        (["EX\u{0}z", "1"], nil), (["PERSIST\u{0}"], nil), (["E\u{0}X", "1"], "ERR syntax error"),
    ] as [([String], String?)])
    func getexOptions(_ options: [String], _ expected: String?) {
        let arguments = [b("GETEX"), b("k")] + options.map(b)
        do throws(CommandError) {
            _ = try GetEx(parsing: arguments)
            #expect(expected == nil, "\(options) parsed")
        } catch {
            #expect(String(decoding: error.message, as: UTF8.self) == expected)
        }
    }

    @Test("SETEX's and PSETEX's times: checked, and named in the error", arguments: [
        ("SETEX", "0", "ERR invalid expire time in 'setex' command"), ("SETEX", "-1", "ERR invalid expire time in 'setex' command"),
        ("SETEX", "9223372036854775807", "ERR invalid expire time in 'setex' command"),
        ("PSETEX", "9223372036854775807", "ERR invalid expire time in 'psetex' command"),
        ("SETEX", "abc", "ERR value is not an integer or out of range"), ("PSETEX", "100", "OK"),
    ])
    func setexTimes(_ command: String, _ time: String, _ expected: String) {
        let s = Strings()
        let reply = s.run(command, "k", time, "v")
        #expect(reply == (expected == "OK" ? .ok : .error(b(expected))))
    }
}
