import Common

/// Stage 4: many clients at once, none of which can hold up the others.
enum Stage04Scenarios: ScenarioHelpers {
    /// Where stage 4's behaviour is taught.
    static let chapter = "Tutorials/04-concurrent-clients.md"
    /// How long a client may wait for a reply while others misbehave. A
    /// server that serves one client at a time never answers, so this fails.
    static let promptly: Int32 = 3_000
    /// The mistake these scenarios catch.
    static let oneAtATimeHint = "Is the server still serving one client at a time? Give each client its own task, and never block a thread in recv."


    static let all: [Scenario] = [
        Scenario(stage: 4, "three clients interleave, each reply on its own connection", chapter: chapter + "#the-problem-one-client-at-a-time") { server, scenario in
            let clients = try (1...3).map { _ in try scenario.connect(server) }
            for client in clients { client.timeoutMilliseconds = promptly }
            // The order from the stage's spec: c1, c2, c1, c1, c2, then c3.
            for (step, index) in [0, 1, 0, 0, 1, 2].enumerated() {
                let payload = "client-\(index + 1)-step-\(step + 1)"
                try clients[index].roundTrip(
                    RESPValue.request("ECHO", payload), expect: RESPValue.bulkString(text: payload).encoded,
                    step: "client \(index + 1) sends ECHO \(payload) while clients 1–3 are all connected",
                    hint: oneAtATimeHint)
            }
        },

        Scenario(stage: 4, "200 clients at once, 50 pipelined commands each", chapter: chapter + "#one-task-per-client") { server, scenario in
            Platform.raiseOpenFileLimit()
            let clients = try (0..<200).map { _ in try scenario.connect(server) }
            // Every client sends its whole pipeline before any reply is read.
            var expected: [[UInt8]] = []
            for (number, client) in clients.enumerated() {
                var requests: [UInt8] = []
                var replies: [UInt8] = []
                for command in 0..<50 {
                    if command % 2 == 0 {
                        requests += RESPValue.request("PING")
                        replies += b("+PONG\r\n")
                    } else {
                        let payload = "c\(number)-m\(command)"
                        requests += RESPValue.request("ECHO", payload)
                        replies += RESPValue.bulkString(text: payload).encoded
                    }
                }
                try client.send(requests)
                expected.append(replies)
            }
            // Read the last client first: a server that serves clients one after
            // another is still busy with the first, which has not hung up.
            for (number, client) in clients.enumerated().reversed() {
                client.timeoutMilliseconds = promptly
                try client.expect(expected[number], step: "read the 50 replies of client \(number + 1) of 200 (last client first)",
                                  hint: oneAtATimeHint + " Replies must come back in order, on the right connection.")
            }
            for client in clients { client.close() }
        },

        Scenario(stage: 4, "a stalled client and a vanished one hold up nobody", chapter: chapter + "#one-task-per-client") { server, scenario in
            // Client A starts a command and stalls in the middle of it.
            let stalled = try scenario.connect(server)
            try stalled.send(b("*2\r\n$4\r\nECHO\r\n$10\r\nhalf"))
            // Client B disconnects in the middle of a command; C resets.
            let vanished = try scenario.connect(server)
            try vanished.send(b("*2\r\n$4\r\nECHO\r\n$5\r\nab"))
            vanished.close()
            let reset = try scenario.connect(server)
            try reset.send(b("*1\r\n$4\r\nPI"))
            reset.reset()
            // A fourth client is served at once.
            let other = try scenario.connect(server)
            other.timeoutMilliseconds = promptly
            try other.roundTrip(RESPValue.request("PING"), expect: b("+PONG\r\n"),
                                step: "PING from another client while one client stalls mid-command", hint: oneAtATimeHint)
            // The stalled client finishes its command and gets its reply: its
            // half command was kept while others were served.
            stalled.timeoutMilliseconds = promptly
            try stalled.roundTrip(b("-value\r\n"), expect: b("$10\r\nhalf-value\r\n"),
                                  step: "the stalled client sends the rest of its command",
                                  hint: "Keep each client's partial command in that client's own parser.")
            try Stage01Scenarios.expectStillServing(server, scenario, after: "clients stalled, vanished and reset")
        },

        Scenario(stage: 4, "2,000 idle connections, and a new client is still served", chapter: chapter + "#one-task-per-client") { server, scenario in
            Platform.raiseOpenFileLimit()
            var idle: [GateClient] = []
            for _ in 0..<2_000 { idle.append(try scenario.connect(server)) }
            // Prove the first and last idle clients are really connected and served.
            for client in [idle[0], idle[idle.count - 1]] {
                client.timeoutMilliseconds = promptly
                try client.roundTrip(RESPValue.request("PING"), expect: b("+PONG\r\n"),
                                     step: "PING on one of 2,000 open connections",
                                     hint: "Raise the open-file limit (ulimit -n) and keep accepting while others stay connected.")
            }
            let fresh = try scenario.connect(server)
            fresh.timeoutMilliseconds = promptly
            try fresh.roundTrip(RESPValue.request("ECHO", "still here"), expect: b("$10\r\nstill here\r\n"),
                                step: "a new client while 2,000 connections are open", hint: oneAtATimeHint)
            for client in idle { client.close() }
        },
    ]
}
