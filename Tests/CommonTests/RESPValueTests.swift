@testable import Common
import Testing
import Harness

/// Bytes from text.
private func b(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite("RESPValue encoding and ReplyParser")
struct RESPValueTests {
    static let encodings: [(RESPValue, String)] = [
        (.simpleString(text: "PONG"), "+PONG\r\n"),
        (.ok, "+OK\r\n"),
        (.error(text: "ERR syntax error"), "-ERR syntax error\r\n"),
        (.error(text: "ERR line\r\nbreak"), "-ERR line  break\r\n"),
        (.integer(0), ":0\r\n"),
        (.integer(42), ":42\r\n"),
        (.integer(-2), ":-2\r\n"),
        (.integer(Int.max), ":9223372036854775807\r\n"),
        (.integer(Int.min), ":-9223372036854775808\r\n"),
        (.bulkString(text: "hello"), "$5\r\nhello\r\n"),
        (.bulkString([]), "$0\r\n\r\n"),
        (.bulkString(text: "a\r\nb"), "$4\r\na\r\nb\r\n"),
        (.nullBulkString, "$-1\r\n"),
        (.array([]), "*0\r\n"),
        (.nullArray, "*-1\r\n"),
        (.array([.bulkString(text: "ECHO"), .bulkString(text: "hi")]), "*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n"),
        (.array([.integer(1), .array([.simpleString(text: "x"), .nullBulkString])]), "*2\r\n:1\r\n*2\r\n+x\r\n$-1\r\n"),
    ]

    @Test("values encode to Redis's bytes", arguments: encodings)
    func encode(_ value: RESPValue, _ expected: String) {
        #expect(value.encoded.escaped == b(expected).escaped)
    }

    @Test("replies parse back to the same value, whole and byte by byte", arguments: encodings.filter {
        // Error lines lose CR LF on the way out, so they cannot round-trip.
        if case .error(let text) = $0.0 { return !text.contains(13) } else { return true }
    })
    func parse(_ value: RESPValue, _ bytes: String) throws {
        var whole = ReplyParser()
        whole.append(b(bytes))
        #expect(try whole.next() == value)
        #expect(try whole.next() == nil)

        var pieces = ReplyParser()
        var parsed: [RESPValue] = []
        for byte in b(bytes) {
            pieces.append([byte])
            while let next = try pieces.next() { parsed.append(next) }
        }
        #expect(parsed == [value])
    }

    @Test("decimal digits are appended without String", arguments: [0, 7, 10, 99, 100, 65536, -1, -10, Int.max, Int.min])
    func decimal(_ value: Int) {
        var bytes: [UInt8] = []
        bytes.appendDecimal(value)
        #expect(String(decoding: bytes, as: UTF8.self) == String(value))
    }

    @Test("malformed replies are reported", arguments: ["!x\r\n", ":abc\r\n", "$3\r\nabcde\r\n", "*x\r\n"])
    func malformedReply(_ bytes: String) {
        var parser = ReplyParser()
        parser.append(b(bytes))
        #expect(throws: ReplyParser.MalformedReply.self) { try parser.next() }
    }

    @Test("requests are arrays of bulk strings")
    func request() {
        #expect(RESPValue.request("SET", "k", "v") == b("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"))
    }

    @Test("bytes are escaped for failure messages", arguments: [
        ("+PONG\r\n", "+PONG\\r\\n"), ("a\tb\"c\\", "a\\tb\\\"c\\\\"),
    ])
    func escaping(_ text: String, _ expected: String) {
        #expect(b(text).escaped == expected)
        #expect([0, 255, 7].escaped == "\\x00\\xff\\x07")
    }
}

@Suite("Commands and their errors")
struct CommandTests {
    /// Arguments from words.
    private func args(_ words: String...) -> [[UInt8]] { words.map { Array($0.utf8) } }

    @Test("PING and ECHO parse, then apply")
    func pingAndEcho() throws {
        let table = CommandTable([Ping.self, Echo.self])
        let store = Store()
        #expect(table.reply(to: args("PING"), store: store) == .simpleString(text: "PONG"))
        #expect(table.reply(to: args("ping", "hi"), store: store) == .bulkString(text: "hi"))
        #expect(table.reply(to: args("PING", "a", "b"), store: store) == CommandError.wrongArity("ping").reply)
        #expect(table.reply(to: args("eChO", "x"), store: store) == .bulkString(text: "x"))
        #expect(table.reply(to: args("ECHO"), store: store) == CommandError.wrongArity("echo").reply)
        #expect(table.reply(to: args("ECHO", "a", "b"), store: store) == CommandError.wrongArity("echo").reply)
    }

    /// Redis 7.0.15's replies, captured from redis-server.
    @Test("unknown-command texts match Redis 7", arguments: [
        (["FOO", "a", "b"], "-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n"),
        (["FOO"], "-ERR unknown command 'FOO', with args beginning with: \r\n"),
        (["f\0oo", "a"], "-ERR unknown command 'f', with args beginning with: 'a' \r\n"),
        (["foo", "a\0b"], "-ERR unknown command 'foo', with args beginning with: 'a' \r\n"),
        (["f\ro", "a\nb"], "-ERR unknown command 'f o', with args beginning with: 'a b' \r\n"),
        ([String(repeating: "x", count: 300)], "-ERR unknown command '\(String(repeating: "x", count: 128))', with args beginning with: \r\n"),
        (["foo", String(repeating: "y", count: 200), "z"], "-ERR unknown command 'foo', with args beginning with: '\(String(repeating: "y", count: 128))' \r\n"),
        (["FOO"] + "a b c d e f g h i j k l m n o p q r s t u v w x y z aa bb cc dd ee ff gg hh".split(separator: " ").map(String.init),
         "-ERR unknown command 'FOO', with args beginning with: 'a' 'b' 'c' 'd' 'e' 'f' 'g' 'h' 'i' 'j' 'k' 'l' 'm' 'n' 'o' 'p' 'q' 'r' 's' 't' 'u' 'v' 'w' 'x' 'y' 'z' 'aa' 'bb' 'cc' 'dd' 'ee' \r\n"),
    ] as [([String], String)])
    func unknownCommand(_ words: [String], _ expected: String) {
        let reply = CommandError.unknownCommand(words.map { Array($0.utf8) }).reply.encoded
        #expect(reply.escaped == Array(expected.utf8).escaped)
    }

    @Test("command names compare without case")
    func caseInsensitive() {
        #expect(Array("pInG".utf8).equalsIgnoringASCIICase("PING"))
        #expect(!Array("PINGS".utf8).equalsIgnoringASCIICase("PING"))
        #expect(!Array("P\u{0}NG".utf8).equalsIgnoringASCIICase("PING"))
        // '@' | 0x20 is '`': only A–Z may fold.
        #expect(!Array("@".utf8).equalsIgnoringASCIICase("`"))
    }
}

@Suite("ServerOptions")
struct ServerOptionsTests {
    @Test("defaults are Redis's: 127.0.0.1:6379")
    func defaults() throws {
        let options = try ServerOptions.parse([])
        #expect(options.port == 6379)
        #expect(options.bindAddress == "127.0.0.1")
    }

    @Test("options parse", arguments: [
        (["--port", "0"], 0, "127.0.0.1"), (["--port", "7000", "--bind", "0.0.0.0"], 7000, "0.0.0.0"), (["-p", "1"], 1, "127.0.0.1"),
    ] as [([String], Int, String)])
    func parses(_ words: [String], _ port: Int, _ bind: String) throws {
        let options = try ServerOptions.parse(words)
        #expect(options.port == port)
        #expect(options.bindAddress == bind)
    }

    @Test("maxclients defaults to Redis's 10,000 and can be set")
    func maxClients() throws {
        #expect(try ServerOptions.parse([]).maxClients == 10_000)
        #expect(try ServerOptions.parse(["--maxclients", "2"]).maxClients == 2)
    }

    @Test("binding beyond loopback is noticed (the server warns)", arguments: [
        ("127.0.0.1", true), ("::1", true), ("localhost", true), ("0.0.0.0", false), ("192.168.1.5", false),
    ])
    func loopback(_ address: String, _ loopbackOnly: Bool) throws {
        #expect(try ServerOptions.parse(["--bind", address]).isLoopbackOnly == loopbackOnly)
    }

    @Test("bad options are refused", arguments: [
        (["--port"], ServerOptions.ParseError.missingValue("--port")), (["--port", "x"], .invalidPort("x")),
        (["--port", "70000"], .invalidPort("70000")), (["--verbose"], .unknownOption("--verbose")), (["--help"], .helpRequested),
        (["--maxclients", "0"], .invalidMaxClients("0")), (["--maxclients", "x"], .invalidMaxClients("x")),
    ] as [([String], ServerOptions.ParseError)])
    func refuses(_ words: [String], _ error: ServerOptions.ParseError) {
        #expect(throws: error) { try ServerOptions.parse(words) }
    }
}

@Suite("Sockets")
struct SocketTests {
    @Test("a listener on port 0 gets a real port, and bytes cross a connection")
    func loopback() throws {
        let listener = try TCPListener(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        #expect(listener.address.port > 0)
        let client = try TCPConnection(connectingTo: "127.0.0.1", port: listener.address.port)
        let server = try listener.accept()
        try client.write(Array("hello".utf8))
        var buffer = [UInt8](repeating: 0, count: 16)
        #expect(Platform.waitUntilReady(server.fd, milliseconds: 2000))
        let count = try server.read(into: &buffer)
        #expect(Array(buffer[0..<count]) == Array("hello".utf8))
        client.close()
        #expect(Platform.waitUntilReady(server.fd, milliseconds: 2000))
        #expect(try server.read(into: &buffer) == 0, "a read after the peer closed returns 0")
    }

    @Test("binding a port in use fails with EADDRINUSE")
    func portInUse() throws {
        let first = try TCPListener(host: "127.0.0.1", port: 0)
        defer { first.close() }
        #expect(throws: SocketError.self) { try TCPListener(host: "127.0.0.1", port: first.address.port) }
    }

    @Test("IPv6 loopback works where the machine has it")
    func ipv6() throws {
        guard let listener = try? TCPListener(host: "::1", port: 0) else { return }
        defer { listener.close() }
        #expect(listener.address.description == "[::1]:\(listener.address.port)")
    }
}
