// stage-tester: the stage gates as a standalone tool, for any server in any
// language, offline.
//
//   stage-tester --stage N [--report json] [--quiet | --verbose] -- <server command with {port}>
//   stage-tester --stage N --address host:port
//   stage-tester --all -- <server command with {port}>
//   stage-tester --diff --stage N [--ops 20000] [--seed S] -- <server command with {port}>
//
// It starts the server on a free port for every scenario (or uses the one at
// --address), waits until the port accepts connections (at most 10 s), and
// runs the scenarios of stages 1..N in order: the same scenarios as the
// Swift Testing gates in Tests/GateTests. The exit status is 0 only when
// everything passed.
import Common
import Differential
import Foundation
import StageGates

Platform.ignoreSIGPIPE()
Platform.raiseOpenFileLimit()

// Differential fuzzing against redis-server (Sources/Differential): its own
// options, so it is handed the command line before the gates' parser sees it.
if CommandLine.arguments.dropFirst().prefix(while: { $0 != "--" }).contains("--diff") {
    DiffRunner.main(arguments: Array(CommandLine.arguments.dropFirst()))
}

/// What the command line asked for.
struct TesterOptions {
    var stage: Int?
    var only: Int?
    var all = false
    var json = false
    var quiet = false
    var verbose = false
    var address: String?
    var command: String?
}

let usage = """
    Usage: stage-tester --stage N [--report json] [--quiet | --verbose] -- <server command with {port}>
           stage-tester --stage N --address host:port
           stage-tester --only N -- <server command with {port}>
           stage-tester --all -- <server command with {port}>
           stage-tester --version

    Runs the gates of stages 1..N against the server (--only N: stage N's own
    scenarios; --all: each stage's own scenarios, one summary line per stage).
    {port} in the command is replaced by a free port, a new one for every
    scenario. Exit status 0 means every scenario passed.

    Output: one line per scenario (✔ or ✘), every failure in full (what was
    sent, expected and received, the likely cause, a hint, the chapter to
    read), and a summary.
      --verbose, -v   also show every passing step, with its bytes
      --quiet, -q     show only the failures and the summary
      --report json   write a JSON report to stdout (everything else goes to
                      stderr): version, score, and every failure's bytes

    Stages:
    \(Gate.stages.map { "  \($0)  \(Gate.title(ofStage: $0) ?? "")" }.joined(separator: "\n"))
    """

/// Parses the command line, or exits with the usage text.
func parseOptions(_ arguments: [String]) -> TesterOptions {
    var options = TesterOptions()
    var index = 0
    func value() -> String {
        index += 1
        guard index < arguments.count else { fail(usage, status: 2) }
        return arguments[index]
    }
    while index < arguments.count {
        switch arguments[index] {
        case "--stage": options.stage = stageNumber(value(), option: "--stage")
        case "--only": options.only = stageNumber(value(), option: "--only")
        case "--all": options.all = true
        case "--report":
            guard value() == "json" else { fail("stage-tester: --report takes 'json'", status: 2) }
            options.json = true
        case "--quiet", "-q": options.quiet = true
        case "--verbose", "-v": options.verbose = true
        case "--version":
            log("stage-tester \(testerVersion)")
            Platform.exit(0)
        case "--address": options.address = value()
        case "--help", "-h":
            log(usage)
            Platform.exit(0)
        case "--":
            options.command = arguments[(index + 1)...].joined(separator: " ")
            index = arguments.count
        default:
            fail("stage-tester: unknown option '\(arguments[index])'\n\n\(usage)", status: 2)
        }
        index += 1
    }
    guard options.stage != nil || options.only != nil || options.all else { fail(usage, status: 2) }
    guard (options.command?.isEmpty == false) != (options.address != nil) else {
        fail("stage-tester: give either a server command after -- or --address host:port\n\n\(usage)", status: 2)
    }
    if let command = options.command, !command.contains("{port}") {
        fail("stage-tester: \(GateDiagnosis.missingPort(command).text)\n(Or test a server that is already running: --address host:port.)", status: 2)
    }
    guard !(options.quiet && options.verbose) else { fail("stage-tester: --quiet and --verbose exclude each other", status: 2) }
    return options
}

/// The stage that `text` names, or exits with the list of stages.
func stageNumber(_ text: String, option: String) -> Int {
    guard let stage = Int(text) else {
        fail("stage-tester: \(option) takes a stage number; stages: \(Gate.stageList)", status: 2)
    }
    guard Gate.stage(stage) != nil else {
        fail("stage-tester: there is no stage \(stage); stages: \(Gate.stageList)", status: 2)
    }
    return stage
}

/// Prints passed steps as they happen, indented under their scenario.
final class StepPrinter: GateObserver {
    /// Whether to print steps at all.
    let enabled: Bool
    init(enabled: Bool) { self.enabled = enabled }

    func stepPassed(_ step: GateStep) {
        guard self.enabled else { return }
        var lines = ["      · \(step.step)"]
        if let sent = step.sent, !sent.isEmpty { lines.append("          sent:     \(GateStep.show(sent))") }
        if let expected = step.expected { lines.append("          expected: \(GateStep.show(expected))") }
        if let note = step.note {
            lines.append("          \(note)")
        } else {
            lines.append("          received: \(GateStep.show(step.received))")
        }
        Output.human(lines.joined(separator: "\n"))
    }
}

/// Where output goes: human text to stdout, or to stderr when stdout
/// carries the JSON report.
enum Output {
    nonisolated(unsafe) static var jsonOnStdout = false

    static func human(_ text: String) {
        if jsonOnStdout { Platform.writeStandardError(text + "\n") } else { log(text) }
    }
}

/// The result of one stage, for the summary and the JSON report (Report.swift).
struct StageResult {
    var stage: Int
    var title: String
    var passed: Bool
    var scenarios: Int
    var scenariosPassed: Int
    var failedScenario: String?
    var failedStep: String?
    var hint: String?
    var chapter: String?
    /// Every failed scenario of the stage, in order.
    var failures: [FailureRecord] = []
}

var options = parseOptions(Array(CommandLine.arguments.dropFirst()))
Output.jsonOnStdout = options.json
let printer = StepPrinter(enabled: options.verbose && !options.all)

/// A fresh server for one scenario (or the running one at --address).
@MainActor
func startServer() throws -> ServerUnderTest {
    let server: ServerUnderTest
    if let address = options.address {
        let parts = address.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { fail("stage-tester: --address takes host:port", status: 2) }
        server = ServerUnderTest(existingHost: String(parts[0]), port: port)
    } else {
        server = try ServerUnderTest(command: options.command!)
    }
    server.observer = printer
    return server
}

/// Runs `scenarios`, grouped by the stage that introduced them, and
/// returns one result per stage.
@MainActor
func run(_ scenarios: [Scenario]) -> [StageResult] {
    var results: [StageResult] = []
    for stage in Gate.stages {
        let ofStage = scenarios.filter { $0.stage == stage }
        guard !ofStage.isEmpty else { continue }
        let title = Gate.title(ofStage: stage) ?? ""
        // Under --quiet a stage's heading is printed before its first failure only.
        var headed = false
        func heading() {
            guard !options.all, !headed else { return }
            headed = true
            Output.human("\nStage \(stage): \(title)")
        }
        if !options.quiet { heading() }
        var result = StageResult(stage: stage, title: title, passed: true, scenarios: ofStage.count, scenariosPassed: 0)
        for scenario in ofStage {
            do {
                if !options.all && options.verbose { Output.human("  ▸ \(scenario.name)") }
                try Gate.run(scenario, on: try startServer())
                result.scenariosPassed += 1
                if !options.all && !options.quiet { Output.human("  ✔ \(scenario.name)") }
            } catch {
                let failure = error as? GateFailure
                    ?? GateFailure(step: "run the scenario", problem: "\(error)", hint: "See the error above.", chapter: scenario.chapter)
                if result.passed {
                    result.failedScenario = scenario.name
                    result.failedStep = failure.step
                    result.hint = failure.hint
                    result.chapter = failure.chapter
                }
                result.passed = false
                result.failures.append(FailureRecord(scenario: scenario.name, failure: failure))
                if !options.all {
                    heading()
                    Output.human("  ✘ \(scenario.name)\n" + failure.description.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n"))
                }
            }
        }
        results.append(result)
    }
    return results
}

let results: [StageResult]
if options.all {
    // Each stage on its own: which stages does this server pass?
    results = Gate.stages.flatMap { run(Gate.scenarios(ofStage: $0)) }
    for result in results {
        let verdict = result.passed ? "passed" : "FAILED at \"\(result.failedScenario ?? "")\""
        Output.human("stage \(result.stage) (\(result.title)): \(verdict) (\(result.scenariosPassed)/\(result.scenarios) scenarios)")
    }
} else {
    results = run(options.only.map { Gate.scenarios(ofStage: $0) } ?? Gate.scenarios(throughStage: options.stage!))
    options.stage = options.stage ?? options.only
    let passed = results.reduce(0) { $0 + $1.scenariosPassed }
    let total = results.reduce(0) { $0 + $1.scenarios }
    let allPassed = results.allSatisfy(\.passed)
    Output.human("\n\(allPassed ? "PASSED" : "FAILED"): stage \(options.stage!) gate, \(passed) of \(total) scenarios passed.")
    if let firstFailure = results.first(where: { !$0.passed }), let chapter = firstFailure.chapter {
        let advice = firstFailure.failures.first?.failure.firstAdvice ?? firstFailure.hint ?? ""
        Output.human("Start with stage \(firstFailure.stage): \(advice)\nRead: \(chapter)")
        // One mistake often fails many scenarios: say so, so that nobody
        // chases each of their hints.
        let failures = results.flatMap(\.failures)
        if let kind = firstFailure.failures.first?.failure.diagnosis?.kind, failures.count > 1 {
            let same = failures.filter { $0.failure.diagnosis?.kind == kind }.count
            let count = same == failures.count ? "All \(same)" : "\(same) of the \(failures.count)"
            if same > 1 { Output.human("(\(count) failures look like this same mistake: fix it first, then run again.)") }
        }
    }
}

if options.json {
    let selection = options.all ? "every stage on its own (--all)"
        : options.only.map { "stage \($0)'s own scenarios (--only \($0))" } ?? "stages 1 to \(options.stage!) (--stage \(options.stage!))".replacingOccurrences(of: "stages 1 to 1 ", with: "stage 1 ")
    log(report(results, selection: selection).rendered())
}
Platform.exit(results.allSatisfy(\.passed) ? 0 : 1)
