import Common
import Harness
import Foundation
import StageGates
import Testing

/// Real Redis tools against our stages 5 and up: redis-cli, redis-benchmark
/// and redis-py must work against our servers as they do against Redis.
///
/// Each test needs a tool. Where it is missing the test is skipped with a
/// message, except under CI (CI=true), where a missing tool fails the run:
/// `.ci/run` installs them, so skipping there would hide a broken install.
@Suite("Interop with Redis tools")
struct InteropTests {
    /// The stages that have a key-value store: every stage from 5 on.
    static let stages = Gate.stages.filter { $0 >= 5 }
    /// The stages that have lists and blocking pops: every stage from 7 on
    /// (none until Stages/07-lists exists; the tests that need one say so).
    static let listStages = Gate.stages.filter { $0 >= 7 }
    /// Why the list tests are skipped while no stage has lists.
    static let noListStage: Comment = "no stage has lists yet (Stages/07-lists); skipped until one does"
    /// The stages that have transactions (MULTI, EXEC, WATCH): every stage
    /// from 8 on (none until stage 8's folder exists).
    static let transactionStages = Gate.stages.filter { $0 >= 8 }
    /// Why the transaction tests are skipped while no stage has them.
    static let noTransactionStage: Comment = "no stage has transactions yet (stage 8); skipped until one does"
    /// The stages that have publish/subscribe: every stage from 9 on (none
    /// until stage 9's folder exists).
    static let pubsubStages = Gate.stages.filter { $0 >= 9 }
    /// Why the pub/sub tests are skipped while no stage has them.
    static let noPubSubStage: Comment = "no stage has pub/sub yet (stage 9); skipped until one does"

    @Test("redis-cli", .enabled(if: Tools.usable("redis-cli"), Tools.skipReason("redis-cli")), arguments: stages)
    func redisCLI(stage: Int) throws {
        try Tools.require("redis-cli")
        let server = try Gate.startOwnServer(stage: stage)
        defer { server.stop() }
        let cli = "redis-cli -p \(server.port) --no-raw"
        let checks: [(String, String)] = [
            ("PING", "PONG"),
            ("SET foo bar", "OK"),
            ("GET foo", "\"bar\""),
            ("GET missing", "(nil)"),
            ("EXISTS foo missing", "(integer) 1"),
            ("DEL foo", "(integer) 1"),
            ("SET k", "(error) ERR wrong number of arguments for 'set' command"),
            ("FOO bar", "(error) ERR unknown command 'FOO', with args beginning with: 'bar' "),
        ]
        for (command, expected) in checks {
            let result = try Tools.run("\(cli) \(command)")
            #expect(result.status == 0, "redis-cli \(command) exited \(result.status): \(result.output)")
            #expect(result.output.trimmingCharacters(in: .newlines) == expected, "redis-cli \(command)")
        }
        if stage >= 6 {
            let set = try Tools.run("\(cli) SET session abc EX 100")
            #expect(set.output.trimmingCharacters(in: .newlines) == "OK")
            let ttl = try Tools.run("\(cli) TTL session")
            #expect(["(integer) 100", "(integer) 99"].contains(ttl.output.trimmingCharacters(in: .newlines)), "TTL: \(ttl.output)")
        }
        if stage >= 7 {
            for (command, expected) in [
                ("RPUSH fruit apple pear", "(integer) 2"),
                ("LRANGE fruit 0 -1", "1) \"apple\"\n2) \"pear\""),
                ("BLPOP nothing 0.1", "(nil)"),
                ("GET fruit", "(error) WRONGTYPE Operation against a key holding the wrong kind of value"),
            ] {
                let result = try Tools.run("\(cli) \(command)")
                #expect(result.output.trimmingCharacters(in: .newlines) == expected, "redis-cli \(command)")
            }
        }
    }

    @Test("redis-cli SUBSCRIBE and PSUBSCRIBE -3 in processes of their own, redis-cli PUBLISH in others; the same output as redis-server",
          .enabled(if: Tools.usable("redis-cli"), Tools.skipReason("redis-cli")),
          .enabled(if: Tools.usable("redis-server"), Tools.skipReason("redis-server")),
          .enabled(if: !pubsubStages.isEmpty, noPubSubStage), arguments: pubsubStages)
    func redisCLISubscribe(stage: Int) throws {
        try Tools.require("redis-cli")
        try Tools.require("redis-server")
        let redis = try Self.subscribeTranscript(stage: stage, against: "redis")
        let ours = try Self.subscribeTranscript(stage: stage, against: "ours")
        // What redis-cli prints is known; checking redis-server's run against
        // it proves the two terminals did meet (not two empty transcripts).
        let channel = "Reading messages... (press Ctrl-C to quit)\n"
            + "1) \"subscribe\"\n2) \"ch\"\n3) (integer) 1\n1) \"subscribe\"\n2) \"other ch\"\n3) (integer) 2\n"
            + "1) \"message\"\n2) \"ch\"\n3) \"hi\"\n1) \"message\"\n2) \"other ch\"\n3) \"two words\"\n"
        #expect(redis.channel == channel, "redis-server's SUBSCRIBE terminal:\n\(redis.channel)")
        #expect(ours.channel == redis.channel, "SUBSCRIBE terminal:\nours:\n\(ours.channel)\nredis-server:\n\(redis.channel)")
        #expect(ours.pattern == redis.pattern, "PSUBSCRIBE -3 terminal:\nours:\n\(ours.pattern)\nredis-server:\n\(redis.pattern)")
        #expect(ours.publishes == redis.publishes, "PUBLISH terminals: ours \(ours.publishes), redis-server \(redis.publishes)")
    }

    /// Two terminals as a person would use them: `redis-cli SUBSCRIBE ch
    /// "other ch"` (RESP2) and `redis-cli -3 PSUBSCRIBE 'c*'` (RESP3
    /// pushes) keep running, while separate `redis-cli PUBLISH` runs send
    /// to them. Returns what each subscriber printed and each PUBLISH's
    /// output, against our `stage` ("ours") or redis-server ("redis").
    static func subscribeTranscript(stage: Int, against kind: String) throws
        -> (channel: String, pattern: String, publishes: [String]) {
        let server = try RedisClientTests.start(kind, stage: stage)
        defer { server.stop() }
        let cli = "redis-cli -p \(server.port) --no-raw"
        let directory = FileManager.default.temporaryDirectory.path
        let channelPath = directory + "/interop-subscribe-\(server.port).log"
        let patternPath = directory + "/interop-psubscribe-\(server.port).log"
        defer { for path in [channelPath, patternPath] { try? FileManager.default.removeItem(atPath: path) } }
        let channel = try ChildProcess.spawn(shellCommand: "\(cli) SUBSCRIBE ch 'other ch'", outputPath: channelPath)
        let pattern = try ChildProcess.spawn(shellCommand: "\(cli) -3 PSUBSCRIBE 'c*'", outputPath: patternPath)
        defer {
            for pid in [channel, pattern] {
                ChildProcess.sendSignal(to: pid)
                _ = ChildProcess.waitForExit(pid, timeoutMilliseconds: 2_000)
            }
        }
        // PUBLISH only once both are subscribed: a message sent earlier
        // reaches nobody. Each terminal's last line then is its count.
        #expect(Self.waitFor(channelPath, toEndWith: "3) (integer) 2\n"), "\(kind): SUBSCRIBE never confirmed both channels")
        #expect(Self.waitFor(patternPath, toEndWith: "3) (integer) 1\n"), "\(kind): PSUBSCRIBE never confirmed its pattern")
        var publishes: [String] = []
        for (target, message) in [("ch", "hi"), ("'other ch'", "'two words'")] {
            publishes.append(try Tools.run("\(cli) PUBLISH \(target) \(message)").output)
        }
        #expect(Self.waitFor(channelPath, toEndWith: "3) \"two words\"\n"), "\(kind): SUBSCRIBE never printed the second message")
        #expect(Self.waitFor(patternPath, toEndWith: "4) \"hi\"\n"), "\(kind): PSUBSCRIBE never printed its message")
        let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        return (read(channelPath), read(patternPath), publishes)
    }

    /// Polls the file at `path` for up to 5 seconds until its text ends
    /// with `suffix` (another process is still writing it); true if it did.
    static func waitFor(_ path: String, toEndWith suffix: String) -> Bool {
        for _ in 0..<500 {
            if let text = try? String(contentsOfFile: path, encoding: .utf8), text.hasSuffix(suffix) { return true }
            sleepMilliseconds(10)
        }
        return false
    }

    @Test("redis-benchmark -t ping,set,get runs with no errors",
          .enabled(if: Tools.usable("redis-benchmark"), Tools.skipReason("redis-benchmark")), arguments: stages)
    func redisBenchmark(stage: Int) throws {
        try Tools.require("redis-benchmark")
        let server = try Gate.startOwnServer(stage: stage)
        defer { server.stop() }
        try Self.benchmark(server, tests: "ping,set,get", expecting: ["PING_INLINE", "PING_MBULK", "SET", "GET"])
    }

    @Test("redis-benchmark -t lpush,rpush,lpop,rpop,lrange_100,lrange_300,lrange_600 runs with no errors",
          .enabled(if: Tools.usable("redis-benchmark"), Tools.skipReason("redis-benchmark")),
          .enabled(if: !listStages.isEmpty, noListStage), arguments: listStages)
    func redisBenchmarkLists(stage: Int) throws {
        try Tools.require("redis-benchmark")
        let server = try Gate.startOwnServer(stage: stage)
        defer { server.stop() }
        // The LRANGE tests first fill the list with an LPUSH run of their own.
        try Self.benchmark(server, tests: "lpush,rpush,lpop,rpop,lrange_100,lrange_300,lrange_600", expecting: [
            "LPUSH", "RPUSH", "LPOP", "RPOP", "LPUSH (needed to benchmark LRANGE)",
            "LRANGE_100 (first 100 elements)", "LRANGE_300 (first 300 elements)", "LRANGE_600 (first 600 elements)",
        ])
        // What the last LPUSH run left: 20,000 pushes, nothing popped since.
        let client = try server.connect(chapter: "README.md")
        try client.roundTrip(RESPValue.request("LLEN", "mylist"), expect: Array(":20000\r\n".utf8),
                             step: "LLEN mylist after redis-benchmark", hint: "")
    }

    /// Runs `redis-benchmark -t tests` (20,000 requests each, 20 clients)
    /// against `server`, and checks that each of `expecting` (as -q names
    /// it) has a result and that nothing reported an error.
    static func benchmark(_ server: ServerUnderTest, tests: String, expecting names: [String]) throws {
        let result = try Tools.run("redis-benchmark -p \(server.port) -t \(tests) -n 20000 -c 20 -q", timeoutSeconds: 120)
        // -q prints progress with carriage returns; the last segment of each line is the result.
        let lines = result.output.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map(String.init)
        #expect(result.status == 0, "redis-benchmark exited \(result.status)")
        for test in names {
            #expect(lines.contains { $0.hasPrefix(test + ": ") && $0.contains("requests per second") },
                    "no result for \(test) in:\n\(result.output.suffix(2000))")
        }
        for line in lines where line.contains("ERR") || line.contains("WARNING") || line.localizedCaseInsensitiveContains("error") {
            Issue.record("redis-benchmark reported: \(line)")
        }
    }

    @Test("redis-py: set with px and ex, get, ttl, pipeline",
          .enabled(if: Tools.redisPyUsable, "redis-py is not installed (pip install redis)"), arguments: [6])
    func redisPy(stage: Int) throws {
        if !Tools.redisPyUsable { Issue.record("redis-py is missing, and CI=true requires it (pip install redis)"); return }
        let server = try Gate.startOwnServer(stage: stage)
        defer { server.stop() }
        let script = Tools.packageRoot + "/Tests/Fixtures/redis_py_check.py"
        let result = try Tools.run("python3 '\(script)' \(server.port)", timeoutSeconds: 60)
        #expect(result.status == 0, "redis-py check failed:\n\(result.output)")
        #expect(result.output.contains("all checks passed"))
    }

    @Test("redis-py: lists, lpos with rank/count/maxlen, lmove, blpop timing out and woken by another client; the same lines as redis-server",
          .enabled(if: Tools.redisPyUsable, "redis-py is not installed (pip install redis)"),
          .enabled(if: Tools.usable("redis-server"), Tools.skipReason("redis-server")),
          .enabled(if: !listStages.isEmpty, noListStage), arguments: listStages)
    func redisPyLists(stage: Int) throws {
        if !Tools.redisPyUsable { Issue.record("redis-py is missing, and CI=true requires it (pip install redis)"); return }
        try Tools.require("redis-server")
        // The checks up to stage 7's: stage 8's are the next test's.
        let redis = try Self.redisPySteps(checks: 7, stage: stage, against: "redis")
        let ours = try Self.redisPySteps(checks: 7, stage: stage, against: "ours")
        #expect(redis.contains("step blpop timeout: None") && redis.contains("step blpop woken by a push: (b'wake', b'hello')"),
                "redis-server's run did not get through the blocking pops:\n\(redis.joined(separator: "\n"))")
        Self.expectSameSteps(ours: ours, redis: redis)
    }

    @Test("redis-py: pipeline() as a transaction, errors inside EXEC and while queueing, WatchError, transaction() retrying; the same lines as redis-server",
          .enabled(if: Tools.redisPyUsable, "redis-py is not installed (pip install redis)"),
          .enabled(if: Tools.usable("redis-server"), Tools.skipReason("redis-server")),
          .enabled(if: !transactionStages.isEmpty, noTransactionStage), arguments: transactionStages)
    func redisPyTransactions(stage: Int) throws {
        if !Tools.redisPyUsable { Issue.record("redis-py is missing, and CI=true requires it (pip install redis)"); return }
        try Tools.require("redis-server")
        // Stage 8's lines: the list lines before them are the test above's.
        let isTransaction = { (line: String) in line.hasPrefix("step tx ") }
        let redis = try Self.redisPySteps(checks: 8, stage: stage, against: "redis").filter(isTransaction)
        let ours = try Self.redisPySteps(checks: 8, stage: stage, against: "ours").filter(isTransaction)
        #expect(redis.contains("step tx transaction attempts: 2") && redis.contains("step tx final value: b'14'"),
                "redis-server's run did not get through r.transaction()'s retry:\n\(redis.joined(separator: "\n"))")
        Self.expectSameSteps(ours: ours, redis: redis)
    }

    @Test("redis-py: pubsub() subscribe and psubscribe, get_message(timeout=...), listen(), handlers, PING while subscribed, in RESP2 and RESP3; the same lines as redis-server",
          .enabled(if: Tools.redisPyUsable, "redis-py is not installed (pip install redis)"),
          .enabled(if: Tools.usable("redis-server"), Tools.skipReason("redis-server")),
          .enabled(if: !pubsubStages.isEmpty, noPubSubStage), arguments: pubsubStages)
    func redisPyPubSub(stage: Int) throws {
        if !Tools.redisPyUsable { Issue.record("redis-py is missing, and CI=true requires it (pip install redis)"); return }
        try Tools.require("redis-server")
        // Stage 9's lines, `ps2 ` and `ps3 ` by protocol; the earlier
        // stages' lines are the tests above's.
        let isPubSub = { (line: String) in line.hasPrefix("step ps2 ") || line.hasPrefix("step ps3 ") }
        let redis = try Self.redisPySteps(checks: 9, stage: stage, against: "redis").filter(isPubSub)
        let ours = try Self.redisPySteps(checks: 9, stage: stage, against: "ours").filter(isPubSub)
        // Proof that both protocols' runs got to their end, listen() included.
        for proto in [2, 3] {
            #expect(redis.contains { $0.hasPrefix("step ps\(proto) listen heard: ") }
                        && redis.contains { $0.hasPrefix("step ps\(proto) raw get while subscribed: ") },
                    "redis-server's RESP\(proto) run did not get through listen():\n\(redis.joined(separator: "\n"))")
        }
        Self.expectSameSteps(ours: ours, redis: redis)
    }

    /// The `step NAME: RESULT` lines that Tests/Fixtures/redis_py_check.py
    /// prints when it runs the checks of the stages up to `checks`
    /// (`--stage checks`), against our `stage` ("ours") or redis-server
    /// ("redis"). The script checks what it knows for sure itself (and the
    /// test fails if it exits non-zero); the lines are for comparing ours
    /// with redis-server's.
    static func redisPySteps(checks: Int, stage: Int, against kind: String) throws -> [String] {
        let script = Tools.packageRoot + "/Tests/Fixtures/redis_py_check.py"
        let server = try RedisClientTests.start(kind, stage: stage)
        defer { server.stop() }
        let run = try Tools.run("python3 '\(script)' \(server.port) --stage \(checks)", timeoutSeconds: 60)
        #expect(run.status == 0, "\(kind): the redis-py check failed:\n\(run.output)")
        return run.output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("step ") }
    }

    /// Records an issue for every line of ours that differs from redis-server's.
    static func expectSameSteps(ours: [String], redis: [String]) {
        #expect(ours.count == redis.count, "ours printed \(ours.count) lines, redis-server \(redis.count):\n\(ours.joined(separator: "\n"))")
        for (our, theirs) in zip(ours, redis) where our != theirs {
            Issue.record("redis-py sees a difference:\n  ours:         \(our)\n  redis-server: \(theirs)")
        }
    }
}

/// Our own redis-client must print what redis-cli prints, against
/// redis-server and against our newest stage.
@Suite("redis-client")
struct RedisClientTests {
    /// Commands, and the lines redis-cli shows for them.
    static let checks: [(String, String)] = [
        ("FLUSHALL", "OK"),
        ("SET foo bar", "OK"),
        ("GET foo", "\"bar\""),
        ("GET missing", "(nil)"),
        ("EXISTS foo missing", "(integer) 1"),
        ("SET k", "(error) ERR wrong number of arguments for 'set' command"),
        ("CONFIG GET appendonly", "1) \"appendonly\"\n2) \"no\""),
    ]

    /// Starts our `stage` (default: the newest; "ours") or redis-server
    /// ("redis") on a free port.
    static func start(_ kind: String, stage: Int = Tools.newestStage) throws -> ServerUnderTest {
        kind == "ours" ? try Gate.startOwnServer(stage: stage)
            : try ServerUnderTest(command: "redis-server --port {port} --save '' --appendonly no")
    }

    /// The redis-client binary.
    static var client: String { Tools.buildDirectory + "/redis-client" }

    @Test("one command per run, against our newest stage and redis-server",
          .enabled(if: Tools.usable("redis-server"), Tools.skipReason("redis-server")), arguments: ["ours", "redis"])
    func oneShot(server kind: String) throws {
        try Tools.require("redis-server")
        let server = try Self.start(kind)
        defer { server.stop() }
        for (command, expected) in Self.checks {
            let result = try Tools.run("\(Self.client) -p \(server.port) \(command)")
            #expect(result.output.trimmingCharacters(in: .newlines) == expected, "\(kind): redis-client \(command)")
        }
    }

    @Test("the prompt reads quoted commands from standard input, and quits",
          .enabled(if: Tools.usable("redis-server"), Tools.skipReason("redis-server")), arguments: ["ours", "redis"])
    func prompt(server kind: String) throws {
        try Tools.require("redis-server")
        let server = try Self.start(kind)
        defer { server.stop() }
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("client-input-\(server.port).txt")
        try #"SET "a b" 'it\'s'"# .appending("\nGET \"a b\"\nquit\nGET never\n").write(to: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: input) }
        let result = try Tools.run("\(Self.client) -p \(server.port) < '\(input.path)'")
        #expect(result.status == 0)
        #expect(result.output == "OK\n\"it's\"\n", "\(kind): \(result.output)")
    }
}

/// go-redis v5 (Debian's golang-gopkg-redis.v5-dev) must see the same
/// replies from our newest stage as from redis-server: a Go program
/// (Tests/Fixtures/goredis/main.go) prints one line per step against each,
/// and the lines must be identical, except the ones listed here.
@Suite("go-redis")
struct GoRedisTests {
    /// A line that differs while our newest stage lacks a command: the
    /// step's name (the line's start), the command, the stage that brings
    /// it, and why. Until that stage our line must be the unknown-command
    /// error; from then on the exception lapses and the lines must match.
    struct KnownDifference {
        var step: String
        var command: String
        var untilStage: Int
        var why: String
    }

    static let knownDifferences = [
        KnownDifference(step: "SETNX lock (new)", command: "SETNX", untilStage: 8,
                        why: "go-redis's SetNX with no expiration sends SETNX, which arrives with stage 8"),
        KnownDifference(step: "SETNX foo (exists)", command: "SETNX", untilStage: 8,
                        why: "go-redis's SetNX with no expiration sends SETNX, which arrives with stage 8"),
    ]

    /// Where Debian installs go-redis v5's source.
    static let goRedisSource = "/usr/share/gocode/src/gopkg.in/redis.v5"

    /// True if the Go compiler and go-redis v5 are installed (or CI, where they must be).
    static let usable = Tools.isCI
        || (Tools.installed("go") && FileManager.default.fileExists(atPath: goRedisSource) && Tools.installed("redis-server"))

    @Test("the same lines against our newest stage and redis-server",
          .enabled(if: usable, "go or go-redis v5 is not installed (apt-get install golang-go golang-gopkg-redis.v5-dev); skipped locally, required when CI=true"))
    func sameOutput() throws {
        try Tools.require("redis-server")
        guard Tools.installed("go"), FileManager.default.fileExists(atPath: Self.goRedisSource) else {
            throw Tools.ToolMissing(description: "go or go-redis v5 is missing, and CI=true requires them (apt-get install golang-go golang-gopkg-redis.v5-dev)")
        }
        // Build offline, outside the package: GOPATH mode, Debian's gocode tree.
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("goredis-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let source = Tools.packageRoot + "/Tests/Fixtures/goredis/main.go"
        let build = try Tools.run("env GO111MODULE=off GOPATH='\(work)/gopath:/usr/share/gocode' GOCACHE='\(work)/cache' "
                                  + "go build -o '\(work)/goredis-check' '\(source)'", timeoutSeconds: 300)
        try #require(build.status == 0, "go build failed:\n\(build.output)")

        func lines(against kind: String) throws -> [String] {
            let server = try RedisClientTests.start(kind)
            defer { server.stop() }
            let run = try Tools.run("'\(work)/goredis-check' 127.0.0.1:\(server.port)", timeoutSeconds: 60)
            #expect(run.status == 0, "\(kind): the go-redis program exited \(run.status):\n\(run.output)")
            return run.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        let ours = try lines(against: "ours")
        let redis = try lines(against: "redis")
        #expect(ours.count == redis.count, "ours printed \(ours.count) lines, redis-server \(redis.count):\n\(ours.joined(separator: "\n"))")
        #expect(redis.contains("GET foo after DEL: redis.Nil"), "redis-server's run did not get as far as GET of a missing key:\n\(redis.joined(separator: "\n"))")
        for (our, theirs) in zip(ours, redis) where our != theirs {
            let known = Self.knownDifferences.first { theirs.hasPrefix($0.step + ": ") && Tools.newestStage < $0.untilStage }
            guard let known else {
                Issue.record("go-redis sees a difference:\n  ours:         \(our)\n  redis-server: \(theirs)")
                continue
            }
            let unknownCommand = "\(known.step): error: ERR unknown command '\(known.command.lowercased())'"
            #expect(our.hasPrefix(unknownCommand),
                    "\(known.step) differs as listed (\(known.why)), but ours is not the unknown-command error: \(our)")
        }
    }
}

/// Finding and running external tools.
enum Tools {
    /// True under CI, where missing tools are failures, not skips.
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// The package root: this file is Tests/InteropTests/InteropTests.swift.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The newest stage, which has every command the tests use.
    static var newestStage: Int { Gate.stages.last! }

    /// Where `swift build` put our binaries: `STAGE_BIN_DIR` (as for the
    /// gates, e.g. a sanitizer build's), else the package's `.build/debug`.
    static var buildDirectory: String {
        let directory = ProcessInfo.processInfo.environment["STAGE_BIN_DIR"] ?? ""
        return directory.isEmpty ? packageRoot + "/.build/debug" : directory
    }

    /// True if `name` is on the PATH.
    static func installed(_ name: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
    }

    /// Whether a test needing `name` should run: when it is installed, and
    /// always under CI (where it then fails if the tool is missing).
    static func usable(_ name: String) -> Bool {
        isCI || installed(name)
    }

    /// The message shown when a test is skipped for lack of `name`.
    static func skipReason(_ name: String) -> Comment {
        "\(name) is not installed (apt-get install redis-tools); skipped locally, required when CI=true"
    }

    /// Fails the test when `name` is missing (only reachable under CI).
    static func require(_ name: String) throws {
        guard installed(name) else {
            throw ToolMissing(description: "\(name) is missing, and CI=true requires it (apt-get install redis-tools)")
        }
    }

    /// True if Python can import redis-py (or CI, where it must).
    static let redisPyUsable = isCI || ((try? run("python3 -c 'import redis'").status) == 0)

    /// A tool that should be there is not.
    struct ToolMissing: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs a shell command and returns its exit status and output.
    static func run(_ command: String, timeoutSeconds: Int = 30) throws -> (status: Int32, output: String) {
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("interop-\(UUID().uuidString.prefix(8)).log").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let pid = try ChildProcess.spawn(shellCommand: command, outputPath: outputPath)
        let status = ChildProcess.waitForExit(pid, timeoutMilliseconds: timeoutSeconds * 1000) ?? -1
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return (status, output)
    }
}

/// `--maxclients`: one client too many gets Redis's error and is closed,
/// byte for byte as redis-server does it.
@Suite("maxclients")
struct MaxClientsTests {
    @Test("the client over the limit is refused with Redis's text; a freed place is reused",
          .enabled(if: Tools.usable("redis-server"), Tools.skipReason("redis-server")), arguments: ["ours", "redis"])
    func limit(server kind: String) throws {
        try Tools.require("redis-server")
        let server = kind == "ours"
            ? try ServerUnderTest(command: Tools.buildDirectory + String(format: "/Stage%02d", Tools.newestStage) + " --port {port} --maxclients 2")
            : try ServerUnderTest(command: "redis-server --port {port} --maxclients 2 --save '' --appendonly no")
        defer { server.stop() }
        let ping = RESPValue.request("PING")
        let pong = Array("+PONG\r\n".utf8)
        // The readiness probe of ServerUnderTest has come and gone; wait
        // until the server has counted it out before filling both places.
        sleepMilliseconds(100)
        let first = try server.connect(chapter: "README.md")
        let second = try server.connect(chapter: "README.md")
        for client in [first, second] {
            try client.roundTrip(ping, expect: pong, step: "\(kind): PING from one of 2 allowed clients", hint: "")
        }
        let third = try server.connect(chapter: "README.md")
        try third.expect(Array("-ERR max number of clients reached\r\n".utf8), step: "\(kind): the third client", hint: "")
        try third.expectClosed(step: "\(kind): the third client is disconnected", hint: "")
        first.close()
        // The server notices the hang-up on its own schedule: retry briefly.
        var served = false
        for _ in 0..<40 where !served {
            sleepMilliseconds(50)
            let next = try server.connect(chapter: "README.md")
            next.timeoutMilliseconds = 1_000
            served = (try? next.roundTrip(ping, expect: pong, step: "retry", hint: "")) != nil
        }
        #expect(served, "\(kind): a new client is served once a place is free")
    }
}
