import StageGates
import Testing

/// Stage 5's gate: the scenarios of stages 1–5, run over TCP against
/// the Stage05 binary, or the server that STAGE_SERVER or STAGE_ADDRESS names.
@Suite("Stage 05 gate")
struct Stage05GateTests {
    @Test("scenario", arguments: Gate.scenarios(throughStage: 5))
    func scenario(_ scenario: Scenario) throws {
        try Gate.run(scenario, stage: 5)
    }
}
