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
        let result = try Tester.run("--stage \(stage) --quiet -- \(binary) --port {port}")
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
        let stages = try JSONDecoder().decode([StageReport].self, from: json)
        #expect(stages.count == 1)
        #expect(result.output.contains("✘ passive expiry: an expired key is never returned"))
        #expect(result.output.contains("Every read must check the expiry time first."))
        let expiry = try #require(stages.first { $0.stage == 6 })
        #expect(!expiry.passed)
        #expect(expiry.chapter?.hasPrefix("Tutorials/06-expiry.md#") == true, "\(expiry)")
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
        let result = try Tester.run("--stage 1 --quiet -- sleep 30", timeoutSeconds: 120)
        #expect(result.status == 1)
        #expect(result.output.contains("nothing accepted connections"))
    }
}

/// One stage's line of `--report json`.
struct StageReport: Decodable, CustomStringConvertible {
    var stage: Int
    var passed: Bool
    var failedScenario: String?
    var chapter: String?
    var description: String { "stage \(stage): passed=\(passed) failed=\(failedScenario ?? "-") chapter=\(chapter ?? "-")" }
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

    /// Runs `stage-tester <arguments>`; returns the status, all output, and stdout alone.
    static func run(_ arguments: String, timeoutSeconds: Int = 180) throws -> (status: Int32, output: String, stdout: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tester-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outPath = directory.appendingPathComponent("out").path
        let errPath = directory.appendingPathComponent("err").path
        let pid = try ChildProcess.spawn(shellCommand: "\(buildDirectory)/stage-tester \(arguments) 2>'\(errPath)'", outputPath: outPath)
        let status = ChildProcess.waitForExit(pid, timeoutMilliseconds: timeoutSeconds * 1000) ?? -1
        let stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return (status, stdout + stderr, stdout)
    }
}
