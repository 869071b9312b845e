import Common
import Foundation

/// Stage 4: many clients at once, none of which can hold up the others.
enum Stage04Scenarios: ScenarioHelpers {
    /// The stage's short title, as in its chapter's name.
    static let title = "concurrent clients"

    /// Where stage 4's behaviour is taught.
    static let chapter = "Tutorials/04-concurrent-clients.md"
    /// How long a client may wait for a reply while others misbehave. A
    /// server that serves one client at a time never answers, so this fails.
    static let promptly: Int32 = 3_000
    /// The mistake these scenarios catch.
    static let oneAtATimeHint = "Is the server still serving one client at a time? Give each client its own task, and never block a thread in recv."
    /// The slowloris client's pause between two bytes. The spec says one
    /// byte per second; a quarter of that keeps the gate short, and its 13
    /// pauses still stall the command for longer than `promptly`.
    static let slowlorisPauseMilliseconds = 250
    /// The mistake the slowloris scenario catches.
    static let slowlorisHint = "Does the server wait for one client's whole command before serving the others? Read what has arrived, keep the partial command in that client's parser, and go back to the event loop."
    /// The mistake the scenarios with a client that does not read catch.
    static let blockingSendHint = "Does the server block its only thread in send() to a client that does not read? When the send buffer is full, suspend that client's task until the socket is writable; the thread serves the others meanwhile."
    /// How much our own server may grow while a client leaves its replies unread.
    static let unreadMemoryBound = 64 * 1_048_576


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

        Scenario(stage: 4, "a slowloris client, one byte at a time, holds up nobody", chapter: chapter + "#difficult-clients") { server, scenario in
            let slow = try scenario.connect(server)
            var others = try (0..<2).map { _ in try scenario.connect(server) }
            // *1\r\n$4\r\nPING\r\n is 14 bytes: 13 pauses, longer in all than `promptly`.
            let ping = r("PING")
            let trickle = slow.trickle(ping, pauseMilliseconds: slowlorisPauseMilliseconds)
            while trickle.bytesSent == 0 && !trickle.isFinished { sleepMilliseconds(1) }
            var round = 0
            // Meanwhile, the others are served, round after round.
            while !trickle.isFinished {
                round += 1
                let roundEnds = Platform.monotonicMilliseconds() + Int64(slowlorisPauseMilliseconds)
                // Halfway through, a new client connects: accepting must not wait either.
                if others.count == 2 && trickle.bytesSent >= ping.count / 2 { others.append(try scenario.connect(server)) }
                for (number, other) in others.enumerated() {
                    other.timeoutMilliseconds = promptly
                    let payload = "busy-\(round)-\(number + 2)"
                    try other.roundTrip(
                        r("ECHO", payload), expect: RESPValue.bulkString(text: payload).encoded,
                        step: "client \(number + 2) sends ECHO \(payload) while client 1 has sent \(trickle.bytesSent) of the \(ping.count) bytes of a PING, one every \(slowlorisPauseMilliseconds) ms",
                        hint: slowlorisHint)
                }
                let rest = roundEnds - Platform.monotonicMilliseconds()
                if rest > 0 { sleepMilliseconds(Int(rest)) }
            }
            if let sendErrno = trickle.wait() {
                throw GateFailure(step: "client 1 sends a PING one byte every \(slowlorisPauseMilliseconds) ms", sent: ping,
                                  problem: "send failed after \(trickle.bytesSent) bytes: \(Platform.describe(errno: sendErrno))",
                                  hint: "A slow client is still a client: keep its connection open and its partial command in its parser.",
                                  chapter: scenario.chapter)
            }
            slow.timeoutMilliseconds = promptly
            try slow.expect(b("+PONG\r\n"), step: "the slow client's PING is complete after \((ping.count - 1) * slowlorisPauseMilliseconds) ms: its reply",
                            hint: "Keep each client's partial command in that client's own parser until its last byte arrives, then reply.")
            try slow.expectNothingMore(step: "one reply for one command, however many reads it took",
                                       hint: "Reply once per complete command, not once per read.")
        },

        Scenario(stage: 4, "a client that hangs up in the middle of a long reply harms nobody", chapter: chapter + "#difficult-clients") { server, scenario in
            let witness = try scenario.connect(server)
            witness.timeoutMilliseconds = promptly
            try witness.roundTrip(r("PING"), expect: b("+PONG\r\n"), step: "PING from client 1, which stays connected", hint: oneAtATimeHint)
            // Client 2 asks for about 32 MB of replies, far more than the
            // socket buffers hold, and reads almost none of it.
            let greedy = try scenario.connect(server)
            let payload = Array(repeatElement(b("0123456789abcdef"), count: 1_024).joined()) // 16 KB
            let reply = RESPValue.bulkString(payload).encoded
            var checks = 0
            _ = try greedy.sendWithoutBlocking(
                repeating: RESPValue.request([b("ECHO"), payload]), count: 2_000,
                step: "client 2 pipelines 2,000 × ECHO <16 KB> (32 MB of replies) and reads nothing") {
                checks += 1
                try witness.roundTrip(r("ECHO", "check-\(checks)"), expect: RESPValue.bulkString(text: "check-\(checks)").encoded,
                                      step: "client 1 sends ECHO check-\(checks) while client 2's replies pile up unread",
                                      hint: blockingSendHint)
            }
            greedy.timeoutMilliseconds = promptly
            try greedy.expect(Array((reply + reply).prefix(reply.count + 1_000)),
                              step: "client 2 reads its first reply and 1,000 bytes of the second",
                              hint: "Is client 2 served at all while client 1 stays connected? Its replies come back in order: $16384\\r\\n, the payload, \\r\\n for each ECHO.")
            // Now it vanishes with a reset, in the middle of the second reply.
            greedy.reset()
            try witness.roundTrip(r("ECHO", "after-reset"), expect: b("$11\r\nafter-reset\r\n"),
                                  step: "client 1 sends ECHO after-reset once client 2 reset in the middle of a reply",
                                  hint: "A failed send (ECONNRESET, EPIPE) must close that client only: ignore SIGPIPE, and keep serving the others.")
            try Stage01Scenarios.expectStillServing(server, scenario, after: "a client reset in the middle of a 32 MB reply")
            let fresh = try scenario.connect(server)
            fresh.timeoutMilliseconds = promptly
            try fresh.roundTrip(r("PING"), expect: b("+PONG\r\n"), step: "PING from a new client after the reset",
                                hint: "A failed send must close that client only, and the accept loop must go on.")
        },

        Scenario(stage: 4, "a client that pipelines 100,000 commands and never reads holds up nobody", chapter: chapter + "#difficult-clients") { server, scenario in
            let witness = try scenario.connect(server)
            witness.timeoutMilliseconds = promptly
            try witness.roundTrip(r("PING"), expect: b("+PONG\r\n"), step: "PING from client 1, which stays connected", hint: oneAtATimeHint)
            // Our own server must not grow while the replies wait (others,
            // Redis included, may buffer them: only ours is measured).
            let before = residentBytesOfOwnServer(server)
            var peak = before ?? 0
            // 100,000 × ECHO of 1 KB: about 100 MB of replies. (100,000 PINGs
            // would not do: their 700 KB of replies fit in the socket buffers.)
            let flood = try scenario.connect(server)
            let payload = Array(repeatElement(b("0123456789abcdef"), count: 64).joined()) // 1 KB
            var checks = 0
            let (sent, _) = try flood.sendWithoutBlocking(
                repeating: RESPValue.request([b("ECHO"), payload]), count: 100_000,
                step: "client 2 pipelines 100,000 × ECHO <1 KB> (100 MB of replies) and reads nothing") {
                checks += 1
                try witness.roundTrip(r("PING"), expect: b("+PONG\r\n"),
                                      step: "PING from client 1 while client 2 pipelines 100,000 commands and reads no reply (check \(checks))",
                                      hint: blockingSendHint)
                peak = max(peak, residentBytesOfOwnServer(server) ?? 0)
            }
            let fresh = try scenario.connect(server)
            fresh.timeoutMilliseconds = promptly
            try fresh.roundTrip(r("ECHO", "newcomer"), expect: b("$8\r\nnewcomer\r\n"),
                                step: "a new client sends ECHO newcomer while client 2's replies are unread", hint: blockingSendHint)
            if let before {
                peak = max(peak, residentBytesOfOwnServer(server) ?? 0)
                guard peak - before < unreadMemoryBound else {
                    throw GateFailure(
                        step: "the server's memory while client 2 leaves its replies unread",
                        problem: "VmRSS grew from \(before / 1_048_576) MB to \(peak / 1_048_576) MB, more than \(unreadMemoryBound / 1_048_576) MB, "
                            + "while the server took \(sent / 1_048_576) MB of requests",
                        hint: "Does the server buffer all replies for a client that never reads? Stop reading from a client while its write waits: TCP back-pressure then makes the client wait, instead of the server's memory grow.",
                        chapter: scenario.chapter)
                }
                witness.observer?.stepPassed(GateStep(
                    step: "the server's memory while client 2 leaves its replies unread", sent: nil, expected: nil, received: [],
                    note: "VmRSS \(before / 1_048_576) MB before, at most \(peak / 1_048_576) MB since (bound: \(unreadMemoryBound / 1_048_576) MB more)"))
            }
            flood.close()
            try witness.roundTrip(r("ECHO", "after-hang-up"), expect: b("$13\r\nafter-hang-up\r\n"),
                                  step: "client 1 sends ECHO after-hang-up once client 2 hung up with its replies unread",
                                  hint: "A client that hangs up with unread replies must cost only its own connection.")
            try Stage01Scenarios.expectStillServing(server, scenario, after: "a client pipelined 100,000 commands, read nothing and hung up")
        },
    ]

    /// The resident memory (VmRSS, from /proc) of the server, when it is one
    /// of our own stage binaries on Linux; nil for any other server or system.
    /// Redis buffers the replies of a client that never reads, without limit
    /// for normal clients, so only our servers are held to a bound.
    static func residentBytesOfOwnServer(_ server: ServerUnderTest) -> Int? {
        guard let pid = server.processID,
              let name = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8),
              name.trimmingCharacters(in: .whitespacesAndNewlines).wholeMatch(of: /Stage[0-9][0-9]/) != nil,
              let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count >= 2, let kilobytes = Int(fields[1]) else { return nil }
        return kilobytes * 1_024
    }
}
