import Common
import Foundation
import Synchronization

/// One black-box check of a stage's behaviour, run over real TCP.
///
/// Scenarios are plain values so that two runners share them: the Swift
/// Testing gates in `Tests/GateTests`, and the standalone `stage-tester`.
public struct Scenario: Sendable, CustomStringConvertible {
    /// The stage that introduces this behaviour.
    public let stage: Int
    /// What the scenario checks, in a few words.
    public let name: String
    /// The chapter section that teaches it, for failure messages.
    public let chapter: String
    /// The steps. Throws a `GateFailure` on the first wrong step.
    let body: @Sendable (ServerUnderTest, Scenario) throws -> Void

    /// Creates a scenario.
    init(stage: Int, _ name: String, chapter: String, body: @escaping @Sendable (ServerUnderTest, Scenario) throws -> Void) {
        self.stage = stage
        self.name = name
        self.chapter = chapter
        self.body = body
    }

    /// Opens a client whose failures point at this scenario's chapter.
    func connect(_ server: ServerUnderTest) throws -> GateClient {
        try server.connect(chapter: self.chapter)
    }

    public var description: String {
        "stage \(self.stage): \(self.name)"
    }
}

/// A request, the exact reply expected, and what to suggest when it differs.
public struct Exchange: Sendable {
    /// What the step checks, for the failure message.
    var step: String
    /// The bytes sent.
    var request: [UInt8]
    /// The bytes expected back, exactly.
    var reply: [UInt8]
    /// The likely mistake when the reply differs.
    var hint: String
}

extension Scenario {
    /// A scenario made of exchanges on one connection, in order.
    static func exchanges(stage: Int, _ name: String, chapter: String, _ exchanges: [Exchange]) -> Scenario {
        Scenario(stage: stage, name, chapter: chapter) { server, scenario in
            let client = try scenario.connect(server)
            for exchange in exchanges {
                try client.roundTrip(exchange.request, expect: exchange.reply, step: exchange.step, hint: exchange.hint)
            }
        }
    }
}

/// Short helpers that the scenario tables share.
protocol ScenarioHelpers {}

extension ScenarioHelpers {
    /// Bytes from text.
    static func b(_ text: String) -> [UInt8] { Array(text.utf8) }
    /// A request (an array of bulk strings) from words.
    static func r(_ words: String...) -> [UInt8] { RESPValue.request(words.map { Array($0.utf8) }) }
    /// One exchange: a request and the exact reply expected.
    static func x(_ request: [UInt8], _ reply: String, _ step: String, hint: String) -> Exchange {
        Exchange(step: step, request: request, reply: Array(reply.utf8), hint: hint)
    }
}

/// One stage as the gates know it: its number, its short title (as in the
/// chapter's name) and the scenarios it introduces.
public struct GateStage: Sendable {
    public let number: Int
    public let title: String
    public let scenarios: [Scenario]
}

/// The gates of all stages, and how to run them.
///
/// The stages come from `registry`, which the build writes
/// (Plugins/GateRegistry) from the files named `StageNNScenarios.swift`:
/// adding a stage's scenarios file adds its gate everywhere.
public enum Gate {
    /// The stage numbers that have gates, in order.
    public static var stages: [Int] { registry.map(\.number) }

    /// The stage numbers as text, for messages: "1 2 3 4 5 6".
    public static var stageList: String { stages.map(String.init).joined(separator: " ") }

    /// Stage `number`, or nil if there is no such stage.
    public static func stage(_ number: Int) -> GateStage? {
        registry.first { $0.number == number }
    }

    /// The short title of stage `number`, such as "PING".
    public static func title(ofStage number: Int) -> String? {
        stage(number)?.title
    }

    /// The scenarios of stage `number` alone.
    public static func scenarios(ofStage number: Int) -> [Scenario] {
        stage(number)?.scenarios ?? []
    }

    /// The gate of stage `number`: its scenarios and those of every earlier
    /// stage, so that a stage never loses what earlier stages taught.
    public static func scenarios(throughStage number: Int) -> [Scenario] {
        registry.filter { $0.number <= number }.flatMap(\.scenarios)
    }

    /// The server the gate of `stage` talks to, chosen by environment
    /// variables (see `ServerUnderTest`).
    public static func startServer(forStage stage: Int) throws -> ServerUnderTest {
        let environment = ProcessInfo.processInfo.environment
        if let address = environment["STAGE_ADDRESS"], !address.isEmpty {
            let parts = address.split(separator: ":")
            guard parts.count == 2, let port = Int(parts[1]) else {
                throw GateFailure(step: "read STAGE_ADDRESS", problem: "'\(address)' is not host:port",
                                  hint: "Use STAGE_ADDRESS=127.0.0.1:6379.", chapter: "README.md")
            }
            return ServerUnderTest(existingHost: String(parts[0]), port: port)
        }
        if let command = environment["STAGE_SERVER"], !command.isEmpty {
            return try ServerUnderTest(command: command)
        }
        return try ServerUnderTest(command: try stageBinary(stage) + " --port {port}")
    }

    /// Starts our own binary for `stage` on a free port, whatever
    /// STAGE_SERVER says: for tests that are about our servers in particular.
    public static func startOwnServer(stage: Int) throws -> ServerUnderTest {
        try ServerUnderTest(command: try stageBinary(stage) + " --port {port}")
    }

    /// Runs one scenario against a fresh server for `stage`. Throws the
    /// scenario's `GateFailure`, with the server's output added when useful.
    ///
    /// A server that dies because another process took its port (between
    /// our free-port probe and its bind, or after a probe that looked
    /// answered) is not the server's fault: the scenario runs again on a
    /// fresh server, up to three times.
    public static func run(_ scenario: Scenario, stage: Int) throws {
        var attempt = 1
        while true {
            let server = try startServer(forStage: stage)
            do {
                try run(scenario, on: server, noticingLostPort: attempt < 3)
                break
            } catch is LostItsPort {
                attempt += 1
            }
        }
        recordPass(scenario, stage: stage, label: try? startLabel(forStage: stage))
    }

    /// Thrown instead of a failure when the server exited saying its port
    /// was in use.
    private struct LostItsPort: Error {}

    /// The label of the server the environment selects, for the gate log.
    private static func startLabel(forStage stage: Int) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let address = environment["STAGE_ADDRESS"], !address.isEmpty { return address }
        if let command = environment["STAGE_SERVER"], !command.isEmpty { return command }
        return try stageBinary(stage)
    }

    /// Runs one scenario on `server`, then stops the server (if we started
    /// it). Throws the scenario's `GateFailure`, with the server's output
    /// added when the server died.
    public static func run(_ scenario: Scenario, on server: ServerUnderTest) throws {
        try run(scenario, on: server, noticingLostPort: false)
    }

    /// `run(_:on:)`; with `noticingLostPort`, a server that exited because
    /// its port was taken throws `LostItsPort` instead of the failure.
    private static func run(_ scenario: Scenario, on server: ServerUnderTest, noticingLostPort: Bool) throws {
        defer { server.stop() }
        do {
            try scenario.body(server, scenario)
        } catch var failure as GateFailure {
            if noticingLostPort, server.processID != nil, !server.isRunning,
               server.recentOutput.lowercased().contains("address already in use") {
                throw LostItsPort()
            }
            if !server.isRunning {
                failure.problem = (failure.problem.map { $0 + "; " } ?? "")
                    + "the server process has exited. Its last output:\n" + server.recentOutput
                // Its exit is the cause of a closed or refused connection, a
                // timeout or a wrong reply; not of a server that never started.
                if failure.diagnosis?.kind != .serverDidNotStart {
                    failure.diagnosis = GateDiagnosis(.serverExited,
                        "The server process exited during this step: did it crash? Its last output is under problem.")
                }
            }
            throw failure
        }
    }

    /// Appends a line to `$GATE_LOG`, if set, for each passed scenario. CI
    /// reads it to prove that the gates really ran against redis-server.
    private static func recordPass(_ scenario: Scenario, stage: Int, label: String?) {
        guard let path = ProcessInfo.processInfo.environment["GATE_LOG"], !path.isEmpty else { return }
        let line = "PASS gate=\(stage) \(scenario) | server: \(label ?? "?")\n"
        // Scenarios run in parallel: one writer at a time, or lines get lost.
        gateLogLock.withLock { _ in
            if let handle = FileHandle(forWritingAtPath: path) {
                handle.seekToEndOfFile()
                handle.write(Data(line.utf8))
                handle.closeFile()
            } else {
                _ = FileManager.default.createFile(atPath: path, contents: Data(line.utf8))
            }
        }
    }

    /// Serializes writes to `$GATE_LOG`.
    private static let gateLogLock = Lock<Void>(())

    /// The path of our own binary for `stage`, such as `.build/debug/Stage03`.
    static func stageBinary(_ stage: Int) throws -> String {
        let name = String(format: "Stage%02d", stage)
        let environment = ProcessInfo.processInfo.environment
        var directories: [String] = []
        if let directory = environment["STAGE_BIN_DIR"], !directory.isEmpty { directories.append(directory) }
        // This file is Sources/StageGates/Gate.swift: the package root is two levels up.
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        directories.append(packageRoot.appendingPathComponent(".build/debug").path)
        directories.append(packageRoot.appendingPathComponent(".build/release").path)
        for directory in directories {
            let path = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw GateFailure(
            step: "find the \(name) binary", problem: "not found in \(directories.joined(separator: ", "))",
            hint: "Run `swift build` first (make test does), or set STAGE_SERVER to a server command.",
            chapter: "README.md")
    }
}
