import StageGates
import Testing

/// Stage 1's gate: its scenarios, run over TCP against
/// the Stage01 binary, or the server that STAGE_SERVER or STAGE_ADDRESS names.
@Suite("Stage 01 gate")
struct Stage01GateTests {
    @Test("scenario", arguments: Gate.scenarios(throughStage: 1))
    func scenario(_ scenario: Scenario) throws {
        try Gate.run(scenario, stage: 1)
    }
}
