@testable import Common
import Testing

/// Bytes from text.
private func b(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Words from text, for expected commands.
private func words(_ list: String...) -> [[UInt8]] { list.map { Array($0.utf8) } }

/// Feeds `input` in pieces of `pieceSize` bytes, collecting every command
/// `next()` returns; stops at the first protocol error.
private func parse(_ input: [UInt8], pieceSize: Int = Int.max) -> (commands: [[[UInt8]]], error: ProtocolError?) {
    var parser = RequestParser()
    var commands: [[[UInt8]]] = []
    var start = 0
    repeat {
        let end = min(input.count, start + max(1, min(pieceSize, input.count)))
        parser.append(input[start..<end])
        start = end
        do {
            while let command = try parser.next() { commands.append(command) }
        } catch {
            return (commands, error)
        }
    } while start < input.count
    return (commands, nil)
}

@Suite("RequestParser")
struct RequestParserTests {
    /// Well-formed input and the commands it holds.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var input: [UInt8]
        var commands: [[[UInt8]]]
        var testDescription: String { self.name }
    }

    static let wellFormed: [Case] = [
        Case(name: "multibulk PING", input: b("*1\r\n$4\r\nPING\r\n"), commands: [words("PING")]),
        Case(name: "multibulk ECHO", input: b("*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n"), commands: [words("ECHO", "hi")]),
        Case(name: "empty bulk string", input: b("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n"), commands: [words("ECHO", "")]),
        Case(name: "CR LF inside a bulk string", input: b("*2\r\n$4\r\nECHO\r\n$4\r\na\r\nb\r\n"), commands: [words("ECHO", "a\r\nb")]),
        Case(name: "NUL bytes inside a bulk string", input: b("*2\r\n$4\r\nECHO\r\n$3\r\n") + [0, 0, 0] + b("\r\n"), commands: [[b("ECHO"), [0, 0, 0]]]),
        Case(name: "three pipelined commands", input: b("*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$1\r\nx\r\n"),
             commands: [words("PING"), words("PING"), words("ECHO", "x")]),
        Case(name: "*0 and *-1 are skipped", input: b("*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n"), commands: [words("PING")]),
        Case(name: "the two bytes after a bulk are skipped unchecked, as in Redis", input: b("*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n"),
             commands: [words("PING"), words("PING")]),
        Case(name: "inline PING with CR LF", input: b("PING\r\n"), commands: [words("PING")]),
        Case(name: "inline PING with LF only", input: b("PING\n"), commands: [words("PING")]),
        Case(name: "inline words", input: b("ECHO   hello\tthere\r\n"), commands: [words("ECHO", "hello", "there")]),
        Case(name: "empty inline lines are skipped", input: b("\r\n\n   \r\nPING\r\n"), commands: [words("PING")]),
        Case(name: "inline and multibulk mixed", input: b("PING\r\n*1\r\n$4\r\nPING\r\nECHO a\r\n"),
             commands: [words("PING"), words("PING"), words("ECHO", "a")]),
        Case(name: "inline double quotes and escapes", input: b("ECHO \"a b\\n\\x41\\\"\"\r\n"), commands: [words("ECHO", "a b\nA\"")]),
        Case(name: "inline single quotes", input: b("ECHO 'a \\'b\\' \\n'\r\n"), commands: [words("ECHO", "a 'b' \\n")]),
        Case(name: "inline empty quoted words", input: b("ECHO \"\" ''\r\n"), commands: [words("ECHO", "", "")]),
        Case(name: "inline \\x with bad hex stays literal", input: b("ECHO \"\\xZZ\"\r\n"), commands: [words("ECHO", "xZZ")]),
        Case(name: "inline quote opening mid-word", input: b("ECHO a\"b c\"\r\n"), commands: [words("ECHO", "ab c")]),
        Case(name: "a NUL before the newline hides it, as C's strchr does", input: b("PING\r\nECHO a") + [0] + b(" b\r\n"), commands: [words("PING")]),
        Case(name: "a bulk string of 100 KB", input: b("*2\r\n$4\r\nECHO\r\n$102400\r\n") + [UInt8](repeating: 7, count: 102_400) + b("\r\n"),
             commands: [[b("ECHO"), [UInt8](repeating: 7, count: 102_400)]]),
    ]

    @Test("well-formed input, whole", arguments: wellFormed)
    func whole(_ testCase: Case) {
        let result = parse(testCase.input)
        #expect(result.error == nil)
        #expect(result.commands == testCase.commands, "input: \(testCase.input.escaped)")
    }

    @Test("well-formed input, one byte at a time", arguments: wellFormed)
    func byteByByte(_ testCase: Case) {
        let result = parse(testCase.input, pieceSize: 1)
        #expect(result.error == nil)
        #expect(result.commands == testCase.commands, "input: \(testCase.input.escaped)")
    }

    @Test("well-formed input, cut at every point into two reads", arguments: wellFormed.filter { $0.input.count < 200 })
    func everySplit(_ testCase: Case) {
        for cut in 0...testCase.input.count {
            var parser = RequestParser()
            var commands: [[[UInt8]]] = []
            for piece in [testCase.input[..<cut], testCase.input[cut...]] {
                parser.append(piece)
                while let command = try? parser.next() { commands.append(command) }
            }
            #expect(commands == testCase.commands, "cut at \(cut): \(testCase.input.escaped)")
        }
    }

    /// Malformed input and Redis 7's verdict.
    struct Malformed: Sendable, CustomTestStringConvertible {
        var input: [UInt8]
        var error: ProtocolError
        /// Commands that parse before the error.
        var before: Int = 0
        var testDescription: String { self.input.prefix(40).escaped }
    }

    static let malformed: [Malformed] = [
        Malformed(input: b("*-x\r\n"), error: .invalidMultibulkLength),
        Malformed(input: b("*\r\n"), error: .invalidMultibulkLength),
        Malformed(input: b("*+1\r\n"), error: .invalidMultibulkLength),
        Malformed(input: b("* 1\r\n"), error: .invalidMultibulkLength),
        Malformed(input: b("*01\r\n"), error: .invalidMultibulkLength),
        Malformed(input: b("*2147483648\r\n"), error: .invalidMultibulkLength),
        Malformed(input: b("*99999999999999999999999\r\n"), error: .invalidMultibulkLength),
        Malformed(input: b("*1\r\n$abc\r\n"), error: .invalidBulkLength),
        Malformed(input: b("*1\r\n$-1\r\n"), error: .invalidBulkLength),
        Malformed(input: b("*1\r\n$\r\n"), error: .invalidBulkLength),
        Malformed(input: b("*1\r\n$+4\r\nPING\r\n"), error: .invalidBulkLength),
        Malformed(input: b("*1\r\n$04\r\nPING\r\n"), error: .invalidBulkLength),
        Malformed(input: b("*1\r\n$536870913\r\n"), error: .invalidBulkLength),
        Malformed(input: b("*1\r\n$4\nPING\r\n"), error: .invalidBulkLength),
        Malformed(input: b("*1\r\nPING\r\n"), error: .expectedDollar(got: UInt8(ascii: "P"))),
        Malformed(input: b("*1\r\n$4\r\nPING\r\n*1\r\n:1\r\n"), error: .expectedDollar(got: UInt8(ascii: ":")), before: 1),
        Malformed(input: b("ECHO \"abc\r\n"), error: .unbalancedQuotes),
        Malformed(input: b("ECHO \"a\"b\r\n"), error: .unbalancedQuotes),
        Malformed(input: b("ECHO 'it''s'\r\n"), error: .unbalancedQuotes),
        Malformed(input: b("ECHO 'abc\r\n"), error: .unbalancedQuotes),
        Malformed(input: b("PING\r\nECHO \"x\r\n"), error: .unbalancedQuotes, before: 1),
        Malformed(input: [UInt8](repeating: 65, count: 64 * 1024 + 1), error: .tooBigInlineRequest),
        Malformed(input: b("*") + [UInt8](repeating: 49, count: 64 * 1024 + 1), error: .tooBigMultibulkCount),
        Malformed(input: b("*1\r\n$") + [UInt8](repeating: 49, count: 64 * 1024 + 1), error: .tooBigBulkCount),
    ]

    @Test("malformed input gets Redis's protocol error", arguments: malformed)
    func malformedInput(_ testCase: Malformed) {
        for pieceSize in [Int.max, 1, 7] where pieceSize == Int.max || testCase.input.count < 1000 {
            let result = parse(testCase.input, pieceSize: pieceSize)
            #expect(result.error == testCase.error, "pieces of \(pieceSize)")
            #expect(result.commands.count == testCase.before, "pieces of \(pieceSize)")
        }
    }

    @Test("the error texts are Redis 7's", arguments: [
        (ProtocolError.invalidMultibulkLength, "-ERR Protocol error: invalid multibulk length\r\n"),
        (.invalidBulkLength, "-ERR Protocol error: invalid bulk length\r\n"),
        (.expectedDollar(got: UInt8(ascii: "P")), "-ERR Protocol error: expected '$', got 'P'\r\n"),
        (.expectedDollar(got: 10), "-ERR Protocol error: expected '$', got ' '\r\n"),
        (.tooBigMultibulkCount, "-ERR Protocol error: too big mbulk count string\r\n"),
        (.tooBigBulkCount, "-ERR Protocol error: too big bulk count string\r\n"),
        (.tooBigInlineRequest, "-ERR Protocol error: too big inline request\r\n"),
        (.unbalancedQuotes, "-ERR Protocol error: unbalanced quotes in request\r\n"),
    ])
    func errorTexts(_ error: ProtocolError, _ expected: String) {
        #expect(error.reply.encoded.escaped == b(expected).escaped)
    }

    @Test("incomplete input waits instead of failing", arguments: [
        "*", "*1", "*1\r", "*1\r\n", "*1\r\n$", "*1\r\n$4", "*1\r\n$4\r", "*1\r\n$4\r\nPI", "*1\r\n$4\r\nPING", "*1\r\n$4\r\nPING\r",
        "PING", "PING\r", "ECHO \"open quote", "PING\u{0}\r\nPING\r\n", "*1\u{0}\r\n", "*2147483647\r\n", "*1\r\n$536870912\r\n", "*1\nxx",
    ])
    func incomplete(_ text: String) {
        let result = parse(b(text))
        #expect(result.error == nil)
        #expect(result.commands.isEmpty)
    }

    @Test("a huge announced bulk reserves nothing up front")
    func noUpFrontReservation() throws {
        var parser = RequestParser()
        parser.append(b("*2\r\n$4\r\nECHO\r\n$536870912\r\n") + [UInt8](repeating: 1, count: 1000))
        #expect(try parser.next() == nil)
        #expect(parser.bufferCapacity < 64 * 1024, "capacity \(parser.bufferCapacity) after 1 KB of a 512 MB bulk")
        // A count of two billion elements reserves nothing either.
        var counts = RequestParser()
        counts.append(b("*2147483647\r\n$1\r\na\r\n"))
        #expect(try counts.next() == nil)
        #expect(counts.argumentsCapacity < 2048, "reserved \(counts.argumentsCapacity) slots for a claimed 2^31-1")
    }

    @Test("memory is released once a big command is done")
    func releasesBigBuffers() throws {
        var parser = RequestParser()
        parser.append(RESPValue.request([b("ECHO"), [UInt8](repeating: 1, count: 1 << 20)]))
        #expect(try parser.next()?.count == 2)
        #expect(try parser.next() == nil)
        #expect(parser.bufferCapacity < 64 * 1024)
        #expect(parser.bufferedByteCount == 0)
        // Nor does it keep the last command's arguments (and so its 1 MB value).
        #expect(parser.argumentsCapacity == 0, "the parser still holds \(parser.argumentsCapacity) argument slots")
    }

    @Test("a command kept by its caller is not changed by the commands after it")
    func keptCommandsStayIntact() throws {
        // The parser reuses its array of arguments when the caller has let
        // go of it; a caller that keeps one (MULTI's queue) must still have
        // it whole after the next commands are parsed.
        var parser = RequestParser()
        parser.append(RESPValue.request([b("SET"), b("k"), b("v")]) + RESPValue.request([b("INCR"), b("n")])
                      + RESPValue.request([b("GET"), b("k")]))
        let first = try #require(try parser.next())
        let second = try #require(try parser.next())
        let third = try #require(try parser.next())
        #expect(first == [b("SET"), b("k"), b("v")], "kept: \(first.map { String(decoding: $0, as: UTF8.self) })")
        #expect(second == [b("INCR"), b("n")], "kept: \(second.map { String(decoding: $0, as: UTF8.self) })")
        #expect(third == [b("GET"), b("k")])
        #expect(try parser.next() == nil)
    }

    @Test("an argument kept by its caller is not overwritten by the next command's")
    func keptArgumentsStayIntact() throws {
        // The parser refills the last command's arrays in place when they
        // have the right size. A value the store keeps (SET's) is such an
        // array: the next command of the same shape must get a new one.
        var parser = RequestParser()
        parser.append(RESPValue.request([b("SET"), b("key"), b("aaa")]) + RESPValue.request([b("SET"), b("key"), b("bbb")]))
        var stored: [UInt8] = []
        do {
            let first = try #require(try parser.next())
            stored = first[2] // the command itself is let go, as after SET
        }
        let second = try #require(try parser.next())
        #expect(stored == b("aaa"), "the kept value became \(String(decoding: stored, as: UTF8.self).debugDescription)")
        #expect(second == [b("SET"), b("key"), b("bbb")])
    }

    @Test("a pipeline of commands of one shape reuses the arrays of their arguments")
    func pipelineReusesArgumentArrays() throws {
        // What the refill saves: a command that nobody kept leaves its
        // arrays to the next one, so a pipeline does not allocate an array
        // per argument (a third of MSET's instructions).
        var parser = RequestParser()
        parser.append(RESPValue.request([b("INCR"), b("counter:1")]) + RESPValue.request([b("INCR"), b("counter:2")]))
        func addresses(_ command: [[UInt8]]) -> [UInt] {
            command.map { word in word.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } }
        }
        let first = addresses(try #require(try parser.next()))
        let second = try #require(try parser.next())
        #expect(second == [b("INCR"), b("counter:2")])
        #expect(addresses(second) == first, "each argument of the second command is a new array")
    }

    @Test("encode then parse gives back the same arguments")
    func roundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let arguments = (0..<Int.random(in: 1...6, using: &generator)).map { _ in
                (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            }
            let bytes = RESPValue.request(arguments)
            let result = parse(bytes + bytes, pieceSize: Int.random(in: 1...50, using: &generator))
            #expect(result.error == nil)
            #expect(result.commands == [arguments, arguments])
        }
    }

    @Test("an inline line without quotes splits as the quoting rules would split it")
    func plainInlineWordsMatchTheQuotedPath() throws {
        // Lines without quotes take a shorter path. An empty quoted word
        // appended to the same line sends it down the full one, which must
        // find the same words (and that one more). The alphabet holds every
        // separator, and the vertical tab and form feed that separate
        // words only before them: inside a word they belong to it.
        let alphabet: [UInt8] = [UInt8(ascii: "a"), UInt8(ascii: "b"), 32, 9, 10, 11, 12, 13]
        var generator = SplitMix64(seed: 7)
        for _ in 0..<2000 {
            let line = (0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            let plain = try InlineCommand.split(line)
            let quoted = try InlineCommand.split(line + b(" \"\""))
            #expect(plain + [[]] == quoted,
                    "line \(line.escaped): the plain path found \(plain.map(\.escaped)), the quoted one \(quoted.dropLast().map(\.escaped))")
        }
        #expect(try InlineCommand.split(b("ECHO a\u{0B}b\u{0C}")) == [b("ECHO"), b("a\u{0B}b\u{0C}")])
    }

    @Test("integers are parsed as strictly as Redis's string2ll", arguments: [
        ("0", 0), ("1", 1), ("-1", -1), ("1234567890", 1_234_567_890), ("9223372036854775807", Int.max),
        ("-9223372036854775808", Int.min), ("9223372036854775808", nil), ("", nil), ("-", nil), ("+1", nil),
        ("01", nil), ("-0", nil), (" 1", nil), ("1 ", nil), ("1a", nil), ("0x10", nil),
    ] as [(String, Int?)])
    func integers(_ text: String, _ expected: Int?) {
        #expect(RequestParser.parseInteger(b(text)) == expected)
    }
}
