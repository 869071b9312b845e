@testable import Differential
import Foundation
import Testing

/// `stage-tester --diff` must pass our own stage against redis-server,
/// catch every planted bug (Tests/Fixtures/broken/, real Redis behind a
/// proxy that changes one thing) and shrink it to a handful of commands.
@Suite("stage-tester --diff")
struct DiffTests {
    /// True when the tests that need redis-server can run; under CI=true
    /// they run anyway and fail if it is missing.
    static let canRun = Tester.isCI || Tester.installed("redis-server")

    @Test("passes our stage 6 against redis-server",
          .enabled(if: canRun, "redis-server is not installed; required when CI=true"))
    func passesOurStage6() throws {
        let result = try Tester.run("--diff --stage 6 --ops 5000 --seed 1 -- \(Tester.buildDirectory)/Stage06 --port {port}")
        #expect(result.status == 0, "\(result.output.suffix(3000))")
        #expect(result.output.contains("PASSED: stage 6 diff, seed 1: 5000 commands"), "\(result.output.suffix(3000))")
    }

    @Test("catches a planted bug and shrinks it to at most 5 commands", .enabled(if: canRun, "redis-server is not installed; required when CI=true"),
          arguments: [
              ("set_nx_overwrites", "NX"), ("del_counts_duplicates", "DEL"),
              ("error_without_trailing_space", "-ERR UNKNOWN COMMAND"), ("ignores_px", "PX"),
          ])
    func catchesPlantedBug(script: String, shown: String) throws {
        let server = "python3 \(Tester.packageRoot)/Tests/Fixtures/broken/\(script).py {port}"
        let result = try Tester.run("--diff --stage 6 --ops 3000 --seed 1 -- \(server)", timeoutSeconds: 300)
        #expect(result.status == 1, "\(result.output.suffix(3000))")
        #expect(result.output.contains("DIVERGED at command"), "\(result.output.suffix(3000))")
        #expect(result.output.contains("they diverge on a fresh pair of servers too"), "\(result.output.suffix(3000))")
        #expect(result.output.contains("<- differs"))
        #expect(result.output.contains("Replay: stage-tester --diff --stage 6 --ops 3000 --seed 1 -- "))
        // The report names the planted bug's command (in any letter case).
        #expect(result.output.uppercased().contains(shown), "\(result.output.suffix(3000))")
        let count = result.output.split(separator: "\n").compactMap { line -> Int? in
            guard line.hasPrefix("diff: shrunk to ") else { return nil }
            return Int(line.dropFirst("diff: shrunk to ".count).prefix { $0.isNumber })
        }.first
        let shrunk = try #require(count, "no 'diff: shrunk to N commands' line:\n\(result.output.suffix(3000))")
        #expect(shrunk <= 5, "\(result.output.suffix(3000))")
    }

    @Test("refuses stage 1, which has no commands")
    func refusesStage1() throws {
        let result = try Tester.run("--diff --stage 1 -- sleep 30")
        #expect(result.status == 2)
        #expect(result.output.contains("--diff needs a stage with commands: stage 1 has none"), "\(result.output)")
    }

    @Test("the same seed draws the same commands; stage 1 has no grammar")
    func seedReplays() throws {
        var first = try #require(DiffGenerator(stage: 6, seed: 42))
        var second = try #require(DiffGenerator(stage: 6, seed: 42))
        let a = (0..<2_000).map { _ in first.next() }
        let b = (0..<2_000).map { _ in second.next() }
        #expect(a == b)
        #expect(DiffGenerator(stage: 1, seed: 42) == nil)
        // Stage 2 knows only PING; stage 6 draws stage 6's commands.
        var ping = try #require(DiffGenerator(stage: 2, seed: 1))
        #expect((0..<200).allSatisfy { _ in ping.next().upperName == "PING" })
        #expect(a.contains { $0.upperName == "PEXPIRE" } && a.contains { $0.shortTTL } && a.contains(where: \.inline))
    }

    @Test("EXEC carries the short TTL of a command queued since MULTI, so the runner waits after EXEC")
    func execCarriesQueuedShortTTL() throws {
        var generator = try #require(DiffGenerator(stage: 8, seed: 2_315_683_237))
        let commands = (0..<20_000).map { _ in generator.next() }
        // Followed from the commands alone: MULTI opens, EXEC (always) and
        // a well-formed DISCARD close (the generator's own rules, `track`).
        var inside = false, queuedShortTTL = false, checked = 0
        for (index, command) in commands.enumerated() {
            switch command.upperName {
            case "MULTI" where command.arguments.count == 1:
                inside = true
            case "EXEC":
                if queuedShortTTL {
                    checked += 1
                    #expect(command.shortTTL && command.mayLeaveExpiredKey,
                            "EXEC at command \(index + 1) runs a short TTL queued since MULTI, but does not end its batch with the wait")
                }
                inside = false
                queuedShortTTL = false
            case "DISCARD" where command.arguments.count == 1:
                inside = false
                queuedShortTTL = false
            default:
                if inside && command.shortTTL { queuedShortTTL = true }
            }
        }
        // This seed queued `PEXPIRE key:{1} 1` at command 11127 (CI's divergence).
        #expect(checked > 0, "no short TTL was queued in MULTI in this sequence: the check checked nothing")
    }

    @Test("ddmin finds the two elements that matter")
    func ddmin() {
        var budget = 1_000
        let minimal = DiffShrinker.minimize(Array(0..<500), budget: &budget) { $0.contains(123) && $0.contains(321) }
        #expect(minimal == [123, 321])
    }

    @Test("tolerated differences: times, DBSIZE with lingering expired keys, HELLO's id, CONFIG GET's order")
    func tolerances() {
        let ttl = DiffCommand([Array("PTTL".utf8), Array("k".utf8)], comparison: .time(tolerance: 500))
        func reply(_ text: String) -> DiffReply { .bytes(Array(text.utf8)) }
        #expect(DiffSession.agree(ttl, reply(":3600000\r\n"), reply(":3599800\r\n"), expiredKeysMayLinger: false))
        #expect(!DiffSession.agree(ttl, reply(":3600000\r\n"), reply(":3598000\r\n"), expiredKeysMayLinger: false))
        #expect(!DiffSession.agree(ttl, reply(":-1\r\n"), reply(":-2\r\n"), expiredKeysMayLinger: false))
        let dbsize = DiffCommand([Array("DBSIZE".utf8)], comparison: .keyCount)
        #expect(!DiffSession.agree(dbsize, reply(":1\r\n"), reply(":2\r\n"), expiredKeysMayLinger: false))
        #expect(DiffSession.agree(dbsize, reply(":1\r\n"), reply(":2\r\n"), expiredKeysMayLinger: true))
        let hello = DiffCommand([Array("HELLO".utf8)], comparison: .hello)
        let ours = "*4\r\n$2\r\nid\r\n:2\r\n$5\r\nproto\r\n:2\r\n", theirs = "*4\r\n$2\r\nid\r\n:7\r\n$5\r\nproto\r\n:2\r\n"
        #expect(DiffSession.agree(hello, reply(theirs), reply(ours), expiredKeysMayLinger: false))
        #expect(!DiffSession.agree(hello, reply(theirs), reply("*4\r\n$2\r\nid\r\n:7\r\n$5\r\nproto\r\n:3\r\n"), expiredKeysMayLinger: false))
        let config = DiffCommand([Array("CONFIG".utf8)], comparison: .unorderedPairs)
        #expect(DiffSession.agree(config, reply("*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"),
                                  reply("*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n"), expiredKeysMayLinger: false))
        #expect(!DiffSession.agree(config, reply("*2\r\n$1\r\na\r\n$1\r\n1\r\n"), reply("*2\r\n$1\r\na\r\n$1\r\n2\r\n"), expiredKeysMayLinger: false))
    }

    @Test("commands are shown redis-cli style and sent as RESP or inline")
    func rendering() {
        let command = DiffCommand([Array("SET".utf8), [0, 0xFF], Array("a b".utf8), []])
        #expect(command.displayLine == #"SET "\x00\xff" "a b" """#)
        #expect(command.requestBytes == Array("*4\r\n$3\r\nSET\r\n$2\r\n".utf8) + [0, 0xFF] + Array("\r\n$3\r\na b\r\n$0\r\n\r\n".utf8))
        var inline = command
        inline.inline = true
        #expect(inline.requestBytes == Array(#"SET "\x00\xff" "a b" """#.utf8) + [13, 10])
    }
}
