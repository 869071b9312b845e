@testable import Common
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

// Stage 7's blocking pops, two ways: against the keyspace directly, where
// a test decides exactly what happens in what order (no sockets, no
// timing), and against a real server in this process, for what only a
// connection shows (a hang-up, the timeout's precision, shutdown).

extension CommandTable {
    /// Stage 7's commands.
    static let stage7 = CommandTable(stage7Commands)
}

/// Stage 7's commands, as its manifest lists them.
let stage7Commands: [any Command.Type] = [
    Ping.self, Echo.self, SetCommand.self, Get.self, Del.self, Exists.self, DBSize.self, FlushAll.self,
    TypeCommand.self, ConfigGet.self, Hello.self, Expire.self, PExpire.self, ExpireAt.self, PExpireAt.self,
    Persist.self, TTL.self, PTTL.self, ExpireTime.self, PExpireTime.self,
    LPush.self, RPush.self, LPushX.self, RPushX.self, LPop.self, RPop.self, LMPop.self,
    LLen.self, LRange.self, LIndex.self, LPos.self, LSet.self, LInsert.self, LRem.self, LTrim.self,
    LMove.self, RPopLPush.self, BLPop.self, BRPop.self, BLMPop.self, BLMove.self, BRPopLPush.self,
]

/// Counts the wake-ups an outbox gives its owner.
private final class Wakes: Sendable {
    let count = Atomic<Int>(0)
    func outbox() -> Outbox { Outbox(wake: { self.count.add(1, ordering: .relaxed) }, overflow: {}) }
}

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Runs a command as a client with `outbox` would, and returns its outcome.
private func run(_ words: String..., store: Store, outbox: Outbox? = nil, mayBlock: Bool = true) -> Outcome {
    var context = CommandContext(server: ServerState(store: store), outbox: outbox)
    context.mayBlock = mayBlock
    return CommandTable.stage7.execute(words.map(bytes), in: &context)
}

/// The wait of a `.suspend` outcome.
private func suspension(_ outcome: Outcome, sourceLocation: SourceLocation = #_sourceLocation) -> (any Suspension)? {
    guard case .suspend(let wait) = outcome else {
        Issue.record("expected the client to block, got \(outcome)", sourceLocation: sourceLocation)
        return nil
    }
    return wait
}

/// The reply a finished wait left, encoded in RESP2.
private func result(of wait: (any Suspension)?) -> String? {
    guard let outcome = wait?.takeResult() else { return nil }
    var out: [UInt8] = []
    outcome.encode(into: &out, version: .resp2)
    return String(decoding: out, as: UTF8.self)
}

private func reply(_ outcome: Outcome) -> String {
    var out: [UInt8] = []
    outcome.encode(into: &out, version: .resp2)
    return String(decoding: out, as: UTF8.self)
}

@Suite("Blocking pops, against the keyspace")
struct BlockingKeyspaceTests {
    @Test("one push of one element serves exactly the first waiter; the pusher counts the length before")
    func fifo() throws {
        let store = Store()
        let wakes = Wakes()
        let first = suspension(run("BLPOP", "k", "0", store: store, outbox: wakes.outbox()))
        let second = suspension(run("BLPOP", "k", "0", store: store, outbox: wakes.outbox()))
        #expect(reply(run("RPUSH", "k", "x", store: store)) == ":1\r\n", "the pusher's reply counts its push")
        #expect(result(of: first) == "*2\r\n$1\r\nk\r\n$1\r\nx\r\n", "the first waiter gets the element")
        #expect(result(of: second) == nil, "the second waiter still waits")
        #expect(reply(run("EXISTS", "k", store: store)) == ":0\r\n", "the list was emptied and deleted")
        #expect(reply(run("RPUSH", "k", "y", "z", store: store)) == ":2\r\n")
        #expect(result(of: second) == "*2\r\n$1\r\nk\r\n$1\r\ny\r\n", "the next push serves the second waiter")
        #expect(reply(run("LRANGE", "k", "0", "-1", store: store)) == "*1\r\n$1\r\nz\r\n", "one element left over")
    }

    @Test("the first key in argument order with a list wins; a blocked client leaves every queue once served")
    func severalKeys() throws {
        let store = Store()
        #expect(reply(run("RPUSH", "c", "1", store: store)) == ":1\r\n")
        #expect(reply(run("RPUSH", "b", "2", store: store)) == ":1\r\n")
        #expect(reply(run("BLPOP", "a", "b", "c", "0", store: store)) == "*2\r\n$1\r\nb\r\n$1\r\n2\r\n")
        let waiter = suspension(run("BRPOP", "x", "y", "0", store: store, outbox: Wakes().outbox()))
        #expect(reply(run("RPUSH", "y", "1", store: store)) == ":1\r\n")
        #expect(result(of: waiter) == "*2\r\n$1\r\ny\r\n$1\r\n1\r\n")
        #expect(reply(run("RPUSH", "x", "2", store: store)) == ":1\r\n")
        #expect(reply(run("LLEN", "x", store: store)) == ":1\r\n", "a served client must not be served twice")
    }

    @Test("serving a BLMOVE can make its destination ready for the next waiter")
    func moveChains() throws {
        let store = Store()
        let mover = suspension(run("BLMOVE", "src", "dst", "LEFT", "RIGHT", "0", store: store, outbox: Wakes().outbox()))
        let popper = suspension(run("BLPOP", "dst", "0", store: store, outbox: Wakes().outbox()))
        #expect(reply(run("LPUSH", "src", "e", store: store)) == ":1\r\n")
        #expect(result(of: mover) == "$1\r\ne\r\n")
        #expect(result(of: popper) == "*2\r\n$3\r\ndst\r\n$1\r\ne\r\n")
        #expect(reply(run("EXISTS", "src", "dst", store: store)) == ":0\r\n")
    }

    @Test("a client that leaves takes nothing: cancelled, or its elements given back")
    func leaving() throws {
        let store = Store()
        let gone = suspension(run("BLPOP", "k", "0", store: store, outbox: Wakes().outbox()))
        gone?.cancel()
        #expect(reply(run("RPUSH", "k", "a", store: store)) == ":1\r\n")
        #expect(reply(run("LLEN", "k", store: store)) == ":1\r\n", "nothing was popped for a cancelled client")
        // Served in the instant before it hung up: the element goes back.
        #expect(reply(run("DEL", "k", store: store)) == ":1\r\n")
        let late = suspension(run("BLMPOP", "0", "1", "k", "LEFT", "COUNT", "2", store: store, outbox: Wakes().outbox()))
        #expect(reply(run("RPUSH", "k", "a", "b", "c", store: store)) == ":3\r\n")
        late?.cancel()
        #expect(reply(run("LRANGE", "k", "0", "-1", store: store)) == "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
                "the elements popped for a departed client are back, in order")
    }

    @Test("where a client may not wait (inside MULTI, from stage 8), blocking commands answer as on timeout")
    func mayNotBlock() {
        let store = Store()
        #expect(reply(run("BLPOP", "k", "0", store: store, outbox: Wakes().outbox(), mayBlock: false)) == "*-1\r\n")
        #expect(reply(run("BLMOVE", "k", "d", "LEFT", "LEFT", "0", store: store, outbox: Wakes().outbox(), mayBlock: false))
                == "$-1\r\n", "Redis answers a null bulk for BLMOVE here")
        #expect(store.withDatabase { $0.waiting.count } == 0, "no client may stay queued")
    }

    @Test("timeouts: seconds as a float, rounded up to milliseconds, Redis's errors")
    func timeouts() throws {
        #expect(try BlockingTimeout.parse(bytes("0")) == nil)
        #expect(try BlockingTimeout.parse(bytes("-0")) == nil)
        #expect(try BlockingTimeout.parse(bytes("0.1")) == .milliseconds(100))
        #expect(try BlockingTimeout.parse(bytes("1e-9")) == .milliseconds(1))
        #expect(try BlockingTimeout.parse(bytes("1e15")) == .milliseconds(1_000_000_000_000_000_000))
        for (text, error) in [("-1", "ERR timeout is negative"), ("1e16", "ERR timeout is negative"),
                              ("inf", "ERR timeout is negative"), ("nan", "ERR timeout is not a float or out of range"),
                              ("", "ERR timeout is not a float or out of range"), (" 1", "ERR timeout is not a float or out of range"),
                              ("abc", "ERR timeout is not a float or out of range")] {
            #expect(throws: CommandError(error), "timeout \(text)") { try BlockingTimeout.parse(bytes(text)) }
        }
    }
}

@Suite("Blocking pops, over TCP", .timeLimit(.minutes(1)))
struct BlockingServerTests {
    @Test("a timeout answers *-1 neither early nor more than 50 ms late")
    func timeoutPrecision() async throws {
        let running = try await RunningServer(commands: stage7Commands)
        let client = try running.connect()
        for timeout in [100, 250] {
            let started = Platform.monotonicMilliseconds()
            try client.send("BLPOP", "nothing", String(Double(timeout) / 1000))
            client.expect("*-1\r\n", "BLPOP nothing \(timeout) ms")
            let elapsed = Platform.monotonicMilliseconds() - started
            #expect(elapsed >= Int64(timeout), "the timeout answered after \(elapsed) ms: early")
            #expect(elapsed <= Int64(timeout) + 50, "the timeout answered after \(elapsed) ms: more than 50 ms late")
        }
        running.server.shutdown()
    }

    @Test("a blocked client that hangs up leaves the queue; the next push goes to the next waiter")
    func hangUp() async throws {
        let running = try await RunningServer(commands: stage7Commands)
        let leaver = try running.connect()
        let stayer = try running.connect()
        let pusher = try running.connect()
        try leaver.send("BLPOP", "k", "0")
        sleepMilliseconds(50)
        try stayer.send("BLPOP", "k", "0")
        sleepMilliseconds(50)
        leaver.connection.close()
        sleepMilliseconds(50)
        try pusher.send("RPUSH", "k", "a", "b")
        pusher.expect(":2\r\n", "RPUSH k a b")
        stayer.expect("*2\r\n$1\r\nk\r\n$1\r\na\r\n", "the waiter left gets the first element")
        try pusher.send("LRANGE", "k", "0", "-1")
        pusher.expect("*1\r\n$1\r\nb\r\n", "nothing was popped for the client that left")
        running.server.shutdown()
    }

    @Test("shutdown ends blocked clients: run() returns and their connections close")
    func shutdown() async throws {
        let running = try await RunningServer(commands: stage7Commands)
        let blocked = try running.connect()
        try blocked.send("BLPOP", "k", "0")
        sleepMilliseconds(50)
        running.server.shutdown()
        try await running.task.value
        #expect(blocked.isClosedByServer(), "a blocked client is still connected after shutdown")
    }
}

/// Sleeps the calling thread (the test's, not the server's).
private func sleepMilliseconds(_ milliseconds: Int) {
    usleep(UInt32(milliseconds * 1000))
}
