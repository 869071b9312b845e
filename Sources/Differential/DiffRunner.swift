import Common
import Foundation
import Harness
import StageGates

/// `stage-tester --diff`: differential fuzzing of a server against real
/// redis-server.
///
///     stage-tester --diff --stage N [--ops 20000] [--seed S] -- <server command with {port}>
///
/// Starts both servers, sends both the same random commands from stage N's
/// grammar (`DiffGrammar`), one at a time or pipelined, compares every
/// reply, and on the first divergence shrinks the sequence to the few
/// commands that still diverge on a fresh pair of servers.
public enum DiffRunner {
    /// The command that starts the reference; `{port}` and `{dir}` are filled in.
    static let referenceCommand = "redis-server --port {port} --save '' --appendonly no --dir '{dir}'"
    /// How many candidate sequences shrinking may replay.
    static let shrinkBudget = 600

    /// What the command line asked for.
    struct Options {
        var stage: Int?
        var operations = 20_000
        var seed: UInt64?
        var command: String?
    }

    /// The usage text of `--diff`.
    static let usage = """
        Usage: stage-tester --diff --stage N [--ops 20000] [--seed S] -- <server command with {port}>

        Sends the same random commands of stage N's grammar to the server and to
        redis-server (which must be on the PATH), one at a time and pipelined, and
        compares every reply byte for byte. A divergence is shrunk to the fewest
        commands that still diverge and printed with both replies and the seed that
        replays it. Exit status 0 means every reply matched.
        """

    /// Runs `stage-tester` with `arguments` (which include `--diff`) and exits.
    public static func main(arguments: [String]) -> Never {
        let options = parse(arguments)
        guard let stage = options.stage else { fail(usage, status: 2) }
        guard stage >= DiffGrammar.firstStage, let generatorTemplate = DiffGenerator(stage: stage, seed: 0) else {
            fail("stage-tester: --diff needs a stage with commands: stage \(stage) has none (stage 1 only accepts connections; its gate, --stage 1, checks that). Use --stage \(DiffGrammar.firstStage) or later.", status: 2)
        }
        guard Gate.stages.contains(stage) || stage <= (DiffGrammar.table.map(\.stage).max() ?? 0) else {
            fail("stage-tester: there is no stage \(stage); stages: \(Gate.stageList)", status: 2)
        }
        guard let command = options.command, !command.isEmpty else {
            fail("stage-tester: --diff needs a server command after --\n\n\(usage)", status: 2)
        }
        guard isOnPath("redis-server") else {
            fail("stage-tester: --diff compares against redis-server, which is not on the PATH (apt-get install redis-server, brew install redis).", status: 2)
        }
        let seed = options.seed ?? UInt64.random(in: 1...UInt64(UInt32.max))
        let replay = "stage-tester --diff --stage \(stage) --ops \(options.operations) --seed \(seed) -- \(command)"
        log("stage-tester --diff: stage \(stage), \(options.operations) commands, seed \(seed)")
        log("  grammar:   \(generatorTemplate.commandNames.joined(separator: ", "))")
        log("  reference: \(referenceVersion())")
        log("  tested:    \(command)")

        var generator = DiffGenerator(stage: stage, seed: seed)!
        let commands = (0..<options.operations).map { _ in generator.next() }
        let servers: DiffServers
        do {
            servers = try DiffServers(testedCommand: command, flushBetweenAttempts: generatorTemplate.commandNames.contains("FLUSHALL"))
        } catch {
            fail("FAILED: could not start the servers: \(error)", status: 1)
        }
        defer { servers.stop() }

        let started = Date()
        let steps: [DiffStep]
        do {
            steps = try servers.runFresh(commands)
        } catch {
            fail("FAILED: \(error)", status: 1)
        }
        let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
        guard let first = steps.firstIndex(where: \.diverges) else {
            log("PASSED: stage \(stage) diff, seed \(seed): \(steps.count) commands, every reply matched redis-server's (\(seconds) s).")
            servers.stop()
            Platform.exit(0)
        }
        // The replies as they were, for when a replay does not diverge again.
        log("\nDIVERGED at command \(first + 1) of \(options.operations) (after \(seconds) s): \(steps[first].command.displayLine)")
        log("  redis-server: \(steps[first].reference.display)\n  tested:       \(steps[first].tested.display)\nShrinking it...")
        let report = shrink(Array(commands[0...first]), servers: servers)
        log(report)
        log("Replay: \(replay)")
        servers.stop()
        Platform.exit(1)
    }

    /// Shrinks `failing` (whose last command diverged) and returns the report.
    ///
    /// Each candidate runs on fresh connections after FLUSHALL, on the same
    /// two servers (restarted only if one died or did not come back empty):
    /// everything the grammar can change lives in the keyspace, which
    /// FLUSHALL empties (TTLs included), or in the connection (HELLO's
    /// protocol, the client name), which a new connection resets; nothing in
    /// the grammar changes the server's configuration. Restarting two
    /// servers per candidate would cost a second each instead of a few
    /// milliseconds. The result is then confirmed on a fresh pair.
    static func shrink(_ failing: [DiffCommand], servers: DiffServers) -> String {
        let started = Date()
        var attempts = 0
        func diverges(_ candidate: [DiffCommand]) -> Bool {
            attempts += 1
            return (try? servers.runFresh(candidate).contains(where: \.diverges)) ?? false
        }
        guard diverges(failing) else {
            return "The divergence did not happen again on a replay: it depends on timing. The last commands were:\n"
                + failing.suffix(8).map { "  " + $0.displayLine }.joined(separator: "\n")
        }
        // Most divergences need only the last few commands: try growing
        // suffixes first, which is cheaper than ddmin on thousands.
        var candidate = failing
        var length = 1
        while length < failing.count {
            let suffix = Array(failing.suffix(length))
            if diverges(suffix) { candidate = suffix; break }
            length *= 2
        }
        var budget = shrinkBudget
        let minimal = DiffShrinker.minimize(candidate, budget: &budget, fails: diverges)
        let seconds = String(format: "%.1f", Date().timeIntervalSince(started))

        // Confirm on a fresh pair of servers, and keep those steps to show.
        var confirmed = false
        var steps: [DiffStep] = []
        if (try? servers.restart()) != nil, let fresh = try? servers.runFresh(minimal, flush: false) {
            steps = fresh
            confirmed = fresh.contains(where: \.diverges)
        }
        if !confirmed, let again = try? servers.runFresh(minimal) { steps = again }
        var lines = [
            "Shrunk to \(minimal.count) command\(minimal.count == 1 ? "" : "s") (\(attempts) replays, \(seconds) s); "
                + (confirmed ? "they diverge on a fresh pair of servers too:" : "they diverge after FLUSHALL, but not on freshly started servers:"),
            "",
        ]
        for (index, step) in steps.enumerated() {
            lines.append("  \(index + 1)) \(step.command.displayLine)")
            if step.reference == step.tested {
                lines.append("       both:         \(step.reference.display)")
            } else {
                lines.append("       redis-server: \(step.reference.display)")
                lines.append("       tested:       \(step.tested.display)" + (step.diverges ? "    <- differs" : "    (within tolerance)"))
            }
            if step.diverges, let note = note(for: step.command.comparison) { lines.append("       (\(note))") }
        }
        lines.append("")
        lines.append("diff: shrunk to \(minimal.count) command\(minimal.count == 1 ? "" : "s")")
        return lines.joined(separator: "\n")
    }

    /// What a tolerant comparison allowed, for the report.
    static func note(for comparison: DiffComparison) -> String? {
        switch comparison {
        case .exact: return nil
        case .time(let tolerance): return "a time: compared within \(tolerance)"
        case .keyCount: return "DBSIZE: compared while no expired key may linger"
        case .hello: return "HELLO: compared with the values of id and version masked"
        case .unorderedPairs: return "CONFIG GET: the same pairs in any order"
        case .unorderedElements: return "PUBSUB CHANNELS: the same channels in any order"
        }
    }

    /// Parses the arguments of `--diff`, or exits with the usage text.
    static func parse(_ arguments: [String]) -> Options {
        var options = Options()
        var index = 0
        func value() -> String {
            index += 1
            guard index < arguments.count else { fail(usage, status: 2) }
            return arguments[index]
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--diff": break
            case "--stage":
                guard let stage = Int(value()) else { fail("stage-tester: --stage takes a stage number; stages: \(Gate.stageList)", status: 2) }
                options.stage = stage
            case "--ops":
                guard let count = Int(value()), count > 0 else { fail("stage-tester: --ops takes a positive number", status: 2) }
                options.operations = count
            case "--seed":
                guard let seed = UInt64(value()) else { fail("stage-tester: --seed takes a number (0 to 2^64-1)", status: 2) }
                options.seed = seed
            case "--help", "-h":
                log(usage)
                Platform.exit(0)
            case "--":
                options.command = arguments[(index + 1)...].joined(separator: " ")
                index = arguments.count
            default:
                fail("stage-tester: unknown option for --diff: '\(arguments[index])'\n\n\(usage)", status: 2)
            }
            index += 1
        }
        return options
    }

    /// True if `name` is an executable on the PATH.
    static func isOnPath(_ name: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
    }

    /// `redis-server --version`'s first words, for the header.
    static func referenceVersion() -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("diff-version-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: output) }
        guard let pid = try? ChildProcess.spawn(shellCommand: "redis-server --version", outputPath: output.path) else { return "redis-server" }
        _ = ChildProcess.waitForExit(pid, timeoutMilliseconds: 5_000)
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}

/// The pair of servers a diff runs on: redis-server in an empty temporary
/// directory, and the server under test.
final class DiffServers {
    /// The server under test's command, with `{port}`.
    let testedCommand: String
    /// Whether the grammar has a keyspace to empty between replays.
    let flushBetweenAttempts: Bool
    /// redis-server's working directory (it writes nothing there with
    /// `--save ''`, but must not find or write a dump elsewhere).
    let directory: URL
    /// The running servers.
    private var reference: ServerUnderTest
    private var tested: ServerUnderTest
    /// Connections to both.
    private var session: DiffSession

    /// Starts both servers.
    init(testedCommand: String, flushBetweenAttempts: Bool) throws {
        self.testedCommand = testedCommand
        self.flushBetweenAttempts = flushBetweenAttempts
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("diff-redis-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        (self.reference, self.tested) = try DiffServers.start(testedCommand, directory: self.directory)
        self.session = DiffSession(referencePort: self.reference.port, testedPort: self.tested.port)
    }

    /// Starts redis-server and the server under test.
    private static func start(_ testedCommand: String, directory: URL) throws -> (ServerUnderTest, ServerUnderTest) {
        let reference = try ServerUnderTest(command: DiffRunner.referenceCommand.replacingOccurrences(of: "{dir}", with: directory.path))
        return (reference, try ServerUnderTest(command: testedCommand))
    }

    /// Stops both servers and starts new ones.
    func restart() throws {
        self.session.close()
        self.reference.stop()
        self.tested.stop()
        (self.reference, self.tested) = try DiffServers.start(self.testedCommand, directory: self.directory)
        self.session = DiffSession(referencePort: self.reference.port, testedPort: self.tested.port)
    }

    /// Runs `commands` on fresh connections; first, when `flush`, empties
    /// both keyspaces and checks that both are empty (restarting the
    /// servers if not, or if one of them died).
    func runFresh(_ commands: [DiffCommand], flush: Bool = true) throws -> [DiffStep] {
        if !self.reference.isRunning || !self.tested.isRunning { try self.restart() }
        do { try self.session.reconnect() } catch {
            try self.restart()
            try self.session.reconnect()
        }
        if flush && self.flushBetweenAttempts {
            let check = self.session.run([DiffCommand([Array("FLUSHALL".utf8)]), DiffCommand([Array("DBSIZE".utf8)])])
            let clean = check.count == 2 && check.allSatisfy { !$0.diverges }
                && check[1].reference == .bytes(Array(":0\r\n".utf8))
            if !clean {
                try self.restart()
                try self.session.reconnect()
            }
        }
        return self.session.run(commands)
    }

    /// Stops both servers and removes redis-server's directory.
    func stop() {
        self.session.close()
        self.reference.stop()
        self.tested.stop()
        try? FileManager.default.removeItem(at: self.directory)
    }
}
