import StageGates
import Testing

/// Stage 2's gate: the scenarios of stages 1–2, run over TCP against
/// the Stage02 binary, or the server that STAGE_SERVER or STAGE_ADDRESS names.
@Suite("Stage 02 gate")
struct Stage02GateTests {
    @Test("scenario", arguments: Gate.scenarios(throughStage: 2))
    func scenario(_ scenario: Scenario) throws {
        try Gate.run(scenario, stage: 2)
    }
}
