@testable import Common
import Dispatch
import Synchronization
import Testing

// The connection contract of `Server` and `serveClient`, checked with
// commands that exist only here: the outcomes stages 7–9 and replication
// will need (several replies, a suspension, a take-over) and an outbox
// that other clients' tasks write to. Each test runs a real server in this
// process on a free port and talks to it over TCP.

/// Outboxes by client id, so that one test client can send to another.
private let outboxes = Mutex<[Int: Outbox]>([:])

/// `REGISTER`: remembers this client's outbox; replies with its id.
private struct Register: Command {
    static let name = "register"
    static let arity = 1
    init(parsing arguments: [[UInt8]]) {}
    func apply(to context: inout CommandContext) -> Outcome {
        let id = context.session.id
        let outbox = context.outbox!
        outboxes.withLock { $0[id] = outbox }
        return .reply(.integer(id))
    }
}

/// `SENDTO id count size`: sends `count` messages of `size` bytes to client
/// `id`'s outbox, as PUBLISH will; replies with how many were accepted.
private struct SendTo: Command {
    static let name = "sendto"
    static let arity = 4
    let id: Int, count: Int, size: Int
    init(parsing arguments: [[UInt8]]) throws(CommandError) {
        guard let id = RequestParser.parseInteger(arguments[1]), let count = RequestParser.parseInteger(arguments[2]),
              let size = RequestParser.parseInteger(arguments[3]) else { throw .notAnInteger }
        (self.id, self.count, self.size) = (id, count, size)
    }
    func apply(to context: inout CommandContext) -> Outcome {
        guard let outbox = outboxes.withLock({ $0[self.id] }) else { return .reply(.integer(-1)) }
        var accepted = 0
        for index in 0..<self.count {
            let payload = [UInt8](repeating: UInt8(ascii: "a") + UInt8(index % 26), count: self.size)
            if outbox.send(RESPValue.bulkString(payload).encoded) { accepted += 1 }
        }
        return .reply(.integer(accepted))
    }
}

/// `MANY n`: n replies, `:1` to `:n`, as SUBSCRIBE a b c confirms each channel.
private struct Many: Command {
    static let name = "many"
    static let arity = 2
    let count: Int
    init(parsing arguments: [[UInt8]]) throws(CommandError) {
        guard let count = RequestParser.parseInteger(arguments[1]) else { throw .notAnInteger }
        self.count = count
    }
    func apply(to context: inout CommandContext) -> Outcome {
        .replies((1...max(1, self.count)).map { .integer($0) })
    }
}

/// `SLEEPFOR ms`: suspends the client for `ms` milliseconds, then `+WOKE`,
/// the shape of BLPOP's wait.
private struct SleepFor: Command {
    static let name = "sleepfor"
    static let arity = 2
    let milliseconds: Int
    init(parsing arguments: [[UInt8]]) throws(CommandError) {
        guard let milliseconds = RequestParser.parseInteger(arguments[1]) else { throw .notAnInteger }
        self.milliseconds = milliseconds
    }
    func apply(to context: inout CommandContext) -> Outcome {
        .suspend(Nap(milliseconds: self.milliseconds, outbox: context.outbox!))
    }
}

/// SLEEPFOR's wait: a timer that leaves `+WOKE` and wakes the serve loop,
/// as a push does for a blocked client.
private final class Nap: Suspension {
    private let result = Mutex<Outcome?>(nil)
    init(milliseconds: Int, outbox: Outbox) {
        // A Dispatch timer, as BLPOP's: Swift's cooperative threads may all
        // be blocked by tests running in parallel.
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) { [self] in
            self.result.withLock { $0 = .reply(.simpleString(text: "WOKE")) }
            outbox.wakeOwner()
        }
    }
    func takeResult() -> Outcome? { self.result.withLock { result in defer { result = nil }; return result } }
    func cancel() {}
}

/// `TAKEOVER`: `+OK`, then the connection belongs to a handler that writes
/// `+TAKEN` and hangs up, the shape of PSYNC.
private struct TakeOver: Command {
    static let name = "takeover"
    static let arity = 1
    init(parsing arguments: [[UInt8]]) {}
    func apply(to context: inout CommandContext) -> Outcome {
        .takeOver { connection in
            try? await connection.write(Array("+TAKEN\r\n".utf8))
        }
    }
}

/// A server with the test commands, running in this process.
final class RunningServer: Sendable {
    let server: Server
    let port: Int
    let task: Task<Void, any Error>

    init(outboxLimit: Int = 32 * 1024 * 1024, commands: [any Command.Type]? = nil) async throws {
        var options = ServerOptions(port: 0)
        options.outboxLimit = outboxLimit
        let server = Server("contract test", commands: commands ?? [Ping.self, Register.self, SendTo.self, Many.self,
                                                                    SleepFor.self, TakeOver.self],
                            state: ServerState(options: options), handlesSignals: false)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        self.task = Task {
            // A server that cannot listen ends the stream, so init throws.
            defer { continuation.finish() }
            try await server.run { continuation.yield($0.port) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw SocketError("listen", errno: 0) }
        self.server = server
        self.port = port
    }

    func connect() throws -> TestClient { try TestClient(port: self.port) }
}

/// A blocking client with a timeout on every read.
final class TestClient {
    let connection: TCPConnection
    var received: [UInt8] = []

    init(port: Int) throws { self.connection = try TCPConnection(connectingTo: "127.0.0.1", port: port) }

    func send(_ words: String...) throws { try self.connection.write(RESPValue.request(words.map { Array($0.utf8) })) }

    /// Reads until `expected` has arrived (or 2 s pass), and checks it.
    func expect(_ expected: String, _ comment: Comment, sourceLocation: SourceLocation = #_sourceLocation) {
        let want = Array(expected.utf8)
        let deadline = Platform.monotonicMilliseconds() + 2_000
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while self.received.count < want.count, Platform.monotonicMilliseconds() < deadline {
            guard Platform.waitUntilReady(self.connection.fd, milliseconds: 100) else { continue }
            guard let count = try? self.connection.read(into: &buffer), count > 0 else { break }
            self.received += buffer[0..<count]
        }
        let got = Array(self.received.prefix(want.count))
        self.received.removeFirst(got.count)
        #expect(got == want, "\(comment): expected \(want.escaped), received \(got.escaped)", sourceLocation: sourceLocation)
    }

    /// True when the server has closed the connection within 2 s.
    func isClosedByServer() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        let deadline = Platform.monotonicMilliseconds() + 2_000
        while Platform.monotonicMilliseconds() < deadline {
            guard Platform.waitUntilReady(self.connection.fd, milliseconds: 100) else { continue }
            guard let count = try? self.connection.read(into: &buffer), count > 0 else { return true }
        }
        return false
    }
}

@Suite("Server: the connection contract (outcomes and outbox)", .timeLimit(.minutes(1)))
struct ServerContractTests {
    @Test("several replies to one command go out in order, before the next command's")
    func severalReplies() async throws {
        let running = try await RunningServer()
        let client = try running.connect()
        try client.connection.write(RESPValue.request("MANY", "3") + RESPValue.request("PING"))
        client.expect(":1\r\n:2\r\n:3\r\n+PONG\r\n", "MANY 3 then PING, pipelined")
        running.server.shutdown()
    }

    @Test("a suspended client's pipelined commands wait; other clients do not")
    func suspension() async throws {
        let running = try await RunningServer()
        let sleeper = try running.connect()
        let other = try running.connect()
        let started = Platform.monotonicMilliseconds()
        try sleeper.connection.write(RESPValue.request("SLEEPFOR", "300") + RESPValue.request("PING"))
        // While the sleeper waits, another client is served: the suspension
        // holds no thread. (Order, not a stopwatch: the sleeper has nothing
        // yet when the other client's reply is in.)
        try other.send("PING")
        other.expect("+PONG\r\n", "another client's PING during the suspension")
        #expect(!Platform.waitUntilReady(sleeper.connection.fd, milliseconds: 0),
                "the suspended client had its replies before another client's PING was answered")
        sleeper.expect("+WOKE\r\n+PONG\r\n", "the suspension's reply, then the PING sent behind it")
        #expect(Platform.monotonicMilliseconds() - started >= 300, "the suspension ended early")
        running.server.shutdown()
    }

    @Test("messages sent to a client's outbox arrive in order, also while it is idle")
    func outboxDelivery() async throws {
        let running = try await RunningServer()
        let receiver = try running.connect()
        let sender = try running.connect()
        try receiver.send("REGISTER")
        let id = try #require(readInteger(receiver))
        try sender.send("SENDTO", String(id), "3", "2")
        sender.expect(":3\r\n", "three messages accepted")
        // The receiver sent nothing: the outbox woke its idle task.
        receiver.expect("$2\r\naa\r\n$2\r\nbb\r\n$2\r\ncc\r\n", "the three messages, in order, to an idle client")
        // From another thread (this test's), as a publisher on the global
        // pool would: the wake-up must cross to the reactor thread.
        let outbox = try #require(outboxes.withLock { $0[id] })
        #expect(outbox.send(RESPValue.simpleString(text: "FROM-ANOTHER-THREAD").encoded))
        receiver.expect("+FROM-ANOTHER-THREAD\r\n", "a message sent from another thread to an idle client")
        running.server.shutdown()
    }

    @Test("a client that falls past the outbox limit is disconnected; the sender is not held up")
    func outboxLimit() async throws {
        let running = try await RunningServer(outboxLimit: 256 * 1024)
        let slow = try running.connect()
        let sender = try running.connect()
        try slow.send("REGISTER")
        let id = try #require(readInteger(slow))
        // 64 messages of 16 KB: 1 MB for a client that reads nothing.
        try sender.send("SENDTO", String(id), "64", "16384")
        try sender.send("PING")
        let replyLine = try #require(readLine(sender))
        let accepted = try #require(Int(replyLine.dropFirst()))
        #expect((1..<64).contains(accepted), "\(accepted) of 64 messages accepted: -1 is no registered outbox, 64 is no limit")
        sender.expect("+PONG\r\n", "the sender goes on")
        #expect(slow.isClosedByServer(), "the slow client was not disconnected")
        running.server.shutdown()
    }

    @Test("a command can take the connection over; the serve loop hands it on")
    func takeOver() async throws {
        let running = try await RunningServer()
        let client = try running.connect()
        try client.connection.write(RESPValue.request("PING") + RESPValue.request("TAKEOVER"))
        client.expect("+PONG\r\n+TAKEN\r\n", "PING's reply, then what the new owner writes")
        #expect(client.isClosedByServer(), "the connection stays open after the handler returned")
        running.server.shutdown()
    }

    @Test("shutdown() in-process ends run(): clients are closed, the listener too")
    func inProcessShutdown() async throws {
        let running = try await RunningServer()
        let client = try running.connect()
        try client.send("PING")
        client.expect("+PONG\r\n", "PING before the shutdown")
        running.server.shutdown()
        try await running.task.value
        #expect(client.isClosedByServer(), "an idle client is still connected after shutdown")
        #expect(throws: (any Error).self, "the listener still accepts after shutdown") {
            _ = try TCPConnection(connectingTo: "127.0.0.1", port: running.port)
        }
    }
}

/// Reads one `:N\r\n` reply.
private func readInteger(_ client: TestClient) -> Int? {
    readLine(client).flatMap { $0.first == ":" ? Int($0.dropFirst()) : nil }
}

/// Reads one line (without CR LF), waiting up to 2 s.
private func readLine(_ client: TestClient) -> String? {
    var buffer = [UInt8](repeating: 0, count: 4096)
    let deadline = Platform.monotonicMilliseconds() + 2_000
    while Platform.monotonicMilliseconds() < deadline {
        if let end = client.received.firstIndex(of: 10) {
            let line = client.received[..<end].dropLast()
            client.received.removeFirst(end + 1)
            return String(decoding: line, as: UTF8.self)
        }
        guard Platform.waitUntilReady(client.connection.fd, milliseconds: 100) else { continue }
        guard let count = try? client.connection.read(into: &buffer), count > 0 else { return nil }
        client.received += buffer[0..<count]
    }
    return nil
}
