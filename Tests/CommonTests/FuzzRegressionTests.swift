@testable import Common
import Testing
import Harness

// Inputs that broke an invariant of the fuzzer (Tests/Fuzz/README.md), each
// kept as a test with its bytes, plus a few seeds of its corpus that
// exercise those invariants most. The helpers below check what the fuzzer
// checks, so that a test here fails the way the fuzzer did.

/// Bytes from text.
private func b(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The ways the fuzzer cuts an input: whole, a byte at a time, and in
/// pieces of 7 bytes (a size that cuts lines and lengths in odd places).
private let pieceSizes = [Int.max, 1, 7]

/// What a request parser made of `input` fed in pieces of `pieceSize`
/// bytes, and the most memory it held relative to the bytes received.
private struct Requests: Equatable {
    var commands: [[[UInt8]]] = []
    var error: ProtocolError?
    var buffered = 0
    /// True if the parser's buffer or argument list ever outgrew what the
    /// fuzzer allows: twice the bytes received, plus a constant.
    var overReserved = false
}

/// Parses `input` as requests, in pieces, checking memory after each step.
private func parseRequests(_ input: [UInt8], pieceSize: Int) -> Requests {
    var parser = RequestParser()
    var result = Requests()
    var received = 0
    func checkMemory() {
        if parser.bufferCapacity > 2 * received + 64 || parser.argumentsCapacity > 2 * 1024 + 2 * received {
            result.overReserved = true
        }
    }
    var start = 0
    repeat {
        let end = min(input.count, start + min(pieceSize, input.count - start))
        parser.append(input[start..<end])
        received = end
        start = end
        checkMemory()
        do {
            while let command = try parser.next() {
                result.commands.append(command)
                checkMemory()
            }
        } catch {
            result.error = error
            return result
        }
    } while start < input.count
    result.buffered = parser.bufferedByteCount
    return result
}

/// What a reply parser made of `input` fed in pieces of `pieceSize` bytes.
private func parseReplies(_ input: [UInt8], pieceSize: Int) -> (values: [RESPValue], error: ReplyParser.MalformedReply?) {
    var parser = ReplyParser()
    var values: [RESPValue] = []
    var start = 0
    repeat {
        let end = min(input.count, start + min(pieceSize, input.count - start))
        parser.append(input[start..<end])
        start = end
        do {
            while let value = try parser.next() { values.append(value) }
        } catch {
            return (values, error)
        }
    } while start < input.count
    return (values, nil)
}

/// The request invariants: every cut gives what the whole gives, memory
/// follows the bytes received, and each command survives a round trip
/// through `RESPValue.request`. Returns the whole parse.
@discardableResult
private func checkRequestInvariants(_ input: [UInt8]) -> Requests {
    let whole = parseRequests(input, pieceSize: Int.max)
    for pieceSize in pieceSizes {
        let cut = parseRequests(input, pieceSize: pieceSize)
        #expect(!cut.overReserved, "pieces of \(pieceSize): memory reserved beyond what arrived, for \(input.escaped)")
        #expect(cut == whole, "pieces of \(pieceSize) parse differently: \(input.escaped)")
    }
    for command in whole.commands {
        #expect(!command.isEmpty)
        let again = parseRequests(RESPValue.request(command), pieceSize: Int.max)
        #expect(again == Requests(commands: [command]), "round trip of \(command.map { $0.escaped })")
    }
    return whole
}

/// A server reply, encoded in `version`, parses back to one value.
private func checkReplyParsesBack(_ reply: RESPValue, version: RESPVersion = .resp2) throws {
    var encoded: [UInt8] = []
    reply.encode(into: &encoded, version: version)
    var parser = ReplyParser()
    parser.append(encoded)
    #expect(try parser.next() != nil, "\(encoded.escaped)")
    #expect(parser.unparsedBytes.isEmpty, "\(encoded.escaped)")
}

@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    // MARK: - Found by fuzzing

    /// libFuzzer's crash, minimized: a bulk string announcing Int.max bytes
    /// made `ReplyParser` compute `length + 2` and trap on the overflow.
    @Test("a reply announcing an Int.max-byte bulk string waits for it instead of trapping")
    func replyWithHugeBulkLength() {
        // "$9223372036854775807\r\n"
        let input: [UInt8] = [
            0x24, 0x39, 0x32, 0x32, 0x33, 0x33, 0x37, 0x32, 0x30, 0x33, 0x36,
            0x38, 0x35, 0x34, 0x37, 0x37, 0x35, 0x38, 0x30, 0x37, 0x0d, 0x0a,
        ]
        for pieceSize in pieceSizes {
            let result = parseReplies(input, pieceSize: pieceSize)
            #expect(result.values.isEmpty)
            #expect(result.error == nil)
        }
        // Inside an array, after a complete element, the same.
        let nested = b("*2\r\n:1\r\n") + input
        #expect(parseReplies(nested, pieceSize: Int.max).values.isEmpty)
    }

    /// A RESP3 map announcing more than Int.max / 2 pairs made `ReplyParser`
    /// compute `pairs * 2` and trap on the overflow.
    @Test("a reply announcing more than Int.max / 2 map pairs waits instead of trapping",
          arguments: ["%4611686018427387904\r\n", "%9223372036854775807\r\n+k\r\n"])
    func replyWithHugeMapCount(_ text: String) {
        // "%4611686018427387904\r\n" is 2^62: twice that is past Int.max.
        for pieceSize in pieceSizes {
            let result = parseReplies(b(text), pieceSize: pieceSize)
            #expect(result.values.isEmpty)
            #expect(result.error == nil)
        }
    }

    /// 50,000 nested one-element arrays (200 KB) overflowed the stack: one
    /// recursive call per level. Nesting now stops at `maxNesting` levels
    /// with a malformed-reply error; replies up to that depth still parse.
    @Test("deeply nested replies are an error, not a stack overflow")
    func replyNestedTooDeeply() throws {
        let deepest = ReplyParser.maxNesting
        let tooDeep = Array(Array(repeating: b("*1\r\n"), count: 50_000).joined()) + b(":1\r\n")
        for pieceSize in [Int.max, 4096] {
            #expect(parseReplies(tooDeep, pieceSize: pieceSize).error != nil)
        }
        let oneTooMany = Array(Array(repeating: b("*1\r\n"), count: deepest + 1).joined()) + b(":1\r\n")
        #expect(parseReplies(oneTooMany, pieceSize: Int.max).error != nil)
        // Exactly `maxNesting` levels parse, and come back as they went.
        var value = RESPValue.integer(1)
        for _ in 0..<deepest { value = .array([value]) }
        var parser = ReplyParser()
        parser.append(value.encoded)
        #expect(try parser.next() == value)
    }

    // MARK: - Seeds that exercise the invariants

    /// Corpus seeds (Tests/Fuzz/corpus) for the request invariants: huge
    /// announced counts and lengths (memory), NUL bytes and a lone CR in
    /// headers (the C-string search Redis does), inline quoting and a
    /// pipeline that mixes both forms and ends mid-command.
    @Test("request seeds keep the fuzzer's invariants", arguments: [
        "*2147483647\r\n$4\r\nPING\r\n",
        "*1\r\n$536870912\r\nPIN",
        "*1\u{0}\r\n$4\r\nPING\r\n",
        "*1\r",
        "*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n",
        "ECHO \"a b\\n\\x41\\\"\" 'it\\'s'\r\nSET \"k k\" 'v' EX 5\r\n",
        "EC\u{0}HO hi\r\nPING\r\n",
        "ECHO 'a'b\r\n",
        "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\nGET a\r\n*2\r\n$4\r\nPTTL\r\n$1\r\na\r\nECHO 'done'\n*2\r\n$4\r\nECHO\r\n$10\r\nabc",
    ])
    func requestSeeds(_ text: String) {
        checkRequestInvariants(b(text))
    }

    /// The NUL bytes of a binary-safe bulk string, and a command that is
    /// both CR LF and NUL inside, survive every cut and the round trip.
    @Test("binary arguments keep the fuzzer's invariants")
    func binaryArguments() {
        let whole = checkRequestInvariants(RESPValue.request([b("ECHO"), [0, 13, 10, 0, 255]]))
        #expect(whole.commands == [[b("ECHO"), [0, 13, 10, 0, 255]]])
    }

    /// Commands at the edges of the integers (the `set-ex-overflow` and
    /// `expire-past-and-extremes` seeds): every reply, error or not, must
    /// encode to something `ReplyParser` reads back, and the store's
    /// counts must agree with its keys.
    @Test("extreme TTLs give replies that parse, and a consistent store")
    func extremeTTLs() throws {
        let clock = ManualTimeSource()
        let store = Store(clock: clock)
        let words: [[String]] = [
            ["SET", "k", "v", "EX", "9223372036854775807"],
            ["SET", "k", "v", "PX", "9223372036854775807"],
            ["SET", "k", "v", "PXAT", "9223372036854775807"],
            ["SET", "j", "v", "EXAT", "9223372036854775"],
            ["PEXPIRE", "k", "-9223372036854775808"],
            ["SET", "k", "v"],
            ["EXPIRE", "k", "9223372036854775807"],
            ["EXPIRE", "k", "9223372036854775"],
            ["PEXPIRE", "k", "9223372036854775807", "GT"],
            ["TTL", "k"], ["PTTL", "j"],
        ]
        for command in words {
            let arguments = command.map { b($0) }
            let reply = try #require(CommandTable.stage6.reply(to: arguments, store: store))
            try checkReplyParsesBack(reply)
            try checkReplyParsesBack(reply, version: .resp3)
            clock.advance(by: 1000)
        }
        store.withDatabase { database in
            var live = 0
            var withDeadline = 0
            for key in [b("k"), b("j")] {
                switch database.expiry(of: key) {
                case .missing: break
                case .never: live += 1
                case .at(let deadline):
                    #expect(deadline >= database.now)
                    live += 1
                    withDeadline += 1
                }
            }
            #expect(database.count == live)
            #expect(database.countWithExpiry == withDeadline)
        }
    }
}
