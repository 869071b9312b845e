import Common

/// Stage 3: real RESP parsing and command dispatch, with PING and ECHO.
enum Stage03Scenarios: ScenarioHelpers {
    /// The stage's short title, as in its chapter's name.
    static let title = "ECHO"

    /// Where stage 3's behaviour is taught.
    static let chapter = "Tutorials/03-echo.md"

    /// A scenario of exchanges on one connection, in order.
    static func exchanges(_ name: String, anchor: String, _ exchanges: [Exchange]) -> Scenario {
        Scenario.exchanges(stage: 3, name, chapter: chapter + anchor, exchanges)
    }


    /// `$<n>\r\n<bytes>\r\n`.
    static func bulk(_ bytes: [UInt8]) -> [UInt8] { RESPValue.bulkString(bytes).encoded }

    static let arityHint = "Check the number of arguments and reply with Redis's exact text: -ERR wrong number of arguments for '<command>' command"

    /// Malformed input, and the error Redis 7 sends before closing.
    static let protocolErrors: [(name: String, input: [UInt8], error: String)] = [
        ("array length that is not a number", b("*-x\r\n"), "Protocol error: invalid multibulk length"),
        ("array length above 2^31-1", b("*2147483648\r\n"), "Protocol error: invalid multibulk length"),
        ("bulk length that is not a number", b("*1\r\n$abc\r\n"), "Protocol error: invalid bulk length"),
        ("negative bulk length", b("*1\r\n$-1\r\n"), "Protocol error: invalid bulk length"),
        ("bulk length over 512 MB", b("*1\r\n$536870913\r\n"), "Protocol error: invalid bulk length"),
        ("bulk length line ended by LF without CR", b("*1\r\n$4\nPING\r\n"), "Protocol error: invalid bulk length"),
        ("array element that is not a bulk string", b("*1\r\nPING\r\n"), "Protocol error: expected '$', got 'P'"),
        ("inline command with an unclosed quote", b("ECHO \"hello\r\n"), "Protocol error: unbalanced quotes in request"),
        ("inline command with text after a closing quote", b("ECHO \"a\"b\r\n"), "Protocol error: unbalanced quotes in request"),
        ("inline command over 64 KB without a newline", [UInt8](repeating: UInt8(ascii: "A"), count: 70_000), "Protocol error: too big inline request"),
    ]

    static let all: [Scenario] = [
        exchanges("ECHO replies with a bulk string", anchor: "#echo", [
            Exchange(step: "ECHO hey", request: RESPValue.request("ECHO", "hey"), reply: b("$3\r\nhey\r\n"),
                     hint: "Reply with the argument as a bulk string: $<length>\\r\\n<bytes>\\r\\n."),
            Exchange(step: "ECHO an empty string", request: RESPValue.request("ECHO", ""), reply: b("$0\r\n\r\n"),
                     hint: "An empty bulk string is $0\\r\\n\\r\\n."),
        ]),

        exchanges("PING with a message replies with a bulk string", anchor: "#echo", [
            Exchange(step: "PING hello", request: RESPValue.request("PING", "hello"), reply: b("$5\r\nhello\r\n"),
                     hint: "PING with one argument returns that argument as a bulk string, not +PONG."),
            Exchange(step: "PING without a message", request: RESPValue.request("PING"), reply: b("+PONG\r\n"),
                     hint: "PING with no argument still returns +PONG."),
        ]),

        exchanges("command names are case-insensitive", anchor: "#command-names-are-case-insensitive", [
            Exchange(step: "echo (lowercase)", request: RESPValue.request("echo", "a"), reply: b("$1\r\na\r\n"),
                     hint: "Compare command names ignoring ASCII case."),
            Exchange(step: "EcHo (mixed case)", request: RESPValue.request("EcHo", "b"), reply: b("$1\r\nb\r\n"),
                     hint: "Compare command names ignoring ASCII case."),
            Exchange(step: "ping (lowercase)", request: RESPValue.request("ping"), reply: b("+PONG\r\n"),
                     hint: "Compare command names ignoring ASCII case."),
        ]),

        exchanges("payloads are binary-safe", anchor: "#bulk-strings-are-binary-safe", [
            Exchange(step: "ECHO a payload containing \\r\\n", request: RESPValue.request("ECHO", "a\r\nb"), reply: b("$4\r\na\r\nb\r\n"),
                     hint: "Read exactly <length> bytes of a bulk string; do not stop at \\r\\n inside it."),
            Exchange(step: "ECHO a payload with NUL bytes", request: RESPValue.request([b("ECHO"), [0, 1, 0, 255]]), reply: bulk([0, 1, 0, 255]),
                     hint: "Keep payloads as bytes ([UInt8]); a C string or String stops at or mangles NUL and non-UTF-8 bytes."),
            Exchange(step: "ECHO a payload that looks like RESP", request: RESPValue.request("ECHO", "*1\r\n$4\r\nPING\r\n"),
                     reply: bulk(b("*1\r\n$4\r\nPING\r\n")), hint: "A bulk string's bytes are data, never parsed as commands."),
        ]),

        Scenario(stage: 3, "a 1 MB payload, sent whole and in pieces", chapter: chapter + "#bulk-strings-are-binary-safe") { server, scenario in
            var generator = SplitMix64(seed: 3)
            let payload = (0..<(1 << 20)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let request = RESPValue.request([b("ECHO"), payload])
            let client = try scenario.connect(server)
            try client.roundTrip(request, expect: bulk(payload), step: "ECHO a 1 MB payload in one write",
                                 hint: "A 1 MB bulk string arrives over many reads: keep buffering until all of it is there.")
            // Now in uneven pieces, so that reads end at awkward places.
            let cuts = [3, 9, 5000, 70_000, 500_000, request.count]
            var pieces: [[UInt8]] = []
            var start = 0
            for cut in cuts { pieces.append(Array(request[start..<cut])); start = cut }
            try client.send(inPieces: pieces, pauseMilliseconds: 10)
            try client.expect(bulk(payload), step: "ECHO a 1 MB payload in six uneven writes",
                              hint: "Keep the partial command between reads; parse only once it is complete.")
        },

        exchanges("inline commands, as typed in telnet or nc", anchor: "#inline-commands", [
            Exchange(step: "inline PING\\r\\n", request: b("PING\r\n"), reply: b("+PONG\r\n"),
                     hint: "A request that does not start with '*' is an inline command: words on one line."),
            Exchange(step: "inline ECHO hello\\r\\n", request: b("ECHO hello\r\n"), reply: b("$5\r\nhello\r\n"),
                     hint: "Split an inline command on spaces."),
            Exchange(step: "inline with double quotes", request: b("ECHO \"hello world\"\r\n"), reply: b("$11\r\nhello world\r\n"),
                     hint: "Inside double quotes, spaces belong to the word."),
            Exchange(step: "inline with escapes in double quotes", request: b("ECHO \"a\\tb\\x41\"\r\n"), reply: b("$4\r\na\tbA\r\n"),
                     hint: "Inside double quotes, \\t and \\xHH are escapes."),
            Exchange(step: "inline with single quotes", request: b("ECHO 'it\\'s'\r\n"), reply: b("$4\r\nit's\r\n"),
                     hint: "Inside single quotes only \\' is an escape."),
            Exchange(step: "inline ended by \\n alone (as nc sends it)", request: b("PING\n"), reply: b("+PONG\r\n"),
                     hint: "An inline command ends at \\n; drop a \\r before it if there is one."),
            Exchange(step: "an empty line gets no reply, then PING", request: b("\r\n   \r\nPING\r\n"), reply: b("+PONG\r\n"),
                     hint: "Skip empty inline lines without replying."),
        ]),

        exchanges("wrong number of arguments", anchor: "#errors-the-redis-way", [
            Exchange(step: "ECHO with no argument", request: RESPValue.request("ECHO"),
                     reply: b("-ERR wrong number of arguments for 'echo' command\r\n"), hint: arityHint),
            Exchange(step: "ECHO with two arguments", request: RESPValue.request("ECHO", "a", "b"),
                     reply: b("-ERR wrong number of arguments for 'echo' command\r\n"), hint: arityHint),
            Exchange(step: "PING with two arguments", request: RESPValue.request("PING", "a", "b"),
                     reply: b("-ERR wrong number of arguments for 'ping' command\r\n"), hint: arityHint),
            Exchange(step: "the command name in the error is lowercase", request: RESPValue.request("EcHo"),
                     reply: b("-ERR wrong number of arguments for 'echo' command\r\n"), hint: arityHint),
            Exchange(step: "the connection stays open after an error", request: RESPValue.request("PING"), reply: b("+PONG\r\n"),
                     hint: "A command error is an ordinary reply: keep the connection open."),
        ]),

        exchanges("unknown commands", anchor: "#errors-the-redis-way", [
            Exchange(step: "FOO bar baz", request: RESPValue.request("FOO", "bar", "baz"),
                     reply: b("-ERR unknown command 'FOO', with args beginning with: 'bar' 'baz' \r\n"),
                     hint: "Redis's text: ERR unknown command '<name>', with args beginning with: then each argument quoted, each followed by a space."),
            Exchange(step: "foo without arguments", request: RESPValue.request("foo"),
                     reply: b("-ERR unknown command 'foo', with args beginning with: \r\n"),
                     hint: "With no arguments the text still ends with ': ' (colon, space)."),
            Exchange(step: "an unknown inline command", request: b("HELLOX 1\r\n"),
                     reply: b("-ERR unknown command 'HELLOX', with args beginning with: '1' \r\n"),
                     hint: "Inline commands are dispatched like any other."),
            Exchange(step: "the connection stays open after an unknown command", request: RESPValue.request("PING"), reply: b("+PONG\r\n"),
                     hint: "An unknown command is an ordinary error reply: keep the connection open."),
        ]),

        exchanges("pipelined mixed commands get replies in order", anchor: "#pipelining", [
            Exchange(step: "PING, ECHO a, FOO, inline ECHO b, PING x in one write",
                     request: RESPValue.request("PING") + RESPValue.request("ECHO", "a") + RESPValue.request("FOO")
                        + b("ECHO b\r\n") + RESPValue.request("PING", "x"),
                     reply: b("+PONG\r\n$1\r\na\r\n-ERR unknown command 'FOO', with args beginning with: \r\n$1\r\nb\r\n$1\r\nx\r\n"),
                     hint: "Answer every command in one read, in order, including errors."),
        ]),

        Scenario(stage: 3, "protocol errors get Redis's reply, then the connection closes", chapter: chapter + "#when-the-client-breaks-the-protocol") { server, scenario in
            for (name, input, error) in protocolErrors {
                let client = try scenario.connect(server)
                try client.roundTrip(input, expect: b("-ERR \(error)\r\n"), step: "send a malformed request: \(name)",
                                     hint: "Reply -ERR \(error), exactly as Redis does.")
                try client.expectClosed(step: "after the protocol error (\(name)), the server closes the connection",
                                        hint: "After a protocol error, close the connection: the stream can no longer be trusted.")
            }
            let client = try scenario.connect(server)
            try client.roundTrip(RESPValue.request("PING"), expect: b("+PONG\r\n"), step: "a new client after all the protocol errors",
                                 hint: "A protocol error closes one connection, never the server.")
        },

        Scenario(stage: 3, "a huge bulk length is not reserved up front", chapter: chapter + "#when-the-client-breaks-the-protocol") { server, scenario in
            // Announce a 512 MB argument, send a little of it, and hang up. A
            // server that allocates the announced size at once would need 512 MB
            // per such client; ours must survive many.
            for _ in 0..<8 {
                let client = try scenario.connect(server)
                try client.send(b("*2\r\n$4\r\nECHO\r\n$536870912\r\n") + [UInt8](repeating: 120, count: 100_000))
                client.close()
            }
            let client = try scenario.connect(server)
            try client.roundTrip(RESPValue.request("PING"), expect: b("+PONG\r\n"), step: "PING after 8 clients each announced 512 MB",
                                 hint: "Grow the buffer with the bytes that arrive, never with the length a client claims.")
        },
    ]
}
