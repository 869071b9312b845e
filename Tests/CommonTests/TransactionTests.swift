@testable import Common
import Dispatch
import Synchronization
import Testing

// Stage 8's transactions against the keyspace, with no sockets: what WATCH
// counts as a change, and that EXEC is atomic for another thread.

extension CommandTable {
    /// Stage 8's transaction commands, on top of stage 7's.
    static let stage8 = CommandTable(stage7Commands + [Multi.self, Exec.self, Discard.self, Watch.self, Unwatch.self])
}

/// One client of `store`: a context that keeps its session between commands.
private final class Client: @unchecked Sendable {
    var context: CommandContext
    init(_ store: Store) {
        self.context = CommandContext(server: ServerState(store: store))
    }
    /// Runs a command and returns its reply, in RESP2.
    @discardableResult
    func run(_ words: String...) -> String {
        var out: [UInt8] = []
        CommandTable.stage8.execute(words.map { Array($0.utf8) }, in: &self.context).encode(into: &out, version: .resp2)
        return String(decoding: out, as: UTF8.self)
    }
}

@Suite("Transactions, against the keyspace")
struct TransactionKeyspaceTests {
    /// WATCH k, then `change` from another client: does EXEC run?
    private func execRuns(after change: (Client) -> Void, setUp: (Client) -> Void = { _ in },
                          clock: ManualTimeSource = ManualTimeSource()) -> Bool {
        let store = Store(clock: clock)
        let watcher = Client(store), other = Client(store)
        setUp(other)
        watcher.run("WATCH", "k")
        change(other)
        watcher.run("MULTI")
        watcher.run("SET", "done", "1")
        return watcher.run("EXEC") == "*1\r\n+OK\r\n"
    }

    @Test("a write, a delete, a TTL set or removed, a push or pop: each aborts a watcher's EXEC")
    func changes() {
        #expect(!execRuns(after: { $0.run("SET", "k", "2") }))
        #expect(!execRuns(after: { $0.run("DEL", "k") }, setUp: { $0.run("SET", "k", "1") }))
        #expect(!execRuns(after: { $0.run("EXPIRE", "k", "100") }, setUp: { $0.run("SET", "k", "1") }))
        #expect(!execRuns(after: { $0.run("PERSIST", "k") }, setUp: { $0.run("SET", "k", "1", "EX", "100") }))
        #expect(!execRuns(after: { $0.run("RPUSH", "k", "a") }))
        #expect(!execRuns(after: { $0.run("LPOP", "k") }, setUp: { $0.run("RPUSH", "k", "a", "b") }))
        #expect(!execRuns(after: { $0.run("FLUSHALL") }, setUp: { $0.run("SET", "k", "1") }))
    }

    @Test("what changes nothing does not abort: reads, no-op writes, FLUSHALL of a missing key")
    func nonChanges() {
        #expect(execRuns(after: { $0.run("GET", "k") }, setUp: { $0.run("SET", "k", "1") }))
        #expect(execRuns(after: { $0.run("DEL", "k") }))
        #expect(execRuns(after: { $0.run("FLUSHALL") }))
        #expect(execRuns(after: { $0.run("PERSIST", "k") }, setUp: { $0.run("SET", "k", "1") }))
        #expect(execRuns(after: { $0.run("LREM", "k", "0", "zz") }, setUp: { $0.run("RPUSH", "k", "a") }))
        #expect(execRuns(after: { $0.run("LINSERT", "k", "BEFORE", "zz", "b") }, setUp: { $0.run("RPUSH", "k", "a") }))
        #expect(execRuns(after: { $0.run("LPOP", "k", "0") }, setUp: { $0.run("RPUSH", "k", "a") }))
        #expect(execRuns(after: { $0.run("SET", "other", "1") }))
    }

    @Test("a watched key that expires aborts EXEC, even before anything deletes it")
    func expiry() {
        let clock = ManualTimeSource()
        #expect(!execRuns(after: { _ in clock.advance(by: 200) }, setUp: { $0.run("SET", "k", "1", "PX", "100") }, clock: clock))
    }

    @Test("an unknown subcommand is refused while queueing and poisons the transaction, as in Redis")
    func unknownSubcommandPoisons() {
        // Found by the differential tester: CONFIG GETX was queued, and
        // EXEC then ran the rest; Redis's table refuses it at once.
        let client = Client(Store())
        client.run("MULTI")
        #expect(client.run("CONFIG", "GETX", "save") == "-ERR unknown subcommand 'GETX'. Try CONFIG HELP.\r\n")
        #expect(client.run("CONFIG", "GET") == "-ERR wrong number of arguments for 'config|get' command\r\n")
        #expect(client.run("EXEC") == "-EXECABORT Transaction discarded because of previous errors.\r\n")
    }

    @Test("EXEC, DISCARD and a failed EXEC leave no watch behind")
    func watchesCleared() {
        let store = Store()
        let client = Client(store)
        client.run("WATCH", "a", "b")
        #expect(store.withDatabase { $0.watched.count } == 2)
        client.run("MULTI")
        #expect(client.run("EXEC") == "*0\r\n")
        client.run("WATCH", "a")
        client.run("MULTI")
        #expect(client.run("DISCARD") == "+OK\r\n")
        client.run("WATCH", "a")
        client.run("MULTI")
        client.run("NOSUCHCOMMAND")
        #expect(client.run("EXEC") == "-EXECABORT Transaction discarded because of previous errors.\r\n")
        #expect(store.withDatabase { $0.watched.count } == 0, "a watch outlived its transaction")
    }

    @Test("EXEC gives each queued command its own arguments: long ones, short ones, more, then fewer")
    func queuedArgumentsSurvive() {
        // The queue packs short arguments into one buffer and keeps long
        // ones (over `refillLimit`) as they came; EXEC unpacks them into one
        // array, refilled from command to command. Each command must see
        // exactly its own, whatever came before it.
        let client = Client(Store())
        let long = String(repeating: "x", count: [[UInt8]].refillLimit + 1)
        let longer = String(repeating: "y", count: 3 * [[UInt8]].refillLimit)
        client.run("MULTI")
        #expect(client.run("RPUSH", "l", "a", long, "b", longer) == "+QUEUED\r\n")
        #expect(client.run("SET", "k", longer) == "+QUEUED\r\n")
        #expect(client.run("SET", "s", "1") == "+QUEUED\r\n")
        #expect(client.run("LRANGE", "l", "0", "-1") == "+QUEUED\r\n")
        #expect(client.run("GET", "k") == "+QUEUED\r\n")
        #expect(client.run("LLEN", "l") == "+QUEUED\r\n")
        let expected = "*6\r\n:4\r\n+OK\r\n+OK\r\n"
            + "*4\r\n$1\r\na\r\n$\(long.count)\r\n\(long)\r\n$1\r\nb\r\n$\(longer.count)\r\n\(longer)\r\n"
            + "$\(longer.count)\r\n\(longer)\r\n:4\r\n"
        let received = client.run("EXEC")
        let (e, r) = (Array(expected.utf8), Array(received.utf8))
        let at = (0..<min(e.count, r.count)).first { e[$0] != r[$0] } ?? min(e.count, r.count)
        #expect(received == expected, """
            EXEC's replies differ from byte \(at) on: expected \(e[at...].prefix(40).escaped)…, \
            received \(r[at...].prefix(40).escaped)… (a queued command got another's arguments?)
            """)
    }

    @Test("EXEC is atomic: another thread sees the list before or after, never in between")
    func atomic() {
        let store = Store()
        let writer = Client(store)
        let seen = Lock<Set<String>>([])
        let done = Atomic<Bool>(false)
        // The reader runs on a Dispatch thread, not a Swift task: it spins.
        let reader = DispatchGroup()
        DispatchQueue.global().async(group: reader) {
            let client = Client(store)
            while !done.load(ordering: .acquiring) {
                let length = client.run("LLEN", "c")
                seen.withLock { _ = $0.insert(length) }
            }
        }
        for _ in 0..<20 {
            writer.run("MULTI")
            for _ in 0..<500 { writer.run("RPUSH", "c", "x") }
            #expect(writer.run("EXEC").hasPrefix("*500\r\n:1\r\n:2\r\n"))
            writer.run("DEL", "c")
        }
        done.store(true, ordering: .releasing)
        reader.wait()
        let lengths = seen.withLock { $0 }
        let halfway = lengths.subtracting([":0\r\n", ":500\r\n"])
        #expect(halfway.isEmpty, "expected LLEN :0 or :500 only; the reader also saw \(halfway.count) lengths in between, such as \(halfway.sorted().prefix(3).map(\.debugDescription)). Hint: hold the keyspace lock for the whole EXEC.")
    }
}
