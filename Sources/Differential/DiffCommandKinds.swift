/// One command of the grammar: its name, how often it is drawn, and how a
/// random instance of it is drawn, well-formed or not.
public struct DiffCommandKind: Sendable {
    /// The command's name, for the report.
    public let name: String
    /// How often it is drawn, relative to the others.
    public let weight: Int
    /// Not drawn while the connection may be in RESP2's subscribed mode:
    /// the commands with subcommands (CONFIG GET, PUBSUB), which our stages
    /// refuse there under the container's name ('config') where Redis first
    /// looks up the subcommand (its errors, then 'config|get'). A known
    /// divergence, reported; remove the flag once the stages match (and
    /// `DiffGenerator.mayRefuseSubcommands`, its twin for MULTI).
    public let avoidWhileSubscribed: Bool
    /// Not drawn inside MULTI: its reply is compared with a tolerance,
    /// which EXEC's array, compared exactly, would not have (TTL and the
    /// other time queries).
    public let avoidInsideTransaction: Bool
    /// Draws one instance.
    let draw: @Sendable (inout DiffGenerator) -> DiffCommand

    /// A command kind; `draw` uses the generator's helpers for keys, values
    /// and times.
    public init(name: String, weight: Int, avoidWhileSubscribed: Bool = false, avoidInsideTransaction: Bool = false,
                draw: @escaping @Sendable (inout DiffGenerator) -> DiffCommand) {
        self.name = name
        self.weight = weight
        self.avoidWhileSubscribed = avoidWhileSubscribed
        self.avoidInsideTransaction = avoidInsideTransaction
        self.draw = draw
    }
}

extension DiffCommandKind {
    /// PING, and from stage 3 on PING with a message or too many arguments.
    public static let ping = DiffCommandKind(name: "PING", weight: 3) { generator in
        guard generator.hostile else { return DiffCommand([Array("PING".utf8)]) }
        let extra = generator.random.pick([0, 0, 0, 1, 1, 2])
        return DiffCommand([Array("PING".utf8)] + (0..<extra).map { _ in generator.value() })
    }

    /// ECHO message, sometimes with no message or two.
    public static let echo = DiffCommandKind(name: "ECHO", weight: 4) { generator in
        DiffCommand(generator.wrongArity([Array("ECHO".utf8), generator.value()]))
    }

    /// Commands that no Redis has, with a few arguments: Redis names the
    /// command and quotes the first arguments (`'a' 'b' `, with a trailing
    /// space), cut at 128 characters and at a NUL byte.
    public static let unknownCommand = DiffCommandKind(name: "unknown commands", weight: 2) { generator in
        let names: [[UInt8]] = [
            Array("FOO".utf8), Array("GETX".utf8), Array("SETT".utf8), Array("ECH".utf8), Array("xyzzy".utf8), [],
            [0, UInt8(ascii: "x")], Array("bad\r\nname".utf8), [UInt8](repeating: UInt8(ascii: "z"), count: 200),
        ]
        let count = generator.random.below(4)
        return DiffCommand([generator.random.pick(names)] + (0..<count).map { _ in
            generator.random.chance(50) ? generator.key() : generator.value()
        })
    }

    /// SET key value [options], with the options of the stage: in any
    /// order, repeated, conflicting, unknown, or missing their argument.
    public static let set = DiffCommandKind(name: "SET", weight: 14) { generator in
        var arguments = [Array("SET".utf8), generator.key(), generator.value()]
        var command = DiffCommand([])
        let optionCount = generator.random.pick([0, 0, 0, 0, 1, 1, 1, 2, 2, 3])
        for _ in 0..<optionCount where !generator.setOptions.isEmpty {
            if generator.hostile && generator.random.chance(5) {
                arguments.append(generator.word(generator.random.pick(["FOO", "EXX", "", "PXX"])))
                continue
            }
            let option = generator.random.pick(generator.setOptions)
            arguments.append(generator.word(option.rawValue))
            // An option that takes a time sometimes comes without one.
            if generator.hostile && generator.random.chance(3) { continue }
            switch option {
            case .ex, .px:
                let time = generator.relativeTime(option == .ex ? .seconds : .milliseconds, comparing: false)
                arguments.append(time.bytes)
                command.shortTTL = command.shortTTL || time.short
            case .exat, .pxat:
                let time = generator.absoluteTime(option == .exat ? .seconds : .milliseconds)
                arguments.append(time.bytes)
                // Redis 7.0 stores a key whose EXAT is past; active expiry reclaims it.
                command.mayLeaveExpiredKey = command.mayLeaveExpiredKey || time.past
            case .nx, .xx, .get, .keepTTL:
                break
            }
        }
        command.mayLeaveExpiredKey = command.mayLeaveExpiredKey || command.shortTTL
        command.arguments = generator.hostile && generator.random.chance(4)
            ? Array(arguments.prefix(generator.random.below(3) + 1)) : arguments
        return command
    }

    /// GET key.
    public static let get = DiffCommandKind(name: "GET", weight: 8) { generator in
        DiffCommand(generator.wrongArity([Array("GET".utf8), generator.key()]))
    }

    /// DEL key [key ...]: often the same key twice, which counts once.
    public static let del = DiffCommandKind(name: "DEL", weight: 5) { generator in
        DiffCommand(keyList("DEL", &generator))
    }

    /// EXISTS key [key ...]: a key named twice counts twice.
    public static let exists = DiffCommandKind(name: "EXISTS", weight: 5) { generator in
        DiffCommand(keyList("EXISTS", &generator))
    }

    /// `name` and one to four keys from the pool (none, with hostile input).
    private static func keyList(_ name: String, _ generator: inout DiffGenerator) -> [[UInt8]] {
        let count = generator.hostile && generator.random.chance(5) ? 0 : 1 + generator.random.below(4)
        return [Array(name.utf8)] + (0..<count).map { _ in generator.key() }
    }

    /// DBSIZE (compared only while no expired key may linger).
    public static let dbsize = DiffCommandKind(name: "DBSIZE", weight: 2) { generator in
        DiffCommand(generator.wrongArity([Array("DBSIZE".utf8)]), comparison: .keyCount)
    }

    /// FLUSHALL [ASYNC|SYNC], rarely, so that keys live long enough to meet.
    public static let flushall = DiffCommandKind(name: "FLUSHALL", weight: 1) { generator in
        let roll = generator.random.below(10)
        if roll < 7 { return DiffCommand([Array("FLUSHALL".utf8)]) }
        let option = roll < 9 ? generator.random.pick(["ASYNC", "SYNC"]) : generator.random.pick(["FOO", "ASYNC SYNC"])
        return DiffCommand([Array("FLUSHALL".utf8), generator.word(option)])
    }

    /// TYPE key.
    public static let type = DiffCommandKind(name: "TYPE", weight: 3) { generator in
        DiffCommand(generator.wrongArity([Array("TYPE".utf8), generator.key()]))
    }

    /// CONFIG GET with the stage's parameters: exact names, in other cases,
    /// as `?` patterns, unknown names; and CONFIG without GET.
    public static let configGet = DiffCommandKind(name: "CONFIG GET", weight: 2, avoidWhileSubscribed: true) { generator in
        if generator.hostile && generator.mayRefuseSubcommands && generator.random.chance(10) {
            // Not a subcommand with a NUL byte (`GET\0`): Redis finds
            // subcommands by a hash over all the bytes and a comparison that
            // stops at the NUL, so whether `GET\0` means GET depends on the
            // hash seed drawn at startup, and two runs of redis-server
            // answer differently.
            return DiffCommand(generator.random.pick([["CONFIG"], ["CONFIG", "GET"], ["CONFIG", "FOO"], ["CONFIG", "GETX", "save"]]).map { Array($0.utf8) })
        }
        // One parameter inside MULTI: EXEC's array is compared exactly, and
        // Redis lists several matches in its dict's (random) order.
        let count = generator.transactionState == .outside ? 1 + generator.random.below(3) : 1
        let parameters: [[UInt8]] = (0..<count).map { _ in
            let name = Array(generator.random.pick(generator.configParameters).utf8)
            switch generator.random.below(10) {
            case 0..<5: return name
            case 5..<7: return generator.mixedCase(name)
            case 7..<9: return name.dropLast() + [UInt8(ascii: "?")]
            default: return Array("no-such-parameter".utf8)
            }
        }
        return DiffCommand([Array("CONFIG".utf8), generator.word("GET")] + parameters, comparison: .unorderedPairs)
    }

    /// HELLO with good and bad protocol versions, AUTH and SETNAME. Its
    /// successful reply carries the connection id and the server version,
    /// which legitimately differ: those two fields are masked.
    public static let hello = DiffCommandKind(name: "HELLO", weight: 1) { generator in
        let forms: [[String]] = [
            [], ["2"], ["3"], ["1"], ["4"], ["abc"], ["-1"], [""], ["3", "SETNAME", "fuzzer"], ["3", "SETNAME", "a b"],
            ["2", "AUTH", "default", "secret"], ["3", "AUTH", "nobody", "secret"], ["3", "AUTH"], ["2", "FOO"],
            ["3", "SETNAME"], ["9223372036854775808"],
        ]
        // Inside MULTI only the forms that fail: a reply that EXEC's array
        // holds is compared exactly, and a successful one has the id.
        let failing: [[String]] = [["1"], ["4"], ["abc"], ["-1"], [""], ["9223372036854775808"]]
        let form = generator.random.pick(generator.transactionState == .outside ? forms : failing)
        return DiffCommand([Array("HELLO".utf8)] + form.map { generator.word($0) }, comparison: .hello)
    }

    /// EXPIRE-like commands: `name key time [NX|XX|GT|LT ...]`, with a
    /// relative time or, when `absolute` (EXPIREAT, PEXPIREAT), a Unix time.
    public static func expire(_ name: String, unit: DiffTimeUnit, absolute: Bool = false) -> DiffCommandKind {
        DiffCommandKind(name: name, weight: 6) { generator in
            let optionCount = generator.random.pick([0, 0, 0, 1, 1, 2])
            var options: [[UInt8]] = (0..<optionCount).map { _ in
                generator.word(generator.random.pick(["NX", "XX", "GT", "LT"]))
            }
            if generator.hostile && generator.random.chance(5) { options.append(generator.word(generator.random.pick(["FOO", "GTX", ""]))) }
            let comparing = options.contains { [Array("GT".utf8), Array("LT".utf8)].contains($0.map { $0 & ~0x20 }) }
            var command = DiffCommand([])
            let time: [UInt8]
            if absolute {
                let drawn = generator.absoluteTime(unit)
                time = drawn.bytes
            } else {
                let drawn = generator.relativeTime(unit, comparing: comparing)
                time = drawn.bytes
                command.shortTTL = drawn.short
                command.mayLeaveExpiredKey = drawn.short
            }
            command.arguments = generator.wrongArity([Array(name.utf8), generator.key(), time] + options)
            return command
        }
    }

    /// PERSIST key.
    public static let persist = DiffCommandKind(name: "PERSIST", weight: 3) { generator in
        DiffCommand(generator.wrongArity([Array("PERSIST".utf8), generator.key()]))
    }

    /// TTL-like commands (TTL, PTTL, EXPIRETIME, PEXPIRETIME): `name key`,
    /// answered with a time compared within a tolerance. The two servers
    /// see each command a few milliseconds apart (the runner writes a batch
    /// to both before reading either, so the gap is at most the time one
    /// batch takes, plus scheduling), and TTL rounds to the nearest second:
    /// so seconds may differ by 1, milliseconds by 500 (generous for a
    /// loaded CI machine, and still far below any real TTL bug, since every
    /// long TTL is at least an hour and TTLs drawn are a second apart).
    public static func timeQuery(_ name: String, unit: DiffTimeUnit) -> DiffCommandKind {
        DiffCommandKind(name: name, weight: 5, avoidInsideTransaction: true) { generator in
            DiffCommand(generator.wrongArity([Array(name.utf8), generator.key()]),
                        comparison: .time(tolerance: unit == .seconds ? 1 : 500))
        }
    }
}

// MARK: - Lists (stage 7)

extension DiffCommandKind {
    /// LPUSH, RPUSH, LPUSHX, RPUSHX: `name key element [element ...]`, one
    /// to ten elements (none, with hostile input: an arity error).
    public static func push(_ name: String, weight: Int) -> DiffCommandKind {
        DiffCommandKind(name: name, weight: weight) { generator in
            let key = generator.listKey(written: true)
            let count = generator.hostile && generator.random.chance(4) ? 0 : generator.random.pick([1, 1, 1, 1, 2, 2, 3, 5, 10])
            return DiffCommand([Array(name.utf8), key] + (0..<count).map { _ in generator.element() })
        }
    }

    /// LPOP, RPOP: `name key [count]`, the count zero, negative, past the
    /// list's length or not a number.
    public static func pop(_ name: String) -> DiffCommandKind {
        DiffCommandKind(name: name, weight: 5) { generator in
            var arguments = [Array(name.utf8), generator.listKey()]
            if generator.random.chance(40) { arguments.append(generator.listCount()) }
            return DiffCommand(generator.wrongArity(arguments))
        }
    }

    /// LLEN key.
    public static let llen = DiffCommandKind(name: "LLEN", weight: 3) { generator in
        DiffCommand(generator.wrongArity([Array("LLEN".utf8), generator.listKey()]))
    }

    /// LRANGE key start stop: negative indexes, indexes past either end,
    /// start after stop.
    public static let lrange = DiffCommandKind(name: "LRANGE", weight: 6) { generator in
        DiffCommand(generator.wrongArity([Array("LRANGE".utf8), generator.listKey(), generator.listIndex(), generator.listIndex()]))
    }

    /// LINDEX key index.
    public static let lindex = DiffCommandKind(name: "LINDEX", weight: 3) { generator in
        DiffCommand(generator.wrongArity([Array("LINDEX".utf8), generator.listKey(), generator.listIndex()]))
    }

    /// LSET key index element: on a missing key (`no such key`) and out of
    /// range (`index out of range`) as often as not.
    public static let lset = DiffCommandKind(name: "LSET", weight: 3) { generator in
        DiffCommand(generator.wrongArity([Array("LSET".utf8), generator.listKey(), generator.listIndex(), generator.element()]))
    }

    /// LINSERT key BEFORE|AFTER pivot element: pivots that are in the list
    /// and pivots that are not (-1), on missing keys (0).
    public static let linsert = DiffCommandKind(name: "LINSERT", weight: 3) { generator in
        let place = generator.hostile && generator.random.chance(5)
            ? generator.random.pick(["MIDDLE", "", "BEFOREX"]) : generator.random.pick(["BEFORE", "AFTER"])
        return DiffCommand(generator.wrongArity([
            Array("LINSERT".utf8), generator.listKey(written: true), generator.word(place), generator.element(), generator.element(),
        ]))
    }

    /// LREM key count element: from the head (count > 0), the tail (< 0),
    /// or all (0).
    public static let lrem = DiffCommandKind(name: "LREM", weight: 3) { generator in
        let count = generator.hostile && generator.random.chance(8)
            ? generator.random.pick(DiffGenerator.brokenIntegers) : generator.random.pick(["0", "1", "2", "-1", "-2", "100", "-100"])
        return DiffCommand(generator.wrongArity([Array("LREM".utf8), generator.listKey(), Array(count.utf8), generator.element()]))
    }

    /// LTRIM key start stop (which deletes a list trimmed to nothing).
    public static let ltrim = DiffCommandKind(name: "LTRIM", weight: 2) { generator in
        DiffCommand(generator.wrongArity([Array("LTRIM".utf8), generator.listKey(), generator.listIndex(), generator.listIndex()]))
    }

    /// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]: the
    /// options in any order, repeated, out of range (RANK 0, negative
    /// COUNT or MAXLEN), unknown, or missing their argument.
    public static let lpos = DiffCommandKind(name: "LPOS", weight: 4) { generator in
        var arguments = [Array("LPOS".utf8), generator.listKey(), generator.element()]
        let optionCount = generator.random.pick([0, 0, 1, 1, 1, 2, 2, 3])
        for _ in 0..<optionCount {
            if generator.hostile && generator.random.chance(5) {
                arguments.append(generator.word(generator.random.pick(["FOO", "RANKS", ""])))
                continue
            }
            let option = generator.random.pick(["RANK", "COUNT", "MAXLEN"])
            arguments.append(generator.word(option))
            if generator.hostile && generator.random.chance(4) { continue }
            let values: [String]
            switch option {
            case "RANK": values = ["1", "1", "2", "-1", "-1", "-2", "3", "0", "-9223372036854775808", "9223372036854775807"]
            case "COUNT": values = ["0", "0", "1", "2", "3", "100", "-1"]
            default: values = ["0", "1", "2", "3", "100", "-1"]
            }
            let value = generator.hostile && generator.random.chance(5)
                ? generator.random.pick(DiffGenerator.brokenIntegers) : generator.random.pick(values)
            arguments.append(Array(value.utf8))
        }
        return DiffCommand(arguments)
    }

    /// LMOVE source destination LEFT|RIGHT LEFT|RIGHT: every direction, the
    /// source as its own destination, directions that are neither.
    public static let lmove = DiffCommandKind(name: "LMOVE", weight: 4) { generator in
        DiffCommand(generator.wrongArity([Array("LMOVE".utf8), generator.listKey(), generator.listKey(written: true),
                                          generator.direction(), generator.direction()]))
    }

    /// RPOPLPUSH source destination.
    public static let rpoplpush = DiffCommandKind(name: "RPOPLPUSH", weight: 2) { generator in
        DiffCommand(generator.wrongArity([Array("RPOPLPUSH".utf8), generator.listKey(), generator.listKey(written: true)]))
    }

    /// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count].
    public static let lmpop = DiffCommandKind(name: "LMPOP", weight: 3) { generator in
        DiffCommand(generator.wrongArity([Array("LMPOP".utf8)] + generator.multiPopArguments(blocking: false)))
    }

    // Blocking pops. In the lockstep differential no other client ever
    // pushes, so a blocking pop either finds an element at once or waits
    // out its timeout (0.01 s) and replies nil: the same reply on both
    // servers, only later. (Redis checks timeouts on its own clock, ten
    // times a second by default: a pop that waits costs about 100 ms.) So
    // they are drawn rarely, mostly on the key a list command last wrote
    // (`blockingKey`), and never with a timeout that could block for long:
    // no 0 (forever), nothing that rounds to 0 ms (0.0001), no whole
    // seconds, and no extra argument after the timeout (`wrongArity` could
    // add `0` or `3.14` there), which would make a time of it.

    /// BLPOP, BRPOP, BRPOPLPUSH, BLMOVE, BLMPOP: one kind, so that all five
    /// together are drawn about once in eighty commands.
    public static let blockingPop = DiffCommandKind(name: "BLPOP/BRPOP/BRPOPLPUSH/BLMOVE/BLMPOP", weight: 2) { generator in
        var arguments: [[UInt8]]
        switch generator.random.below(5) {
        case 0, 1:
            // BLPOP, BRPOP: `name key [key ...] timeout`.
            let count = generator.random.pick([1, 1, 1, 2, 3])
            arguments = [generator.word(generator.random.pick(["BLPOP", "BRPOP"]))] + (0..<count).map { _ in generator.blockingKey() }
            arguments.append(generator.blockingTimeout())
        case 2:
            // BRPOPLPUSH source destination timeout.
            arguments = [Array("BRPOPLPUSH".utf8), generator.blockingKey(), generator.listKey(written: true), generator.blockingTimeout()]
        case 3:
            // BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout.
            arguments = [Array("BLMOVE".utf8), generator.blockingKey(), generator.listKey(written: true),
                         generator.direction(), generator.direction(), generator.blockingTimeout()]
        default:
            // BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count].
            return DiffCommand([Array("BLMPOP".utf8), generator.blockingTimeout()] + generator.multiPopArguments(blocking: true),
                               blocksMilliseconds: DiffGenerator.blockingTimeoutMilliseconds)
        }
        // An arity error, or (with two keys or more) a key taken as the timeout.
        if generator.hostile && generator.random.chance(4) { arguments.removeLast() }
        return DiffCommand(arguments, blocksMilliseconds: DiffGenerator.blockingTimeoutMilliseconds)
    }
}

// MARK: - The string family (stage 8)

extension DiffCommandKind {
    /// INCR, DECR: `name key`, mostly on the counter keys (which hold
    /// numbers), else on any key, where most values are not integers.
    public static func incrDecr(_ name: String) -> DiffCommandKind {
        DiffCommandKind(name: name, weight: 4) { generator in
            DiffCommand(generator.wrongArity([Array(name.utf8), generator.counterKey()]))
        }
    }

    /// INCRBY, DECRBY: `name key amount`, the amount small, at the 64-bit
    /// limits (overflow, and DECRBY's own error for the most negative), or
    /// not an integer.
    public static func incrBy(_ name: String) -> DiffCommandKind {
        DiffCommandKind(name: name, weight: 4) { generator in
            DiffCommand(generator.wrongArity([Array(name.utf8), generator.counterKey(), generator.counterAmount()]))
        }
    }

    /// INCRBYFLOAT key increment: decimals, exponents, hex, huge and tiny
    /// numbers, inf and nan, and text that is no number (see `floatAmount`).
    public static let incrByFloat = DiffCommandKind(name: "INCRBYFLOAT", weight: 4) { generator in
        DiffCommand(generator.wrongArity([Array("INCRBYFLOAT".utf8), generator.counterKey(), generator.floatAmount()]))
    }

    /// APPEND key value.
    public static let append = DiffCommandKind(name: "APPEND", weight: 3) { generator in
        DiffCommand(generator.wrongArity([Array("APPEND".utf8), generator.counterKey(), generator.value()]))
    }

    /// STRLEN key.
    public static let strlen = DiffCommandKind(name: "STRLEN", weight: 2) { generator in
        DiffCommand(generator.wrongArity([Array("STRLEN".utf8), generator.counterKey()]))
    }

    /// GETRANGE key start end, with LRANGE's indexes (negative, far out of
    /// range, at the 64-bit limits, not integers).
    public static let getrange = DiffCommandKind(name: "GETRANGE", weight: 3) { generator in
        DiffCommand(generator.wrongArity([Array("GETRANGE".utf8), generator.counterKey(), generator.listIndex(), generator.listIndex()]))
    }

    /// SETRANGE key offset value: small offsets (padding with zero bytes),
    /// offsets past 512 MB or negative or broken (errors), and the empty
    /// value (which writes nothing). Never an offset that Redis would
    /// accept and make a huge string of.
    public static let setrange = DiffCommandKind(name: "SETRANGE", weight: 3) { generator in
        let offset: String
        let roll = generator.random.below(100)
        if roll < 75 || !generator.hostile {
            offset = String(generator.random.pick([0, 0, 1, 2, 3, 5, 10, 20, 100]))
        } else if roll < 88 {
            offset = generator.random.pick(["-1", "-100", "536870912", "1000000000000", "9223372036854775807", "-9223372036854775808"])
        } else {
            offset = generator.random.pick(DiffGenerator.brokenIntegers)
        }
        let value = generator.random.chance(10) ? [] : generator.value()
        return DiffCommand(generator.wrongArity([Array("SETRANGE".utf8), generator.counterKey(), Array(offset.utf8), value]))
    }

    /// MGET key [key ...]: strings, lists (nulls, no WRONGTYPE), missing keys.
    public static let mget = DiffCommandKind(name: "MGET", weight: 3) { generator in
        let count = generator.hostile && generator.random.chance(5) ? 0 : 1 + generator.random.below(5)
        return DiffCommand([Array("MGET".utf8)] + (0..<count).map { _ in generator.random.chance(30) ? generator.listKey() : generator.counterKey() })
    }

    /// MSET, MSETNX: `name key value [key value ...]`, one to four pairs,
    /// sometimes a key twice, sometimes (with hostile input) a key without
    /// its value.
    public static func mset(_ name: String) -> DiffCommandKind {
        DiffCommandKind(name: name, weight: 3) { generator in
            let pairs = 1 + generator.random.below(4)
            var arguments = [Array(name.utf8)]
            for _ in 0..<pairs {
                arguments += [generator.random.chance(20) ? generator.listKey() : generator.counterKey(), generator.counterValue()]
            }
            if generator.hostile && generator.random.chance(8) { arguments.removeLast() }
            return DiffCommand(arguments)
        }
    }

    /// GETSET key value, GETDEL key.
    public static let getset = DiffCommandKind(name: "GETSET", weight: 2) { generator in
        DiffCommand(generator.wrongArity([Array("GETSET".utf8), generator.counterKey(), generator.counterValue()]))
    }

    /// GETDEL key.
    public static let getdel = DiffCommandKind(name: "GETDEL", weight: 2) { generator in
        DiffCommand(generator.wrongArity([Array("GETDEL".utf8), generator.counterKey()]))
    }

    /// GETEX key [EX|PX|EXAT|PXAT time | PERSIST]: every option, the same
    /// one twice, two that conflict, SET's options (syntax errors), a time
    /// missing or broken. Short PX times end their batch like SET's.
    public static let getex = DiffCommandKind(name: "GETEX", weight: 4) { generator in
        var arguments = [Array("GETEX".utf8), generator.counterKey()]
        var command = DiffCommand([])
        let optionCount = generator.random.pick([0, 1, 1, 1, 1, 2])
        for _ in 0..<optionCount {
            if generator.hostile && generator.random.chance(8) {
                // `PERSIST\0x` is PERSIST: Redis compares options as C strings.
                arguments.append(generator.word(generator.random.pick(["NX", "XX", "GET", "KEEPTTL", "FOO", "", "PERSIST\u{0}x"])))
                continue
            }
            let option = generator.random.pick(["EX", "PX", "EXAT", "PXAT", "PERSIST"])
            arguments.append(generator.word(option))
            if option == "PERSIST" || (generator.hostile && generator.random.chance(4)) { continue }
            switch option {
            case "EX", "PX":
                let time = generator.relativeTime(option == "EX" ? .seconds : .milliseconds, comparing: false)
                arguments.append(time.bytes)
                command.shortTTL = command.shortTTL || time.short
            default:
                // A past time deletes the key at once: nothing lingers.
                arguments.append(generator.absoluteTime(option == "EXAT" ? .seconds : .milliseconds).bytes)
            }
        }
        command.mayLeaveExpiredKey = command.shortTTL
        command.arguments = arguments
        return command
    }

    /// SETNX key value.
    public static let setnx = DiffCommandKind(name: "SETNX", weight: 2) { generator in
        DiffCommand(generator.wrongArity([Array("SETNX".utf8), generator.counterKey(), generator.counterValue()]))
    }

    /// SETEX key seconds value, PSETEX key milliseconds value: the times of
    /// EXPIRE (long, zero, negative, broken, too large; PSETEX's sometimes a
    /// few milliseconds, which end the batch).
    public static func setex(_ name: String, unit: DiffTimeUnit) -> DiffCommandKind {
        DiffCommandKind(name: name, weight: 3) { generator in
            let time = generator.relativeTime(unit, comparing: false)
            var command = DiffCommand(generator.wrongArity([Array(name.utf8), generator.counterKey(), time.bytes, generator.counterValue()]))
            command.shortTTL = time.short
            command.mayLeaveExpiredKey = time.short
            return command
        }
    }
}

// MARK: - Transactions (stage 8)

extension DiffCommandKind {
    /// MULTI, EXEC, DISCARD: drawn one at a time, so that sequences come
    /// out whole (MULTI, a few commands, EXEC) and broken (nested MULTI, EXEC
    /// or DISCARD without MULTI, a queueing error that poisons the
    /// transaction, EXEC with an argument). EXEC is drawn as often as MULTI,
    /// so a transaction stays short.
    public static func transaction(_ name: String, weight: Int) -> DiffCommandKind {
        DiffCommandKind(name: name, weight: weight) { generator in
            DiffCommand(generator.wrongArity([Array(name.utf8)]))
        }
    }

    /// WATCH key [key ...] and UNWATCH. One connection cannot race itself,
    /// but its own writes, expiry, FLUSHALL and WATCH inside MULTI all count.
    public static let watch = DiffCommandKind(name: "WATCH", weight: 2) { generator in
        let count = generator.random.pick([0, 1, 1, 1, 2, 3])
        return DiffCommand([Array("WATCH".utf8)] + (0..<count).map { _ in generator.key() })
    }

    /// UNWATCH, sometimes with an argument (an arity error).
    public static let unwatch = DiffCommandKind(name: "UNWATCH", weight: 1) { generator in
        DiffCommand(generator.wrongArity([Array("UNWATCH".utf8)]))
    }
}

// MARK: - Pub/sub (stage 9)

extension DiffCommandKind {
    /// SUBSCRIBE or PSUBSCRIBE (`patterns`) with names from the pools (one
    /// to three of them; only one inside MULTI, or where the generator
    /// cannot tell, see `DiffGenerator.subscriptionNameCount`), or, with
    /// hostile input, none (an arity error).
    public static func subscribe(_ name: String, weight: Int) -> DiffCommandKind {
        DiffCommandKind(name: name, weight: weight) { generator in
            if generator.hostile && generator.random.chance(4) { return DiffCommand([Array(name.utf8)]) }
            let patterns = name == "PSUBSCRIBE"
            let names = (0..<generator.subscriptionNameCount()).map { _ in generator.subscriptionName(patterns: patterns) }
            // Queued or not, it may run: the names are possibly subscribed from now on.
            generator.mayBeSubscribed(to: names, patterns: patterns)
            return DiffCommand([Array(name.utf8)] + names, replyCount: generator.repliesPerName ? names.count : 1)
        }
    }

    /// UNSUBSCRIBE or PUNSUBSCRIBE (`patterns`): with no name only while at
    /// most one channel (pattern) may be subscribed, since Redis answers
    /// for all of them in its dict's order, which its random hash seed
    /// decides; else every name of the pool (which leaves nothing
    /// subscribed), or one to three names.
    public static func unsubscribe(_ name: String, weight: Int) -> DiffCommandKind {
        DiffCommandKind(name: name, weight: weight) { generator in
            let patterns = name == "PUNSUBSCRIBE"
            let possible = patterns ? generator.possiblePatterns : generator.possibleChannels
            let roll = generator.random.below(100)
            let names: [[UInt8]]
            if roll < 30 && possible.count <= 1 {
                names = []
            } else if roll < 60 && generator.transactionState == .outside {
                names = (patterns ? DiffGenerator.patternPool : DiffGenerator.channelPool).map { Array($0.utf8) }
            } else {
                names = (0..<generator.subscriptionNameCount()).map { _ in generator.subscriptionName(patterns: patterns) }
            }
            let replies = generator.repliesPerName ? max(1, names.count) : 1
            generator.unsubscribed(from: names, patterns: patterns)
            return DiffCommand([Array(name.utf8)] + names, replyCount: replies)
        }
    }

    /// PUBLISH to a channel that nothing subscribes to, by name or by any
    /// pattern of the pool: the reply is `:0` (or an error), never a
    /// message that this same connection would receive between replies.
    public static let publish = DiffCommandKind(name: "PUBLISH", weight: 3) { generator in
        DiffCommand(generator.wrongArity([Array("PUBLISH".utf8), Array(generator.random.pick(DiffGenerator.silentChannels).utf8), generator.value()]))
    }

    /// PUBSUB CHANNELS [pattern] (compared in any order), NUMSUB with
    /// channels subscribed and not, NUMPAT; with hostile input, the wrong
    /// arities and an unknown subcommand.
    public static let pubsub = DiffCommandKind(name: "PUBSUB", weight: 3, avoidWhileSubscribed: true) { generator in
        let roll = generator.random.below(100)
        if generator.hostile && generator.mayRefuseSubcommands && roll < 10 {
            return DiffCommand(generator.random.pick([
                ["PUBSUB"], ["PUBSUB", "FOO"], ["PUBSUB", "NUMPAT", "x"], ["PUBSUB", "CHANNELS", "a", "b"], ["PUBSUB", "CHANNELSX"],
            ]).map { Array($0.utf8) })
        }
        // CHANNELS inside MULTI is EXEC's element, compared exactly: only
        // when at most one channel can be listed.
        if roll < 45 && (generator.transactionState == .outside || generator.possibleChannels.count <= 1) {
            let pattern = generator.random.chance(25) ? [] : [Array(generator.random.pick(DiffGenerator.channelsPatterns).utf8)]
            return DiffCommand([Array("PUBSUB".utf8), generator.word("CHANNELS")] + pattern, comparison: .unorderedElements)
        }
        if roll < 80 {
            let channels = (0..<generator.random.below(4)).map { _ in
                Array(generator.random.pick(DiffGenerator.channelPool + DiffGenerator.silentChannels).utf8)
            }
            return DiffCommand([Array("PUBSUB".utf8), generator.word("NUMSUB")] + channels)
        }
        return DiffCommand([Array("PUBSUB".utf8), generator.word("NUMPAT")])
    }
}
