import StageGates
import Testing

/// Stage 3's gate: the scenarios of stages 1–3, run over TCP against
/// the Stage03 binary, or the server that STAGE_SERVER or STAGE_ADDRESS names.
@Suite("Stage 03 gate")
struct Stage03GateTests {
    @Test("scenario", arguments: Gate.scenarios(throughStage: 3))
    func scenario(_ scenario: Scenario) throws {
        try Gate.run(scenario, stage: 3)
    }
}
