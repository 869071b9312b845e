import Common

/// Stage 2: every PING gets `+PONG\r\n`, however TCP splits or joins them.
enum Stage02Scenarios {
    /// The stage's short title, as in its chapter's name.
    static let title = "PING"

    /// Where stage 2's behaviour is taught.
    static let chapter = "Tutorials/02-ping.md"
    /// `*1\r\n$4\r\nPING\r\n`: PING as every client library sends it.
    static let ping = RESPValue.request("PING")
    /// `+PONG\r\n`.
    static let pong = Array("+PONG\r\n".utf8)
    /// The mistake most of these scenarios are there to catch.
    static let oncePerReadHint = "Did you reply once per read instead of once per command? One read can hold several commands, or part of one."

    static let all: [Scenario] = [
        Scenario(stage: 2, "PING gets +PONG", chapter: chapter + "#resp-in-one-page") { server, scenario in
            let client = try scenario.connect(server)
            try client.roundTrip(ping, expect: pong, step: "send PING",
                                 hint: "Reply with the simple string +PONG followed by \\r\\n.")
        },

        Scenario(stage: 2, "several PINGs one by one on one connection", chapter: chapter + "#a-loop-per-client") { server, scenario in
            let client = try scenario.connect(server)
            for number in 1...5 {
                try client.roundTrip(ping, expect: pong, step: "send PING number \(number) on the same connection",
                                     hint: "Keep reading from the client after the first reply, until it hangs up.")
            }
        },

        Scenario(stage: 2, "several PINGs in one write get one reply each", chapter: chapter + "#one-read-is-not-one-command") { server, scenario in
            let client = try scenario.connect(server)
            try client.roundTrip(ping + ping + ping, expect: pong + pong + pong,
                                 step: "send three PINGs in a single write", hint: oncePerReadHint)
            try client.expectNothingMore(step: "check no extra replies", hint: oncePerReadHint)
        },

        Scenario(stage: 2, "a PING split across writes gets one reply", chapter: chapter + "#one-read-is-not-one-command") { server, scenario in
            let client = try scenario.connect(server)
            try client.send(inPieces: [Array("*1\r\n$4\r\nPI".utf8), Array("NG\r\n".utf8)])
            try client.expect(pong, step: "send PING in two pieces (*1\\r\\n$4\\r\\nPI, then NG\\r\\n)", hint: oncePerReadHint)
            try client.expectNothingMore(step: "check exactly one reply to the split PING", hint: oncePerReadHint)
        },

        Scenario(stage: 2, "a PING sent one byte at a time gets one reply", chapter: chapter + "#one-read-is-not-one-command") { server, scenario in
            let client = try scenario.connect(server)
            try client.send(inPieces: ping.map { [$0] }, pauseMilliseconds: 5)
            try client.expect(pong, step: "send PING one byte per write", hint: oncePerReadHint)
            try client.expectNothingMore(step: "check exactly one reply to the byte-by-byte PING", hint: oncePerReadHint)
        },

        Scenario(stage: 2, "pipelined PINGs that straddle writes", chapter: chapter + "#one-read-is-not-one-command") { server, scenario in
            // Two and a half PINGs, then the other half and one more.
            let client = try scenario.connect(server)
            let bytes = ping + ping + ping + ping
            let cut = ping.count * 2 + 7
            try client.send(inPieces: [Array(bytes[..<cut]), Array(bytes[cut...])])
            try client.expect(pong + pong + pong + pong, step: "send four PINGs cut in the middle of the third", hint: oncePerReadHint)
            try client.expectNothingMore(step: "check exactly four replies", hint: oncePerReadHint)
        },

        Scenario(stage: 2, "serves a new client after the last one hung up", chapter: chapter + "#a-loop-per-client") { server, scenario in
            for number in 1...3 {
                let client = try scenario.connect(server)
                try client.roundTrip(ping, expect: pong, step: "PING from client \(number) (clients one after another)",
                                     hint: "After a client hangs up (read returns 0), go back to accept the next one.")
                client.close()
            }
        },
    ]
}
