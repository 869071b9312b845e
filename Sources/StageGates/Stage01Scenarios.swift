import Common

/// Stage 1: the server binds its port and accepts TCP connections.
enum Stage01Scenarios {
    /// The stage's short title, as in its chapter's name.
    static let title = "bind a port"

    /// Where stage 1's behaviour is taught.
    static let chapter = "Tutorials/01-bind-a-port.md"

    static let all: [Scenario] = [
        Scenario(stage: 1, "accepts a TCP connection", chapter: chapter + "#run-it") { server, scenario in
            // Connecting at all is the test: GateClient fails the step if refused.
            let client = try scenario.connect(server)
            client.close()
        },

        Scenario(stage: 1, "stays up across 100 connects and disconnects", chapter: chapter + "#accepting-clients-in-a-loop") { server, scenario in
            for _ in 0..<100 {
                let client = try scenario.connect(server)
                client.close()
            }
            try expectStillServing(server, scenario, after: "100 clients connected and hung up")
        },

        Scenario(stage: 1, "survives clients that reset the connection", chapter: chapter + "#accepting-clients-in-a-loop") { server, scenario in
            // A reset (RST) is what a crashed client or a pulled cable looks like.
            for _ in 0..<20 {
                let client = try scenario.connect(server)
                client.reset()
            }
            try expectStillServing(server, scenario, after: "20 clients reset their connections")
        },
    ]

    /// Fails unless the server process still runs and accepts a new client.
    static func expectStillServing(_ server: ServerUnderTest, _ scenario: Scenario, after what: String) throws {
        sleepMilliseconds(50)
        guard server.isRunning else {
            throw GateFailure(step: "check the server is still up after \(what)", problem: "the server process exited",
                              hint: "Does an error in one connection end the accept loop? Handle it and keep accepting.",
                              chapter: scenario.chapter)
        }
        let client = try scenario.connect(server)
        client.close()
    }
}
