import Common
import Harness
import Foundation
import StageGates
import Testing

/// The standalone `stage-tester` must pass good servers and fail broken
/// ones with the right hint: these tests run the built binary as a teacher
/// or a student would.
@Suite("stage-tester")
struct StageTesterTests {
    @Test("passes our own stage N at stage N", arguments: Gate.stages)
    func passesOurStages(stage: Int) throws {
        let binary = Tester.buildDirectory + String(format: "/Stage%02d", stage)
        // 1,200 s, not the default 180: under ASan, stage 9's gate (a 100 MB
        // slow subscriber, 10,000 ordered messages) took 259 s alone on a
        // slow machine, and over 180 s beside the rest of the suite. Each
        // scenario has its own deadlines, so a hang still fails in time.
        let result = try Tester.run("--stage \(stage) --quiet -- \(binary) --port {port}", timeoutSeconds: 1200)
        #expect(result.status == 0, "stage-tester failed our Stage\(stage):\n\(result.output.suffix(3000))")
        #expect(result.output.contains("PASSED: stage \(stage) gate"))
    }

    @Test("passes every stage against redis-server",
          .enabled(if: Tester.isCI || Tester.installed("redis-server"), "redis-server is not installed; required when CI=true"))
    func passesRedis() throws {
        let result = try Tester.run("--all -- redis-server --port {port} --save \"''\" --appendonly no", timeoutSeconds: 300)
        #expect(result.status == 0, "stage-tester failed redis-server:\n\(result.output.suffix(3000))")
        for stage in Gate.stages {
            #expect(result.output.contains("stage \(stage) (\(Gate.title(ofStage: stage)!)): passed"), "no passing summary line for stage \(stage)")
        }
        #expect(!result.output.contains("FAILED"))
    }

    @Test("passes the README's 10-line Python server at stage 2")
    func passesTenLinePython() throws {
        let script = Tester.packageRoot + "/Tests/Fixtures/servers/ping_server.py"
        #expect(try String(contentsOfFile: script, encoding: .utf8).split(separator: "\n").count <= 10)
        let result = try Tester.run("--stage 2 -- python3 \(script) {port}")
        #expect(result.status == 0, "\(result.output.suffix(3000))")
    }

    @Test("fails a server that replies once per read, with the hint and the chapter section")
    func failsOncePerRead() throws {
        let script = Tester.packageRoot + "/Tests/Fixtures/broken/once_per_read.py"
        let result = try Tester.run("--stage 2 -- python3 \(script) {port}")
        #expect(result.status == 1)
        #expect(result.output.contains("✘ several PINGs in one write get one reply each"))
        #expect(result.output.contains("Did you reply once per read instead of once per command?"))
        #expect(result.output.contains("Tutorials/02-ping.md#one-read-is-not-one-command"))
        #expect(result.output.contains("expected: +PONG\\r\\n+PONG\\r\\n+PONG\\r\\n"), "the failure shows the escaped bytes")
    }

    @Test("fails a server that ignores expiry, and says so in the JSON report")
    func failsNoExpiry() throws {
        let script = Tester.packageRoot + "/Tests/Fixtures/broken/no_expiry.py"
        // The planted server speaks just enough RESP for stage 5's commands, so
        // only stage 6's own scenarios are run (--only 6).
        let result = try Tester.run("--only 6 --quiet --report json -- python3 \(script) {port}", timeoutSeconds: 300)
        #expect(result.status == 1)
        let json = try #require(result.stdout.data(using: .utf8))
        let stages = try JSONDecoder().decode(Report.self, from: json).stages
        #expect(stages.count == 1)
        #expect(result.output.contains("✘ passive expiry: an expired key is never returned"))
        #expect(result.output.contains("Every read must check the expiry time first."))
        let expiry = try #require(stages.first { $0.stage == 6 })
        #expect(!expiry.passed)
        #expect(expiry.chapter?.hasPrefix("Tutorials/06-expiry.md#") == true, "\(expiry)")
    }

    @Test("one wrong reply type (ECHO answers +hey) is named in the first failure, not 7 different hints")
    func failsEchoSimpleString() throws {
        let script = Tester.packageRoot + "/Tests/Fixtures/broken/echo_simple_string.py"
        let result = try Tester.run("--only 3 --report json -- python3 \(script) {port}", timeoutSeconds: 300)
        #expect(result.status == 1)
        let cause = "A simple string came back where a bulk string was expected"
        // The first failure: the cause from the bytes, before the step's own hint.
        let first = try #require(result.output.range(of: "✘ ECHO replies with a bulk string"), "\(result.output)")
        let block = result.output[first.upperBound...].prefix { $0 != "✘" && $0 != "✔" }
        #expect(block.contains("received: +hey\\r\\n"), "\(block)")
        let causeLine = try #require(block.range(of: "cause:    \(cause): +hey\\r\\n instead of $3\\r\\nhey\\r\\n"), "\(block)")
        let hintLine = try #require(block.range(of: "hint:     "))
        #expect(causeLine.lowerBound < hintLine.lowerBound, "the cause comes first")
        #expect(result.output.contains("Start with stage 3: \(cause)"), "\(result.output.suffix(1500))")
        #expect(result.output.contains("(All 7 failures look like this same mistake"), "\(result.output.suffix(1500))")
        // The JSON report has every failure with its bytes, and the score.
        let report = try JSONDecoder().decode(Report.self, from: try #require(result.stdout.data(using: .utf8)))
        #expect(report.version.split(separator: ".").count == 3)
        #expect(report.score.total == 11 && report.score.passed == 4, "\(report.score)")
        let failures = try #require(report.stages.first).failures
        #expect(failures.count == 7)
        #expect(failures.allSatisfy { $0.causeKind == "simple-string-for-bulk-string" }, "\(failures.map(\.causeKind))")
        let echo = try #require(failures.first)
        #expect(echo.step == "ECHO hey" && echo.expected == "$3\\r\\nhey\\r\\n" && echo.received == "+hey\\r\\n", "\(echo)")
        #expect(echo.sent == "*2\\r\\n$4\\r\\nECHO\\r\\n$3\\r\\nhey\\r\\n")
    }

    @Test("passing steps show only with --verbose; --quiet shows only failures and the summary")
    func verbosity() throws {
        let command = "-- \(Tester.buildDirectory)/Stage02 --port {port}"
        let normal = try Tester.run("--only 2 \(command)")
        #expect(normal.status == 0)
        #expect(normal.output.contains("✔ PING gets +PONG"))
        #expect(!normal.output.contains("· send PING"), "\(normal.output)")
        let verbose = try Tester.run("--only 2 --verbose \(command)")
        #expect(verbose.output.contains("· send PING") && verbose.output.contains("received: +PONG\\r\\n"), "\(verbose.output)")
        let quiet = try Tester.run("--only 2 --quiet \(command)")
        #expect(!quiet.output.contains("✔") && quiet.output.contains("PASSED: stage 2 gate"), "\(quiet.output)")
    }

    @Test("a server command without {port} is refused at once, saying so")
    func missingPort() throws {
        let result = try Tester.run("--stage 1 -- python3 server.py --port 6379")
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains("A {port} is missing from the server command"), "\(result.output)")
    }

    @Test("fails a one-client-at-a-time server (our stage 3) at stage 4")
    func failsOneAtATime() throws {
        let result = try Tester.run("--stage 4 --quiet -- \(Tester.buildDirectory)/Stage03 --port {port}", timeoutSeconds: 300)
        #expect(result.status == 1)
        #expect(result.output.contains("Is the server still serving one client at a time?"))
        #expect(result.output.contains("Tutorials/04-concurrent-clients.md#"))
    }

    @Test("a stage that does not exist is refused with the list of stages")
    func missingStage() throws {
        let missing = Gate.stages.last! + 3
        for option in ["--stage", "--only"] {
            let result = try Tester.run("\(option) \(missing) -- sleep 30")
            #expect(result.status == 2, "\(result.output)")
            #expect(result.output.contains("there is no stage \(missing); stages: \(Gate.stageList)"), "\(result.output)")
        }
    }

    @Test("a server that never listens is reported, not waited on forever")
    func serverThatDoesNotListen() throws {
        // sleep ignores the port (and sleeps 30 + port seconds, until stopped).
        let result = try Tester.run("--stage 1 --quiet -- sleep 30 {port}", timeoutSeconds: 120)
        #expect(result.status == 1)
        #expect(result.output.contains("nothing accepted connections"))
        #expect(result.output.contains("cause:    Connection refused for 10.0 s: the server runs but nothing listens"), "\(result.output)")
    }
}

/// `--report json`, as far as the tests read it.
struct Report: Decodable {
    var version: String
    var score: Score
    var stages: [StageReport]

    struct Score: Decodable {
        var passed: Int
        var total: Int
    }
}

/// One stage's object in `--report json`.
struct StageReport: Decodable, CustomStringConvertible {
    var stage: Int
    var passed: Bool
    var failedScenario: String?
    var chapter: String?
    var failures: [FailureReport]
    var description: String { "stage \(stage): passed=\(passed) failed=\(failedScenario ?? "-") chapter=\(chapter ?? "-")" }
}

/// One failure in a stage's `failures`.
struct FailureReport: Decodable {
    var step: String
    var sent: String?
    var expected: String?
    var received: String?
    var causeKind: String?
}

/// Running the stage-tester binary.
enum Tester {
    /// True under CI.
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
    /// The package root: this file is Tests/StageTesterTests/StageTesterTests.swift.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    /// Where `swift build` put the binaries.
    static var buildDirectory: String {
        ProcessInfo.processInfo.environment["STAGE_BIN_DIR"] ?? packageRoot + "/.build/debug"
    }

    /// True if `name` is on the PATH.
    static func installed(_ name: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
    }

    /// Runs `stage-tester <arguments>`; returns the status, all output, and
    /// stdout alone. Past `timeoutSeconds` the status is -1, and
    /// stage-tester is killed with every server it started (its process
    /// group).
    static func run(_ arguments: String, timeoutSeconds: Int = 180) throws -> (status: Int32, output: String, stdout: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tester-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outPath = directory.appendingPathComponent("out").path
        let errPath = directory.appendingPathComponent("err").path
        let pid = try ChildProcess.spawn(shellCommand: "\(buildDirectory)/stage-tester \(arguments) 2>'\(errPath)'", outputPath: outPath, ownProcessGroup: true)
        let status = ChildProcess.waitForExit(pid, timeoutMilliseconds: timeoutSeconds * 1000, killingGroup: true) ?? -1
        let stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return (status, stdout + stderr, stdout)
    }
}
