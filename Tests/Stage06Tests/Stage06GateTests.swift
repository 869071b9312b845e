import StageGates
import Testing

/// Stage 6's gate: the scenarios of stages 1–6, run over TCP against
/// the Stage06 binary, or the server that STAGE_SERVER or STAGE_ADDRESS names.
@Suite("Stage 06 gate")
struct Stage06GateTests {
    @Test("scenario", arguments: Gate.scenarios(throughStage: 6))
    func scenario(_ scenario: Scenario) throws {
        try Gate.run(scenario, stage: 6)
    }
}
