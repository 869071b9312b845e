import Foundation
import StageGates
import Testing

/// Every stage's gate, over TCP: gate N is the scenarios of stages 1...N,
/// run against the StageNN binary, or the server that STAGE_SERVER or
/// STAGE_ADDRESS names. The stages come from the registry that the build
/// writes from Sources/StageGates/StageNNScenarios.swift, so a new stage's
/// gate appears here by itself.
///
/// `GATE_STAGES` (stage numbers separated by spaces or commas, such as "6"
/// or "4 5 6") runs only those gates; unset, every gate runs. Swift
/// Testing's `--filter` selects tests, not arguments, hence the variable.
@Suite("Gates")
struct GateTests {
    @Test("gate", arguments: GateCase.selected)
    func gate(_ gateCase: GateCase) throws {
        try Gate.run(gateCase.scenario, stage: gateCase.gate)
    }

    /// The gate that runs the full-size lost-update check: the newest
    /// selected gate, if it is stage 8's or later (stage 8 brings WATCH).
    static let transactionGate = GateCase.gates.last { $0 >= 8 }

    /// Under a sanitizer the servers run 5 to 20 times slower, and the
    /// race retries more the slower they are: the full size would take
    /// minutes there, while the gates' 50 × 40 version still runs. The same
    /// on the poll backend, which `make test-poll` runs again.
    static let fullSizeRuns = ProcessInfo.processInfo.environment["TSAN_OPTIONS"] == nil
        && ProcessInfo.processInfo.environment["ASAN_OPTIONS"] == nil
        && ProcessInfo.processInfo.environment["REACTOR_BACKEND"] != "poll"

    @Test("lost updates at full size: 50 clients × 200 WATCH-guarded increments, 10,000 in all",
          .enabled(if: transactionGate != nil, "no selected gate has transactions (stage 8 on)"),
          .enabled(if: fullSizeRuns, "skipped under a sanitizer and on the poll backend (the gates run 50 × 40)"))
    func lostUpdatesFullSize() throws {
        // The gates run 50 × 40 (TransactionScenarios): this is the full
        // race, too slow (3 to 7 s against redis-server) for every gate.
        try Gate.run(TransactionScenarios.lostUpdatesFullSize, stage: Self.transactionGate!)
    }

    @Test("GATE_STAGES names only stages that exist")
    func selectionIsValid() throws {
        let unknown = GateCase.requestedGates.filter { Gate.stage($0) == nil }
        #expect(unknown.isEmpty, "GATE_STAGES=\"\(GateCase.environmentValue ?? "")\": there is no stage \(unknown.map(String.init).joined(separator: ", ")); stages: \(Gate.stageList)")
        #expect(GateCase.unreadable.isEmpty, "GATE_STAGES: '\(GateCase.unreadable.joined(separator: "', '"))' is not a stage number; stages: \(Gate.stageList)")
        #expect(!GateCase.selected.isEmpty, "no gate selected (GATE_ONLY, if set, must be part of a scenario's title); stages: \(Gate.stageList)")
    }

    @Test("every scenario of stage N's file says stage N")
    func scenariosNameTheirStage() {
        for stage in Gate.stages {
            for scenario in Gate.scenarios(ofStage: stage) {
                #expect(scenario.stage == stage, "\(scenario) is listed in Stage\(String(format: "%02d", stage))Scenarios")
            }
        }
    }

    @Test("every stage folder has a scenarios file, and every scenarios file a folder")
    func everyFolderHasAGate() throws {
        // This file is Tests/GateTests/GateTests.swift: the package root is two levels up.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let folders = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Stages").path)
        let numbers = folders.compactMap { name -> Int? in
            guard name.count > 3, name.dropFirst(2).first == "-" else { return nil }
            return Int(name.prefix(2))
        }
        #expect(numbers.sorted() == Gate.stages,
                "Stages/ has stages \(numbers.sorted()), Sources/StageGates has scenarios for \(Gate.stages)")
    }
}

/// One scenario of one gate: gate N runs the scenarios of stages 1...N.
struct GateCase: Sendable, CustomTestStringConvertible {
    /// The gate, and so the stage binary, that runs the scenario.
    let gate: Int
    let scenario: Scenario
    /// Which run of the scenario this is, with `GATE_REPEAT` (from 0).
    var copy = 0

    var testDescription: String { "gate \(self.gate) › \(self.scenario)" + (self.copy > 0 ? " (run \(self.copy + 1))" : "") }

    /// The raw value of GATE_STAGES, if set and not blank.
    static let environmentValue: String? = {
        let value = ProcessInfo.processInfo.environment["GATE_STAGES"]
        return value?.trimmingCharacters(in: .whitespaces).isEmpty == false ? value : nil
    }()

    /// The words of GATE_STAGES.
    private static let words: [String] = environmentValue.map {
        $0.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map(String.init)
    } ?? []

    /// The gates GATE_STAGES asks for; empty when it is unset.
    static let requestedGates: [Int] = words.compactMap { Int($0) }

    /// The words of GATE_STAGES that are not numbers.
    static let unreadable: [String] = words.filter { Int($0) == nil }

    /// The gates to run: those GATE_STAGES names, or every stage.
    static var gates: [Int] {
        environmentValue == nil ? Gate.stages : Gate.stages.filter(requestedGates.contains)
    }

    /// Every (gate, scenario) pair to run.
    ///
    /// To hunt a flaky scenario, `GATE_ONLY` keeps the scenarios whose
    /// title contains it, and `GATE_REPEAT=N` runs each selected one N
    /// times, in parallel: `GATE_STAGES=9 GATE_ONLY="4 publishers"
    /// GATE_REPEAT=8 swift test --filter GateTests`.
    static var selected: [GateCase] {
        let environment = ProcessInfo.processInfo.environment
        let only = environment["GATE_ONLY"].flatMap { $0.isEmpty ? nil : $0 }
        let repeats = max(1, Int(environment["GATE_REPEAT"] ?? "") ?? 1)
        let cases = gates.flatMap { gate in Gate.scenarios(throughStage: gate).map { GateCase(gate: gate, scenario: $0) } }
            .filter { only == nil || "\($0.scenario)".contains(only!) }
        return (0..<repeats).flatMap { copy in cases.map { GateCase(gate: $0.gate, scenario: $0.scenario, copy: copy) } }
    }
}
