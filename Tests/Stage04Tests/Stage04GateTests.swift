import StageGates
import Testing

/// Stage 4's gate: the scenarios of stages 1–4, run over TCP against
/// the Stage04 binary, or the server that STAGE_SERVER or STAGE_ADDRESS names.
@Suite("Stage 04 gate")
struct Stage04GateTests {
    @Test("scenario", arguments: Gate.scenarios(throughStage: 4))
    func scenario(_ scenario: Scenario) throws {
        try Gate.run(scenario, stage: 4)
    }
}
