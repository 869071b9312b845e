import Common
import Foundation
import Harness

/// Stage 9: publish/subscribe, where one client's command writes to other
/// connections.
///
/// Every byte expected here is what redis-server 7.0.15 sends, in RESP2
/// and in RESP3. Where Redis's order is a hash table's (the channels of
/// PUBSUB CHANNELS, the patterns one client matches with one message, the
/// channels an UNSUBSCRIBE without arguments leaves), a scenario sorts the
/// reply or uses one item, so that any correct server passes. Every
/// scenario uses channel names of its own (`sub:`, `mode:`, `glob:` ...).
enum Stage09Scenarios: ScenarioHelpers {
    /// The stage's short title, as in its chapter's name.
    static let title = "pub/sub"

    /// Where stage 9's behaviour is taught.
    static let chapter = "Tutorials/09-pubsub.md"

    static let ok = "+OK\r\n"
    static let null = "$-1\r\n"
    /// PING's reply in RESP2's subscribed mode, without an argument.
    static let subscribedPong = "*2\r\n$4\r\npong\r\n$0\r\n\r\n"

    /// The hint for arity errors.
    static let arity = "Reply with Redis's exact text: -ERR wrong number of arguments for '<command>' command (lowercase name)."
    /// The hint for a message frame.
    static let messageHint = "Each subscriber of the channel gets the message as [message, channel, payload]: an array of three bulk strings."

    /// A bulk string's bytes, as text.
    static func bulk(_ text: String) -> String { "$\(text.utf8.count)\r\n\(text)\r\n" }

    /// The header of a frame of `count` elements: `*` in RESP2, RESP3's
    /// push `>` when `push`.
    static func header(_ count: Int, push: Bool) -> String { (push ? ">" : "*") + "\(count)\r\n" }

    /// The confirmation that (P)SUBSCRIBE or (P)UNSUBSCRIBE sends for one
    /// channel or pattern: `[kind, name, count]`, where `count` is how many
    /// channels and patterns the client is now subscribed to. A nil `name`
    /// is an UNSUBSCRIBE without arguments from nothing: a null.
    static func confirm(_ kind: String, _ name: String?, _ count: Int, push: Bool = false) -> String {
        header(3, push: push) + bulk(kind) + (name.map(bulk) ?? (push ? "_\r\n" : null)) + ":\(count)\r\n"
    }

    /// A message published to `channel`, as a subscriber of the channel gets it.
    static func message(_ channel: String, _ payload: String, push: Bool = false) -> String {
        header(3, push: push) + bulk("message") + bulk(channel) + bulk(payload)
    }

    /// A message published to `channel`, as a subscriber of `pattern` gets it.
    static func pmessage(_ pattern: String, _ channel: String, _ payload: String, push: Bool = false) -> String {
        header(4, push: push) + bulk("pmessage") + bulk(pattern) + bulk(channel) + bulk(payload)
    }

    /// Redis's refusal of `command` (lowercase) in RESP2's subscribed mode.
    static func notAllowed(_ command: String) -> String {
        "-ERR Can't execute '\(command)': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n"
    }

    /// `-ERR wrong number of arguments for '<command>' command`.
    static func wrongArity(_ command: String) -> String { "-ERR wrong number of arguments for '\(command)' command\r\n" }

    /// PUBSUB NUMSUB's reply: each channel asked, and its count.
    static func numsub(_ pairs: (String, Int)...) -> String {
        "*\(pairs.count * 2)\r\n" + pairs.map { bulk($0.0) + ":\($0.1)\r\n" }.joined()
    }

    /// Sends HELLO 3 and checks that a map comes back: its bytes hold the
    /// client id, which differs from server to server.
    static func hello3(_ client: GateClient, _ scenario: Scenario) throws {
        let hint = "HELLO 3 must reply with a RESP3 map (%7) and switch the connection to RESP3."
        try client.send(r("HELLO", "3"))
        guard case .map = try client.readReply(step: "HELLO 3", hint: hint) else {
            throw GateFailure(step: "HELLO 3", sent: r("HELLO", "3"), expected: b("%7\r\n..."), hint: hint, chapter: scenario.chapter)
        }
    }

    /// Sends `request` every few milliseconds until `expected` comes back,
    /// for up to a second, then checks it once more, exactly: for what the
    /// server learns asynchronously, such as a subscriber's hang-up.
    static func eventually(_ client: GateClient, _ request: [UInt8], _ expected: String, step: String, hint: String) throws {
        let deadline = Platform.monotonicMilliseconds() + 1_000
        while Platform.monotonicMilliseconds() < deadline {
            try client.send(request)
            if try client.readReply(step: step, hint: hint).encoded == b(expected) { return }
            sleepMilliseconds(5)
        }
        try client.roundTrip(request, expect: b(expected), step: step + " (polled for 1 s)", hint: hint)
    }

    /// Sends `request` and checks that its reply is an array holding exactly
    /// `expected`, in any order: Redis lists channels in its hash table's
    /// order.
    static func expectUnordered(_ client: GateClient, _ request: [UInt8], _ expected: [String], step: String, hint: String,
                                chapter: String) throws {
        try client.send(request)
        let reply = try client.readReply(step: step, hint: hint)
        if case .array(let items) = reply {
            let names = items.compactMap { item -> String? in
                guard case .bulkString(let bytes) = item else { return nil }
                return String(decoding: bytes, as: UTF8.self)
            }
            if names.count == items.count && names.sorted() == expected.sorted() { return }
        }
        throw GateFailure(step: step, sent: request, expected: b("*\(expected.count)\r\n" + expected.sorted().map(bulk).joined()),
                          received: reply.encoded, problem: "not these channels (their order does not matter)", hint: hint, chapter: chapter)
    }

    static let all: [Scenario] = basics + patterns + resp3 + leaving + load + transactionsAndForms

    // MARK: Subscribed mode

    /// SUBSCRIBE, PUBLISH, subscribed mode and UNSUBSCRIBE, in RESP2.
    static let basics: [Scenario] = [
        Scenario(stage: 9, "SUBSCRIBE confirms each channel; PUBLISH delivers to every subscriber and counts them", chapter: chapter + "#a-connection-that-changes-mode") { server, scenario in
            let first = try scenario.connect(server)
            let second = try scenario.connect(server)
            let publisher = try scenario.connect(server)
            let confirmHint = "SUBSCRIBE replies once per channel, in order: [subscribe, channel, count], where count is how many channels the client is now subscribed to."
            try first.roundTrip(r("SUBSCRIBE", "sub:a"), expect: b(confirm("subscribe", "sub:a", 1)), step: "client A: SUBSCRIBE sub:a", hint: confirmHint)
            try second.roundTrip(r("SUBSCRIBE", "sub:a", "sub:b", "sub:a"),
                                 expect: b(confirm("subscribe", "sub:a", 1) + confirm("subscribe", "sub:b", 2) + confirm("subscribe", "sub:a", 2)),
                                 step: "client B: SUBSCRIBE sub:a sub:b sub:a",
                                 hint: confirmHint + " A channel named twice is confirmed twice, but counted once: 1, 2, 2.")
            try publisher.roundTrip(r("PUBLISH", "sub:a", "hello"), expect: b(":2\r\n"), step: "client C: PUBLISH sub:a hello",
                                    hint: "PUBLISH replies how many clients received the message: A and B (B once, however often it subscribed).")
            try first.expect(b(message("sub:a", "hello")), step: "client A receives the message", hint: messageHint)
            try second.expect(b(message("sub:a", "hello")), step: "client B receives the message", hint: messageHint)
            try second.expectNothingMore(step: "client B receives it once", hint: "A client subscribed to a channel twice is still one subscriber: one frame per message.")
            try publisher.roundTrip(r("PUBLISH", "sub:b", ""), expect: b(":1\r\n"), step: "client C: PUBLISH sub:b with an empty payload",
                                    hint: "Only B is subscribed to sub:b.")
            try second.expect(b(message("sub:b", "")), step: "client B receives the empty message", hint: messageHint + " An empty payload is $0\\r\\n\\r\\n.")
            let binary: [UInt8] = [0, 13, 10, 255]
            try publisher.roundTrip(RESPValue.request([b("PUBLISH"), b("sub:a"), binary]), expect: b(":2\r\n"),
                                    step: "client C: PUBLISH sub:a <NUL CR LF 0xff>", hint: "Payloads are byte strings: any bytes.")
            let binaryFrame = b("*3\r\n" + bulk("message") + bulk("sub:a") + "$4\r\n") + binary + b("\r\n")
            try first.expect(binaryFrame, step: "client A receives the binary payload unchanged", hint: messageHint + " The payload's bytes are sent as they came.")
            try second.expect(binaryFrame, step: "client B receives the binary payload unchanged", hint: messageHint)
            try publisher.roundTrip(r("PUBLISH", "sub:nobody", "x"), expect: b(":0\r\n"), step: "client C: PUBLISH sub:nobody x",
                                    hint: "A channel nobody listens to exists for nobody: PUBLISH replies :0, and the message is lost.")
            try first.expectNothingMore(step: "client A receives nothing else", hint: "A client receives only the channels it subscribed to.")
            try publisher.expectNothingMore(step: "the publisher receives only its replies", hint: "A publisher that did not subscribe receives no message.")
        },

        Scenario(stage: 9, "in RESP2's subscribed mode only the subscription commands, PING and QUIT run", chapter: chapter + "#a-connection-that-changes-mode") { server, scenario in
            let client = try scenario.connect(server)
            let refused = "While subscribed (RESP2), other commands are refused with Redis's exact text: -ERR Can't execute '<command>': only (P|S)SUBSCRIBE / ... are allowed in this context."
            try TransactionScenarios.run(client, [
                x(r("SET", "mode:k", "v"), ok, "SET mode:k v, before subscribing", hint: "Plain SET."),
                x(r("SUBSCRIBE", "mode:ch"), confirm("subscribe", "mode:ch", 1), "SUBSCRIBE mode:ch", hint: "SUBSCRIBE confirms with [subscribe, channel, count]."),
                x(r("GET", "mode:k"), notAllowed("get"), "GET mode:k while subscribed", hint: refused),
                x(r("SET", "mode:k", "w") + r("MULTI"), notAllowed("set") + notAllowed("multi"), "SET and MULTI while subscribed",
                  hint: refused + " The command's name is written in lowercase."),
                x(r("GET") + r("NOSUCH", "x"), wrongArity("get") + "-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n",
                  "GET with no key and an unknown command, while subscribed",
                  hint: "An unknown command and a wrong number of arguments are reported first, as ever; only a valid command gets the subscribed-mode refusal."),
                x(r("PING"), subscribedPong, "PING while subscribed",
                  hint: "In RESP2's subscribed mode PING replies [pong, \"\"]: an array of two bulk strings, lowercase pong and an empty one, not +PONG."),
                x(r("PING", "hi"), "*2\r\n" + bulk("pong") + bulk("hi"), "PING hi while subscribed",
                  hint: "With an argument, subscribed PING replies [pong, argument]."),
                x(r("PSUBSCRIBE", "mode:*"), confirm("psubscribe", "mode:*", 2), "PSUBSCRIBE mode:* while subscribed to a channel",
                  hint: "The count is of channels and patterns together."),
                x(r("UNSUBSCRIBE", "mode:ch") + r("GET", "mode:k"), confirm("unsubscribe", "mode:ch", 1) + notAllowed("get"),
                  "UNSUBSCRIBE mode:ch, then GET (a pattern is left)", hint: "A client subscribed to a pattern only is still in subscribed mode."),
                x(r("PUNSUBSCRIBE", "mode:*"), confirm("punsubscribe", "mode:*", 0), "PUNSUBSCRIBE mode:*",
                  hint: "PUNSUBSCRIBE confirms with [punsubscribe, pattern, count]; the count is now 0."),
                x(r("GET", "mode:k") + r("PING"), bulk("v") + "+PONG\r\n", "GET mode:k and PING once subscribed to nothing",
                  hint: "At count 0 the client leaves subscribed mode: GET runs, and PING is +PONG again."),
            ])
        },

        Scenario.exchanges(stage: 9, "UNSUBSCRIBE and PUNSUBSCRIBE without arguments, and of what one is not subscribed to", chapter: chapter + "#a-connection-that-changes-mode", [
            x(r("UNSUBSCRIBE"), confirm("unsubscribe", nil, 0), "UNSUBSCRIBE, subscribed to nothing",
              hint: "Without arguments and without channels, UNSUBSCRIBE still replies once: [unsubscribe, null, 0], with the null bulk string $-1."),
            x(r("PUNSUBSCRIBE"), confirm("punsubscribe", nil, 0), "PUNSUBSCRIBE, subscribed to nothing", hint: "The same for patterns: [punsubscribe, null, 0]."),
            x(r("UNSUBSCRIBE", "unsub:never") + r("PING"), confirm("unsubscribe", "unsub:never", 0) + "+PONG\r\n", "UNSUBSCRIBE unsub:never, then PING",
              hint: "Leaving a channel one is not on is confirmed too, with the current count; it does not enter subscribed mode."),
            x(r("SUBSCRIBE", "unsub:one") + r("UNSUBSCRIBE"), confirm("subscribe", "unsub:one", 1) + confirm("unsubscribe", "unsub:one", 0),
              "SUBSCRIBE unsub:one, then UNSUBSCRIBE without arguments", hint: "Without arguments UNSUBSCRIBE leaves every channel, confirming each one."),
            x(r("PING"), "+PONG\r\n", "PING after leaving", hint: "Subscribed to nothing, the client is back to normal."),
            x(r("SUBSCRIBE", "unsub:one") + r("PSUBSCRIBE", "unsub:*") + r("UNSUBSCRIBE"),
              confirm("subscribe", "unsub:one", 1) + confirm("psubscribe", "unsub:*", 2) + confirm("unsubscribe", "unsub:one", 1),
              "SUBSCRIBE unsub:one, PSUBSCRIBE unsub:*, UNSUBSCRIBE", hint: "UNSUBSCRIBE leaves channels only: the pattern stays, and counts 1."),
            x(r("UNSUBSCRIBE"), confirm("unsubscribe", nil, 1), "UNSUBSCRIBE with a pattern left and no channel",
              hint: "No channel to leave: one reply, [unsubscribe, null, count], with the pattern still counted."),
            x(r("UNSUBSCRIBE", "unsub:other") + r("PUNSUBSCRIBE", "unsub:?"), confirm("unsubscribe", "unsub:other", 1) + confirm("punsubscribe", "unsub:?", 1),
              "UNSUBSCRIBE unsub:other, PUNSUBSCRIBE unsub:?, neither subscribed to",
              hint: "Leaving what one is not on changes nothing: the reply carries the current count."),
            x(r("PUNSUBSCRIBE"), confirm("punsubscribe", "unsub:*", 0), "PUNSUBSCRIBE without arguments",
              hint: "Without arguments PUNSUBSCRIBE leaves every pattern; the count is 0."),
            x(r("PING"), "+PONG\r\n", "PING at count 0", hint: "Subscribed to nothing, the client is back to normal."),
        ]),
    ]

    // MARK: Patterns

    /// PSUBSCRIBE, Redis's glob rules, PUBSUB's introspection.
    static let patterns: [Scenario] = [
        Scenario(stage: 9, "PSUBSCRIBE delivers pmessage frames; a channel and a pattern both deliver", chapter: chapter + "#patterns") { server, scenario in
            let client = try scenario.connect(server)
            let publisher = try scenario.connect(server)
            try client.roundTrip(r("PSUBSCRIBE", "news.*") + r("SUBSCRIBE", "news.it"),
                                 expect: b(confirm("psubscribe", "news.*", 1) + confirm("subscribe", "news.it", 2)),
                                 step: "client A: PSUBSCRIBE news.*, SUBSCRIBE news.it", hint: "PSUBSCRIBE confirms with [psubscribe, pattern, count].")
            try publisher.roundTrip(r("PUBLISH", "news.it", "ciao"), expect: b(":2\r\n"), step: "PUBLISH news.it ciao",
                                    hint: "PUBLISH counts deliveries: A gets the message once for its channel and once for its pattern, 2.")
            try client.expect(b(message("news.it", "ciao") + pmessage("news.*", "news.it", "ciao")),
                              step: "client A receives the message, then the pmessage",
                              hint: "The channel's subscribers are served first, then the patterns': [pmessage, pattern, channel, payload].")
            try publisher.roundTrip(r("PUBLISH", "news.en", "hi") + r("PUBLISH", "news", "no"), expect: b(":1\r\n:0\r\n"),
                                    step: "PUBLISH news.en hi, PUBLISH news no", hint: "news.* matches news.en, but not news, which has no dot.")
            try client.expect(b(pmessage("news.*", "news.en", "hi")), step: "client A receives news.en through its pattern",
                              hint: "A channel nobody subscribed to by name still reaches the patterns that match it.")
            try publisher.roundTrip(r("PUBSUB", "NUMPAT"), expect: b(":1\r\n"), step: "PUBSUB NUMPAT", hint: "One pattern has subscribers: news.*.")
            // Two patterns of one client that match one channel deliver in
            // Redis's hash order: each client here holds one pattern.
            let second = try scenario.connect(server)
            let third = try scenario.connect(server)
            try second.roundTrip(r("PSUBSCRIBE", "news.*"), expect: b(confirm("psubscribe", "news.*", 1)),
                                 step: "client B: PSUBSCRIBE news.*", hint: "Each client counts its own subscriptions.")
            try third.roundTrip(r("PSUBSCRIBE", "n?ws.*"), expect: b(confirm("psubscribe", "n?ws.*", 1)),
                                step: "client D: PSUBSCRIBE n?ws.*", hint: "Each client counts its own subscriptions.")
            try publisher.roundTrip(r("PUBSUB", "NUMPAT"), expect: b(":2\r\n"), step: "PUBSUB NUMPAT with news.* held by two clients",
                                    hint: "NUMPAT counts distinct patterns, not subscriptions: news.* and n?ws.*.")
            try client.roundTrip(r("PSUBSCRIBE", "news.*"), expect: b(confirm("psubscribe", "news.*", 2)), step: "client A: PSUBSCRIBE news.* again",
                                 hint: "A pattern one is already on is confirmed, and not counted twice.")
            try client.roundTrip(r("PUNSUBSCRIBE", "news.?"), expect: b(confirm("punsubscribe", "news.?", 2)), step: "client A: PUNSUBSCRIBE news.?",
                                 hint: "PUNSUBSCRIBE compares the pattern's text: news.? is not news.* (it is not matched against it), so nothing is left.")
            try client.roundTrip(r("PUNSUBSCRIBE", "news.*"), expect: b(confirm("punsubscribe", "news.*", 1)), step: "client A: PUNSUBSCRIBE news.*",
                                 hint: "The exact text leaves the pattern; the channel news.it is still counted.")
            try publisher.roundTrip(r("PUBLISH", "news.fr", "salut"), expect: b(":2\r\n"), step: "PUBLISH news.fr salut",
                                    hint: "B matches by news.*, D by n?ws.*; A left its pattern.")
            try second.expect(b(pmessage("news.*", "news.fr", "salut")), step: "client B receives news.fr by news.*", hint: "One pmessage per matching pattern.")
            try third.expect(b(pmessage("n?ws.*", "news.fr", "salut")), step: "client D receives news.fr by n?ws.*", hint: "One pmessage per matching pattern.")
            try client.expectNothingMore(step: "client A receives nothing for news.fr", hint: "A left news.*: it must not get its messages any more.")
            try publisher.roundTrip(r("PUBSUB", "NUMPAT"), expect: b(":2\r\n"), step: "PUBSUB NUMPAT after A left news.*", hint: "B still holds news.*, D n?ws.*.")
        },

        Scenario(stage: 9, "patterns follow Redis's glob rules: *, ?, [abc], [^a], [a-z] and \\ escapes", chapter: chapter + "#patterns") { server, scenario in
            // One client per pattern: with several patterns a client gets
            // its pmessages in Redis's hash order, which a gate cannot know.
            let rules: [(pattern: String, matches: Set<String>, rule: String)] = [
                ("glob:h?llo", ["glob:hello", "glob:hallo", "glob:hxllo", "glob:hbllo"], "? matches exactly one character"),
                ("glob:h*llo", ["glob:hello", "glob:hallo", "glob:hxllo", "glob:hllo", "glob:heeello", "glob:hbllo"], "* matches any run of characters, none included"),
                ("glob:h[ae]llo", ["glob:hello", "glob:hallo"], "[ae] matches one of the characters listed"),
                ("glob:h[^e]llo", ["glob:hallo", "glob:hxllo", "glob:hbllo"], "[^e] matches one character that is not listed"),
                ("glob:h[a-c]llo", ["glob:hallo", "glob:hbllo"], "[a-c] matches one character of the range"),
                ("glob:x\\*y", ["glob:x*y"], "\\* matches a star itself, and nothing else"),
            ]
            let channels = ["glob:hello", "glob:hallo", "glob:hxllo", "glob:hllo", "glob:heeello", "glob:hbllo", "glob:x*y", "glob:xay", "glob:HELLO"]
            let publisher = try scenario.connect(server)
            var clients: [GateClient] = []
            for rule in rules {
                let client = try scenario.connect(server)
                try client.roundTrip(r("PSUBSCRIBE", rule.pattern), expect: b(confirm("psubscribe", rule.pattern, 1)),
                                     step: "a client of its own: PSUBSCRIBE \(rule.pattern)", hint: "PSUBSCRIBE confirms with [psubscribe, pattern, count].")
                clients.append(client)
            }
            for channel in channels {
                let matching = rules.indices.filter { rules[$0].matches.contains(channel) }
                let names = matching.map { rules[$0].pattern }
                try publisher.roundTrip(r("PUBLISH", channel, "m"), expect: b(":\(matching.count)\r\n"), step: "PUBLISH \(channel) m",
                                        hint: matching.isEmpty ? "No pattern matches \(channel) (matching is case-sensitive): 0."
                                            : "\(channel) is matched by \(names.joined(separator: ", ")): one delivery each.")
                for index in matching {
                    try clients[index].expect(b(pmessage(rules[index].pattern, channel, "m")), step: "\(rules[index].pattern) receives \(channel)",
                                              hint: rules[index].rule + ". A pattern must match the whole channel name.")
                }
            }
            for (client, rule) in zip(clients, rules) {
                try client.expectNothingMore(step: "\(rule.pattern) receives nothing else",
                                             hint: rule.rule + ": the other channels do not match.", milliseconds: 50)
            }
            try publisher.roundTrip(r("PUBSUB", "NUMPAT"), expect: b(":\(rules.count)\r\n"), step: "PUBSUB NUMPAT", hint: "One count per distinct pattern.")
        },

        Scenario(stage: 9, "PUBSUB CHANNELS, NUMSUB and NUMPAT, and their errors", chapter: chapter + "#patterns") { server, scenario in
            let first = try scenario.connect(server)
            let second = try scenario.connect(server)
            let patterned = try scenario.connect(server)
            let client = try scenario.connect(server)
            let chapter = scenario.chapter
            try first.roundTrip(r("SUBSCRIBE", "intro:a", "intro:b"), expect: b(confirm("subscribe", "intro:a", 1) + confirm("subscribe", "intro:b", 2)),
                                step: "client A: SUBSCRIBE intro:a intro:b", hint: "SUBSCRIBE confirms each channel.")
            try second.roundTrip(r("SUBSCRIBE", "intro:a"), expect: b(confirm("subscribe", "intro:a", 1)), step: "client B: SUBSCRIBE intro:a",
                                 hint: "SUBSCRIBE confirms each channel.")
            try patterned.roundTrip(r("PSUBSCRIBE", "intro:*"), expect: b(confirm("psubscribe", "intro:*", 1)), step: "client C: PSUBSCRIBE intro:*",
                                    hint: "PSUBSCRIBE confirms each pattern.")
            let channelsHint = "PUBSUB CHANNELS [pattern] lists the channels that have at least one subscriber (not the patterns), matching the glob pattern if given."
            try expectUnordered(client, r("PUBSUB", "CHANNELS"), ["intro:a", "intro:b"], step: "PUBSUB CHANNELS", hint: channelsHint, chapter: chapter)
            try expectUnordered(client, r("PUBSUB", "CHANNELS", "intro:[ab]"), ["intro:a", "intro:b"], step: "PUBSUB CHANNELS intro:[ab]", hint: channelsHint, chapter: chapter)
            try TransactionScenarios.run(client, [
                x(r("PUBSUB", "CHANNELS", "intro:b") + r("PUBSUB", "channels", "nothing:*"), "*1\r\n" + bulk("intro:b") + "*0\r\n",
                  "PUBSUB CHANNELS intro:b, pubsub channels nothing:*", hint: channelsHint + " No match is the empty array; subcommands ignore case."),
                x(r("PUBSUB", "NUMSUB", "intro:a", "intro:b", "intro:none", "intro:a"), numsub(("intro:a", 2), ("intro:b", 1), ("intro:none", 0), ("intro:a", 2)),
                  "PUBSUB NUMSUB intro:a intro:b intro:none intro:a",
                  hint: "NUMSUB replies a flat array of channel, count pairs, in the order asked (repeats included); 0 for a channel nobody is on. Pattern subscribers are not counted."),
                x(r("PUBSUB", "NUMSUB"), "*0\r\n", "PUBSUB NUMSUB with no channel", hint: "No channel asked, no pairs: the empty array."),
                x(r("PUBSUB", "NUMPAT"), ":1\r\n", "PUBSUB NUMPAT", hint: "NUMPAT counts the distinct patterns that have subscribers: intro:*."),
            ])
            try second.roundTrip(r("UNSUBSCRIBE", "intro:a"), expect: b(confirm("unsubscribe", "intro:a", 0)), step: "client B: UNSUBSCRIBE intro:a",
                                 hint: "UNSUBSCRIBE confirms with the new count.")
            try first.roundTrip(r("UNSUBSCRIBE", "intro:b"), expect: b(confirm("unsubscribe", "intro:b", 1)), step: "client A: UNSUBSCRIBE intro:b",
                                hint: "UNSUBSCRIBE confirms with the new count.")
            try TransactionScenarios.run(client, [
                x(r("PUBSUB", "NUMSUB", "intro:a", "intro:b") + r("PUBSUB", "CHANNELS"), numsub(("intro:a", 1), ("intro:b", 0)) + "*1\r\n" + bulk("intro:a"),
                  "PUBSUB NUMSUB intro:a intro:b, PUBSUB CHANNELS, after B left intro:a and A left intro:b",
                  hint: "A channel whose last subscriber left is gone: it is no longer listed, and counts 0."),
                x(r("PUBSUB"), wrongArity("pubsub"), "PUBSUB alone", hint: arity),
                x(r("PUBSUB", "FOO"), "-ERR unknown subcommand 'FOO'. Try PUBSUB HELP.\r\n", "PUBSUB FOO",
                  hint: "Redis's exact text, with the subcommand as it was typed: -ERR unknown subcommand 'FOO'. Try PUBSUB HELP."),
                x(r("PUBSUB", "NUMPAT", "x"), wrongArity("pubsub|numpat"), "PUBSUB NUMPAT x",
                  hint: "NUMPAT takes no argument; Redis names the subcommand as container|subcommand: 'pubsub|numpat'."),
                x(r("PUBSUB", "CHANNELS", "a", "b"), "-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.\r\n",
                  "PUBSUB CHANNELS a b", hint: "CHANNELS takes one pattern at most; Redis's text for this one differs from NUMPAT's."),
                x(r("SUBSCRIBE") + r("PSUBSCRIBE") + r("PUBLISH", "x") + r("PUBLISH", "x", "y", "z"),
                  wrongArity("subscribe") + wrongArity("psubscribe") + wrongArity("publish") + wrongArity("publish"),
                  "SUBSCRIBE and PSUBSCRIBE with nothing, PUBLISH with one and three arguments", hint: arity),
                x(r("PING"), "+PONG\r\n", "PING after the errors", hint: "A refused SUBSCRIBE subscribes to nothing: the client is not in subscribed mode."),
            ])
        },
    ]

    // MARK: RESP3

    /// Subscriptions and messages as RESP3 pushes.
    static let resp3: [Scenario] = [
        Scenario(stage: 9, "in RESP3 confirmations and messages are pushes, and every command still runs", chapter: chapter + "#resp3-pushes") { server, scenario in
            let client = try scenario.connect(server)
            let publisher = try scenario.connect(server)
            try hello3(client, scenario)
            let pushHint = "In RESP3 what pub/sub sends is a push, written like an array with > instead of *: >3\\r\\n..."
            try TransactionScenarios.run(client, [
                x(r("SUBSCRIBE", "r3:a", "r3:b"), confirm("subscribe", "r3:a", 1, push: true) + confirm("subscribe", "r3:b", 2, push: true),
                  "SUBSCRIBE r3:a r3:b in RESP3", hint: pushHint),
                x(r("SET", "r3:k", "v") + r("GET", "r3:k") + r("GET", "r3:missing"), ok + bulk("v") + "_\r\n", "SET, GET and GET of a missing key while subscribed",
                  hint: "RESP3 can tell a push from a reply, so a subscribed RESP3 client may run any command; replies are RESP3 as ever."),
                x(r("PING") + r("PING", "x"), "+PONG\r\n" + bulk("x"), "PING and PING x while subscribed in RESP3",
                  hint: "In RESP3, PING keeps its normal replies while subscribed: +PONG, and the argument as a bulk string."),
            ])
            try publisher.roundTrip(r("PUBLISH", "r3:a", "m1"), expect: b(":1\r\n"), step: "another client: PUBLISH r3:a m1", hint: "One subscriber.")
            try client.expect(b(message("r3:a", "m1", push: true)), step: "the subscriber receives >3 message", hint: pushHint)
            try publisher.roundTrip(r("PUBLISH", "r3:b", "m2"), expect: b(":1\r\n"), step: "another client: PUBLISH r3:b m2", hint: "One subscriber.")
            try client.roundTrip(r("GET", "r3:k"), expect: b(message("r3:b", "m2", push: true) + bulk("v")), step: "then the subscriber sends GET r3:k",
                                 hint: "The message was queued before the GET arrived: its push comes first, then GET's reply.")
            try TransactionScenarios.run(client, [
                x(r("PUBLISH", "r3:a", "self"), message("r3:a", "self", push: true) + ":1\r\n", "the subscriber publishes to its own channel",
                  hint: "A client that publishes to a channel it is on gets the push while PUBLISH runs, before PUBLISH's reply :1."),
                x(r("PSUBSCRIBE", "r3:*"), confirm("psubscribe", "r3:*", 3, push: true), "PSUBSCRIBE r3:*", hint: pushHint),
                x(r("PUBLISH", "r3:b", "both"), message("r3:b", "both", push: true) + pmessage("r3:*", "r3:b", "both", push: true) + ":2\r\n",
                  "PUBLISH r3:b both, by the subscriber", hint: "A message push, then a pmessage push (>4), then PUBLISH's reply: 2 deliveries."),
                x(r("MULTI") + r("PUBLISH", "r3:a", "tx") + r("EXEC"),
                  ok + "+QUEUED\r\n" + "*1\r\n" + message("r3:a", "tx", push: true) + pmessage("r3:*", "r3:a", "tx", push: true) + ":2\r\n",
                  "MULTI, PUBLISH r3:a tx, EXEC, while subscribed in RESP3",
                  hint: "MULTI runs in RESP3's subscribed mode. The pushes are written while EXEC runs, so they come after *1 and before the PUBLISH's :2."),
                x(r("UNSUBSCRIBE", "r3:a") + r("PUNSUBSCRIBE") + r("UNSUBSCRIBE", "r3:b"),
                  confirm("unsubscribe", "r3:a", 2, push: true) + confirm("punsubscribe", "r3:*", 1, push: true) + confirm("unsubscribe", "r3:b", 0, push: true),
                  "UNSUBSCRIBE r3:a, PUNSUBSCRIBE, UNSUBSCRIBE r3:b", hint: pushHint),
                x(r("UNSUBSCRIBE"), confirm("unsubscribe", nil, 0, push: true), "UNSUBSCRIBE from nothing in RESP3",
                  hint: "RESP3's null is _\\r\\n: [unsubscribe, _, 0] as a push."),
            ])
            try client.expectNothingMore(step: "nothing else arrives", hint: "Each push is sent once.")
        },
        Scenario(stage: 9, "HELLO while subscribed changes how the next messages are framed", chapter: chapter + "#resp3-pushes") { server, scenario in
            let client = try scenario.connect(server)
            let publisher = try scenario.connect(server)
            try hello3(client, scenario)
            try client.roundTrip(r("SUBSCRIBE", "hv:a"), expect: b(confirm("subscribe", "hv:a", 1, push: true)), step: "SUBSCRIBE hv:a in RESP3",
                                 hint: "In RESP3 the confirmation is a push: >3\\r\\n...")
            let helloHint = "RESP3 allows every command while subscribed, HELLO 2 too; its reply is then a RESP2 array (*14)."
            try client.send(r("HELLO", "2"))
            guard case .array = try client.readReply(step: "HELLO 2 while subscribed in RESP3", hint: helloHint) else {
                throw GateFailure(step: "HELLO 2 while subscribed in RESP3", sent: r("HELLO", "2"), expected: b("*14\r\n..."),
                                  hint: helloHint, chapter: scenario.chapter)
            }
            try publisher.roundTrip(r("PUBLISH", "hv:a", "m1"), expect: b(":1\r\n"), step: "another client: PUBLISH hv:a m1", hint: "One subscriber.")
            try client.expect(b(message("hv:a", "m1")), step: "the subscriber, now RESP2, receives *3 message",
                              hint: "A message is framed in the subscriber's protocol when it is published: after HELLO 2, *3, not >3.")
            try client.roundTrip(r("GET", "hv:k"), expect: b(notAllowed("get")), step: "GET, subscribed in RESP2 again",
                                 hint: "Back in RESP2, subscribed mode allows only the subscription commands, PING, QUIT and RESET.")
            try client.roundTrip(r("HELLO", "3"), expect: b(notAllowed("hello")), step: "HELLO 3, subscribed in RESP2",
                                 hint: "In RESP2's subscribed mode HELLO is refused like any other command: there is no way back to RESP3 but RESET.")
            try publisher.roundTrip(r("PUBLISH", "hv:a", "m2"), expect: b(":1\r\n"), step: "another client: PUBLISH hv:a m2", hint: "One subscriber.")
            try client.expect(b(message("hv:a", "m2")), step: "the subscriber, still RESP2, receives *3 message",
                              hint: "The refused HELLO 3 changed nothing: the message is *3.")
            try client.expectNothingMore(step: "nothing else arrives", hint: "Each message is sent once.")
        },
    ]

    // MARK: Leaving

    /// Subscribers that hang up or QUIT.
    static let leaving: [Scenario] = [
        Scenario(stage: 9, "a subscriber that disconnects is unsubscribed from everything", chapter: chapter + "#a-connection-that-changes-mode") { server, scenario in
            let closer = try scenario.connect(server)
            let resetter = try scenario.connect(server)
            let stayer = try scenario.connect(server)
            try closer.roundTrip(r("SUBSCRIBE", "leave:a") + r("PSUBSCRIBE", "leave:*"),
                                 expect: b(confirm("subscribe", "leave:a", 1) + confirm("psubscribe", "leave:*", 2)),
                                 step: "client A: SUBSCRIBE leave:a, PSUBSCRIBE leave:*", hint: "SUBSCRIBE and PSUBSCRIBE confirm.")
            try resetter.roundTrip(r("SUBSCRIBE", "leave:a"), expect: b(confirm("subscribe", "leave:a", 1)), step: "client B: SUBSCRIBE leave:a",
                                   hint: "SUBSCRIBE confirms.")
            try stayer.roundTrip(r("SUBSCRIBE", "leave:b"), expect: b(confirm("subscribe", "leave:b", 1)), step: "client C: SUBSCRIBE leave:b",
                                 hint: "SUBSCRIBE confirms.")
            let client = try scenario.connect(server)
            try client.roundTrip(r("PUBSUB", "NUMSUB", "leave:a") + r("PUBSUB", "NUMPAT"), expect: b(numsub(("leave:a", 2)) + ":1\r\n"),
                                 step: "PUBSUB NUMSUB leave:a, PUBSUB NUMPAT", hint: "Two clients on leave:a, one pattern.")
            closer.close()
            resetter.reset()
            let hint = "A client that hangs up (a close, or a reset) must leave every channel and pattern it was on, or PUBLISH writes to a dead connection and counts it."
            try eventually(client, r("PUBSUB", "NUMSUB", "leave:a"), numsub(("leave:a", 0)), step: "A closes and B resets: PUBSUB NUMSUB leave:a", hint: hint)
            try eventually(client, r("PUBSUB", "NUMPAT"), ":0\r\n", step: "PUBSUB NUMPAT", hint: hint)
            try client.roundTrip(r("PUBLISH", "leave:a", "x") + r("PUBSUB", "CHANNELS", "leave:*"), expect: b(":0\r\n*1\r\n" + bulk("leave:b")),
                                 step: "PUBLISH leave:a x, PUBSUB CHANNELS leave:*", hint: hint + " Nobody is left on leave:a; C still is on leave:b.")
            try client.roundTrip(r("PUBLISH", "leave:b", "y"), expect: b(":1\r\n"), step: "PUBLISH leave:b y", hint: "C is still subscribed.")
            try stayer.expect(b(message("leave:b", "y")), step: "client C receives the message", hint: "The others' hang-ups must not disturb C.")
        },

        Scenario(stage: 9, "QUIT in subscribed mode replies +OK and closes", chapter: chapter + "#a-connection-that-changes-mode") { server, scenario in
            let quitter = try scenario.connect(server)
            let client = try scenario.connect(server)
            try quitter.roundTrip(r("SUBSCRIBE", "quit:ch") + r("QUIT") + r("PING"), expect: b(confirm("subscribe", "quit:ch", 1) + ok),
                                  step: "SUBSCRIBE quit:ch, QUIT, PING in one write",
                                  hint: "QUIT is allowed in subscribed mode: it replies +OK, and the connection closes once the reply is sent.")
            try quitter.expectClosed(step: "the connection closes, and the PING is not answered",
                                     hint: "After QUIT's +OK the server closes the connection; nothing after QUIT runs.")
            try eventually(client, r("PUBSUB", "NUMSUB", "quit:ch"), numsub(("quit:ch", 0)), step: "PUBSUB NUMSUB quit:ch",
                           hint: "A client that quit has left its channels.")
            try client.roundTrip(r("QUIT", "extra"), expect: b(ok), step: "QUIT extra, outside subscribed mode",
                                 hint: "Redis 7.0's QUIT takes any arguments and ignores them: +OK.")
            try client.expectClosed(step: "the connection closes", hint: "After QUIT's +OK the server closes the connection.")
        },
    ]

    // MARK: Many messages

    /// Ordering under load, and a subscriber that never reads.
    static let load: [Scenario] = [
        Scenario(stage: 9, "4 publishers × 2,500 messages to 8 subscribers: each publisher's order kept, nothing lost or doubled", chapter: chapter + "#ordering") { server, scenario in
            try ordering(server, scenario, publishers: 4, messagesEach: 2_500, subscribers: 8)
        },

        Scenario(stage: 9, "a subscriber that never reads is cut; publishers and the other subscriber go on", chapter: chapter + "#slow-subscribers") { server, scenario in
            try slowSubscriber(server, scenario)
        },
    ]

    // MARK: Transactions and inline commands

    /// SUBSCRIBE inside MULTI, and subscriptions typed as inline commands.
    static let transactionsAndForms: [Scenario] = [
        Scenario.exchanges(stage: 9, "MULTI, SUBSCRIBE, PUBLISH, EXEC in RESP2 gives Redis's bytes", chapter: chapter + "#a-connection-that-changes-mode", [
            x(r("MULTI") + r("SUBSCRIBE", "txsub:ch") + r("PUBLISH", "txsub:ch", "hi") + r("EXEC"),
              ok + "+QUEUED\r\n+QUEUED\r\n" + "*2\r\n" + confirm("subscribe", "txsub:ch", 1) + message("txsub:ch", "hi") + ":1\r\n",
              "MULTI, SUBSCRIBE txsub:ch, PUBLISH txsub:ch hi, EXEC",
              hint: "SUBSCRIBE may be queued. While EXEC runs, the message is written to the client as soon as PUBLISH delivers it: Redis's bytes are *2, the confirmation, the message frame, then PUBLISH's :1."),
            x(r("PING"), subscribedPong, "PING after the EXEC", hint: "The transaction's SUBSCRIBE put the client in subscribed mode."),
            x(r("MULTI"), notAllowed("multi"), "MULTI while subscribed", hint: "In RESP2's subscribed mode MULTI is refused."),
            x(r("UNSUBSCRIBE"), confirm("unsubscribe", "txsub:ch", 0), "UNSUBSCRIBE", hint: "UNSUBSCRIBE leaves the one channel."),
            x(r("MULTI") + r("PSUBSCRIBE", "txsub:*") + r("PUBLISH", "txsub:x", "m") + r("PUNSUBSCRIBE", "txsub:*") + r("EXEC"),
              ok + "+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n" + "*3\r\n" + confirm("psubscribe", "txsub:*", 1) + pmessage("txsub:*", "txsub:x", "m") + ":1\r\n"
                + confirm("punsubscribe", "txsub:*", 0),
              "MULTI, PSUBSCRIBE txsub:*, PUBLISH txsub:x m, PUNSUBSCRIBE txsub:*, EXEC",
              hint: "The same with a pattern: the pmessage is written where PUBLISH delivers it, between the confirmations."),
            x(r("PING"), "+PONG\r\n", "PING after a transaction that left what it joined", hint: "At count 0 the client is back to normal."),
        ]),

        Scenario(stage: 9, "inline SUBSCRIBE, PUBLISH and PING, as typed in telnet", chapter: chapter + "#a-connection-that-changes-mode") { server, scenario in
            let subscriber = try scenario.connect(server)
            let publisher = try scenario.connect(server)
            try subscriber.roundTrip(b("SUBSCRIBE inline:a inline:b\r\n"), expect: b(confirm("subscribe", "inline:a", 1) + confirm("subscribe", "inline:b", 2)),
                                     step: "SUBSCRIBE inline:a inline:b, inline", hint: "Inline commands are commands like any other: SUBSCRIBE confirms each channel.")
            try publisher.roundTrip(b("PUBLISH inline:a hello\r\n"), expect: b(":1\r\n"), step: "PUBLISH inline:a hello, inline", hint: "One subscriber.")
            try subscriber.expect(b(message("inline:a", "hello")), step: "the subscriber receives the message", hint: messageHint)
            try subscriber.roundTrip(b("PING\r\nPING hi\r\nGET x\r\n"), expect: b(subscribedPong + "*2\r\n" + bulk("pong") + bulk("hi") + notAllowed("get")),
                                     step: "PING, PING hi and GET x, inline, while subscribed", hint: "Subscribed mode's rules apply to inline commands too.")
            try subscriber.roundTrip(b("UNSUBSCRIBE inline:a inline:b\r\nPING\r\n"),
                                     expect: b(confirm("unsubscribe", "inline:a", 1) + confirm("unsubscribe", "inline:b", 0) + "+PONG\r\n"),
                                     step: "UNSUBSCRIBE inline:a inline:b, PING, inline", hint: "UNSUBSCRIBE confirms each channel in order; at count 0 PING is +PONG.")
        },
    ]
}

// MARK: - The scenarios under load

extension Stage09Scenarios {
    /// `publishers` clients each pipeline `messagesEach` numbered PUBLISHes
    /// to one channel, all at once, while `subscribers` clients, each on its
    /// own thread, read every message: each must see every publisher's
    /// messages once each, in the order they were published.
    static func ordering(_ server: ServerUnderTest, _ scenario: Scenario, publishers: Int, messagesEach: Int, subscribers: Int) throws {
        let chapter = scenario.chapter
        let channel = "order:ch"
        let total = publishers * messagesEach
        let tally = TransactionScenarios.Tally()
        let ready = DispatchSemaphore(value: 0)
        let orderHint = "PUBLISH must hand its message to every subscriber before the publisher's next command runs, "
            + "each message once, into each subscriber's queue in the order the PUBLISHes ran."
        let listeners = TransactionScenarios.startClients(subscribers, of: server, chapter: chapter, tally: tally) { client, index in
            let who = "subscriber \(index + 1) of \(subscribers)"
            try client.roundTrip(r("SUBSCRIBE", channel), expect: b(confirm("subscribe", channel, 1)), step: "\(who): SUBSCRIBE \(channel)",
                                 hint: "SUBSCRIBE confirms with [subscribe, channel, count].")
            ready.signal()
            // A deadline against a stuck queue, not a speed test: under a
            // sanitizer the first message has taken over 5 s to come.
            client.timeoutMilliseconds = 30_000
            // The next number expected from each publisher.
            var next = [Int](repeating: 0, count: publishers)
            var parser = ReplyParser()
            var received = 0
            while received < total && !tally.failed {
                let result = client.readSome(timeoutMilliseconds: client.timeoutMilliseconds)
                guard case .bytes(let bytes) = result else {
                    // Where everyone stood: one subscriber stuck while the
                    // others got everything is a lost wake-up, not a slow
                    // server.
                    let what = if case .closed = result { "the server closed the connection" }
                        else { "no more messages came within \(client.timeoutMilliseconds / 1000) s" }
                    throw GateFailure(step: "\(who) waits for message \(received + 1) of \(total)", received: Array(parser.unparsedBytes.prefix(256)),
                                      problem: what + "; messages each subscriber had then: " + tally.countList("subscriber", subscribers)
                                          + "; PUBLISH replies each publisher had: " + tally.countList("publisher", publishers),
                                      hint: orderHint + " Is a message lost, or is a subscriber's queue stuck?", chapter: chapter)
                }
                parser.append(bytes)
                while let value = try nextReply(&parser, step: "\(who) reads message \(received + 1)", chapter: chapter) {
                    let expectedHint = "each message as [message, \(channel), payload]"
                    guard case .array(let items) = value, items.count == 3, items[0] == .bulkString(b("message")), items[1] == .bulkString(b(channel)),
                          case .bulkString(let payload) = items[2] else {
                        throw GateFailure(step: "\(who) reads message \(received + 1)", received: value.encoded, problem: "not \(expectedHint)",
                                          hint: messageHint, chapter: chapter)
                    }
                    let words = String(decoding: payload, as: UTF8.self).split(separator: " ")
                    guard words.count == 2, let from = Int(words[0].dropFirst()), next.indices.contains(from), let number = Int(words[1]) else {
                        throw GateFailure(step: "\(who) reads message \(received + 1)", received: value.encoded,
                                          problem: "a payload that no publisher sent", hint: "The payload must arrive as it was published.", chapter: chapter)
                    }
                    guard number == next[from] else {
                        throw GateFailure(step: "\(who) reads message \(received + 1) of \(total)", received: value.encoded,
                                          problem: "publisher \(from + 1)'s message \(number) came where its message \(next[from]) was due "
                                              + (number < next[from] ? "(a message arrived twice)" : "(a message was lost, or overtaken)"),
                                          hint: orderHint, chapter: chapter)
                    }
                    next[from] += 1
                    received += 1
                }
                tally.set("subscriber \(index)", received)
            }
            guard !tally.failed else { return }
            guard parser.unparsedBytes.isEmpty else {
                throw GateFailure(step: "\(who) after all \(total) messages", received: Array(parser.unparsedBytes.prefix(256)),
                                  problem: "more bytes than the \(total) messages published", hint: orderHint, chapter: chapter)
            }
            try client.expectNothingMore(step: "\(who) receives nothing after the \(total) messages", hint: orderHint, milliseconds: 100)
        }
        for index in 0..<subscribers {
            guard ready.wait(timeout: .now() + .seconds(10)) == .success, !tally.failed else {
                try tally.throwFirstFailure()
                throw GateFailure(step: "subscriber \(index + 1): SUBSCRIBE \(channel)", problem: "not subscribed after 10 s",
                                  hint: "SUBSCRIBE confirms at once.", chapter: chapter)
            }
        }
        // Each publisher's pipeline, built here and not on its thread: four
        // threads that first use a generic type at the same moment (such as
        // the `FlattenSequence` of `joined()`) can wait for the Swift
        // runtime to create its metadata for half a minute under
        // ThreadSanitizer, and the subscribers' deadline then passes.
        let pipelines = (0..<publishers).map { index in
            var pipeline: [UInt8] = []
            for number in 0..<messagesEach { pipeline += r("PUBLISH", channel, "p\(index) \(number)") }
            return pipeline
        }
        let senders = TransactionScenarios.startClients(publishers, of: server, chapter: chapter, tally: tally) { client, index in
            try client.send(pipelines[index])
            try client.expect(b(String(repeating: ":\(subscribers)\r\n", count: messagesEach)),
                              step: "publisher \(index + 1) pipelines \(messagesEach) × PUBLISH \(channel) in one write",
                              hint: "Each PUBLISH replies the number of subscribers it reached: all \(subscribers), every time.")
            tally.set("publisher \(index)", messagesEach)
        }
        try TransactionScenarios.join(senders, seconds: 300, step: "\(publishers) publishers × \(messagesEach) PUBLISH", hint: orderHint, chapter: chapter)
        try TransactionScenarios.join(listeners, seconds: 300, step: "\(subscribers) subscribers read \(total) messages each", hint: orderHint, chapter: chapter)
        try tally.throwFirstFailure()
    }

    /// The next reply `parser` holds, with a malformed one reported as a
    /// failure of `step`.
    private static func nextReply(_ parser: inout ReplyParser, step: String, chapter: String) throws -> RESPValue? {
        do {
            return try parser.next()
        } catch {
            throw GateFailure(step: step, received: Array(parser.unparsedBytes.prefix(256)), problem: "\(error)",
                              hint: "Each message is a well-formed RESP array.", chapter: chapter)
        }
    }

    /// How many messages the slow-subscriber scenario publishes, and how
    /// large each one is: 100 MB in all, three times Redis's 32 MB hard limit.
    static let slowMessages = 1_000
    static let slowPayloadBytes = 100 * 1_024
    /// How long one PUBLISH may take while a subscriber does not read.
    static let publishLatencyBound: Int64 = 1_000
    /// How far our own server's memory may grow meanwhile: the hard limit
    /// (32 MB) plus room for the reading subscriber's backlog and the
    /// allocator.
    static let slowMemoryBound = 64 * 1_048_576
    /// How many messages the reading subscriber may be behind the
    /// publisher: about 4 MB, far below the 8 MB soft limit, so that only
    /// the subscriber that never reads can be cut.
    static let readerLead = 40

    /// Message `index`'s payload: its number, then dots.
    static func slowPayload(_ index: Int) -> [UInt8] {
        var payload = [UInt8](repeating: UInt8(ascii: "."), count: slowPayloadBytes)
        let tag = b("message \(index) ")
        payload.replaceSubrange(0..<tag.count, with: tag)
        return payload
    }

    /// Message `index` as a RESP2 subscriber of `channel` receives it.
    static func slowFrame(_ index: Int, channel: String) -> [UInt8] {
        b("*3\r\n" + bulk("message") + bulk(channel) + "$\(slowPayloadBytes)\r\n") + slowPayload(index) + b("\r\n")
    }

    /// One subscriber that never reads and one that
    /// reads everything, while 1,000 × 100 KB are published one PUBLISH at
    /// a time: the first must be cut (PUBLISH's count drops from 2 to 1),
    /// no PUBLISH may wait for it, the second receives every byte, and our
    /// own server's memory stays bounded.
    static func slowSubscriber(_ server: ServerUnderTest, _ scenario: Scenario) throws {
        let chapter = scenario.chapter
        let channel = "slow:ch"
        let cutHint = "A subscriber whose pending output passes 32 MB (Redis's client-output-buffer-limit pubsub 32mb 8mb 60) must be disconnected, "
            + "not waited for: PUBLISH only queues the message in each subscriber's outbox, and never blocks on a socket."
        // A client that never reads keeps the kernel's first receive buffer
        // (128 KB on Linux): it grows only as the application reads. A
        // smaller SO_RCVBUF set after connecting would shrink the window the
        // server already saw, and the kernel would drop segments, so that
        // draining it at the end took minutes.
        let slow = try scenario.connect(server)
        try slow.roundTrip(r("SUBSCRIBE", channel), expect: b(confirm("subscribe", channel, 1)),
                           step: "client A: SUBSCRIBE \(channel), then it never reads", hint: "SUBSCRIBE confirms.")
        // Only for our own binaries, and not under a sanitizer: TSan's and
        // ASan's shadow memory and quarantine make RSS say nothing of ours.
        let environment = ProcessInfo.processInfo.environment
        let sanitized = environment["TSAN_OPTIONS"] != nil || environment["ASAN_OPTIONS"] != nil
        let before = sanitized ? nil : Stage04Scenarios.residentBytesOfOwnServer(server)
        var peak = before ?? 0

        let tally = TransactionScenarios.Tally()
        let ready = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        let reader = TransactionScenarios.startClients(1, of: server, chapter: chapter, tally: tally) { client, _ in
            try client.roundTrip(r("SUBSCRIBE", channel), expect: b(confirm("subscribe", channel, 1)),
                                 step: "client B: SUBSCRIBE \(channel), and it reads everything", hint: "SUBSCRIBE confirms.")
            ready.signal()
            try readFrames(client, count: slowMessages, channel: channel, tally: tally, chapter: chapter)
            finished.signal()
            // Stay subscribed until the scenario has counted the subscribers.
            let deadline = Platform.monotonicMilliseconds() + 30_000
            while !tally.stopping && Platform.monotonicMilliseconds() < deadline { sleepMilliseconds(5) }
        }
        guard ready.wait(timeout: .now() + .seconds(10)) == .success, !tally.failed else {
            try tally.throwFirstFailure()
            throw GateFailure(step: "client B: SUBSCRIBE \(channel)", problem: "not subscribed after 10 s", hint: "SUBSCRIBE confirms at once.", chapter: chapter)
        }

        let publisher = try scenario.connect(server)
        var lastCount = 2
        var cutAt: Int?
        var slowest: Int64 = 0
        do {
            for index in 0..<slowMessages where !tally.failed {
                let deadline = Platform.monotonicMilliseconds() + 10_000
                while tally.count("received") < index - readerLead && !tally.failed {
                    guard Platform.monotonicMilliseconds() < deadline else {
                        throw GateFailure(step: "client B reads message \(index - readerLead + 1)",
                                          problem: "client B, which reads all the time, got only \(tally.count("received")) of the \(index) messages published, and none for 10 s",
                                          hint: cutHint + " A subscriber that reads must not wait for one that does not.", chapter: chapter)
                    }
                    sleepMilliseconds(1)
                }
                let request = RESPValue.request([b("PUBLISH"), b(channel), slowPayload(index)])
                let step = "client C: PUBLISH \(channel) <100 KB> (message \(index + 1) of \(slowMessages))"
                let start = Platform.monotonicMilliseconds()
                try publisher.send(request)
                let reply = try publisher.readReply(step: step, hint: cutHint)
                let elapsed = Platform.monotonicMilliseconds() - start
                slowest = max(slowest, elapsed)
                guard elapsed <= publishLatencyBound else {
                    throw GateFailure(step: step, received: reply.encoded, problem: "PUBLISH took \(elapsed) ms, more than \(publishLatencyBound) ms",
                                      hint: cutHint, chapter: chapter)
                }
                guard case .integer(let count) = reply, count == lastCount || (count == 1 && lastCount == 2) else {
                    throw GateFailure(step: step, expected: b(index == 0 ? ":2\r\n" : ":\(lastCount)\r\n or :1\r\n"), received: reply.encoded,
                                      hint: "PUBLISH counts the subscribers it reached: 2 while both are connected, 1 once the one that never reads is cut, and never 2 again.",
                                      chapter: chapter)
                }
                if count == 1 && lastCount == 2 { cutAt = index }
                lastCount = count
                if index % 10 == 0 { peak = max(peak, Stage04Scenarios.residentBytesOfOwnServer(server) ?? 0) }
            }
        } catch {
            tally.stop()
            _ = reader.wait(timeout: .now() + .seconds(10))
            throw error
        }
        // Lets client B go once its subscription has been counted.
        defer {
            tally.stop()
            _ = reader.wait(timeout: .now() + .seconds(10))
        }
        guard finished.wait(timeout: .now() + .seconds(30)) == .success else {
            try tally.throwFirstFailure()
            throw GateFailure(step: "client B reads all \(slowMessages) messages", problem: "client B had \(tally.count("received")) after 30 s",
                              hint: cutHint + " Client B reads all the time: it must get everything.", chapter: chapter)
        }
        try tally.throwFirstFailure()
        guard let cutAt else {
            throw GateFailure(step: "PUBLISH's count after \(slowMessages) × 100 KB", expected: b(":1\r\n"), received: b(":2\r\n"),
                              problem: "client A, which never read, was still subscribed after 100 MB", hint: cutHint, chapter: chapter)
        }
        publisher.observer?.stepPassed(GateStep(step: "client C publishes \(slowMessages) × 100 KB, one PUBLISH at a time", sent: nil, expected: nil, received: [],
                                                note: "each answered within \(slowest) ms; the count dropped from 2 to 1 at message \(cutAt + 1); client B received all 100 MB"))
        try publisher.roundTrip(r("PUBSUB", "NUMSUB", channel), expect: b(numsub((channel, 1))), step: "PUBSUB NUMSUB \(channel)",
                                hint: "The cut subscriber has left the channel; client B is still on it.")
        if let before {
            peak = max(peak, Stage04Scenarios.residentBytesOfOwnServer(server) ?? 0)
            guard peak - before < slowMemoryBound else {
                throw GateFailure(step: "the server's memory while 100 MB is published to a subscriber that never reads",
                                  problem: "VmRSS grew from \(before / 1_048_576) MB to \(peak / 1_048_576) MB, more than \(slowMemoryBound / 1_048_576) MB",
                                  hint: cutHint + " Does the outbox keep messages past the limit, or keep a cut client's?", chapter: chapter)
            }
            publisher.observer?.stepPassed(GateStep(step: "the server's memory meanwhile", sent: nil, expected: nil, received: [],
                note: "VmRSS \(before / 1_048_576) MB before, at most \(peak / 1_048_576) MB since (bound: \(slowMemoryBound / 1_048_576) MB more)"))
        }
        try expectCutAfterDraining(slow, step: "client A reads at last: what was sent before the cut, then the connection is closed", hint: cutHint)
    }

    /// Reads `count` frames of `slowFrame` from `client`, in order, and
    /// compares them as they come (a memcmp per piece: 100 MB arrive).
    private static func readFrames(_ client: GateClient, count: Int, channel: String, tally: TransactionScenarios.Tally, chapter: String) throws {
        var index = 0
        var offset = 0
        var frame = slowFrame(0, channel: channel)
        while index < count && !tally.stopping {
            guard case .bytes(let bytes) = client.readSome(timeoutMilliseconds: client.timeoutMilliseconds) else {
                throw GateFailure(step: "client B reads message \(index + 1) of \(count)",
                                  problem: "nothing more came within \(client.timeoutMilliseconds / 1000) s, or the connection closed",
                                  hint: "A subscriber that reads all the time must get every message, whatever another subscriber does.", chapter: chapter)
            }
            var start = 0
            while start < bytes.count {
                guard index < count else {
                    throw GateFailure(step: "client B after \(count) messages", received: Array(bytes[start...].prefix(256)),
                                      problem: "more bytes than the messages published", hint: "Each message is sent once.", chapter: chapter)
                }
                let length = min(bytes.count - start, frame.count - offset)
                let same = bytes.withUnsafeBytes { got in
                    frame.withUnsafeBytes { want in memcmp(got.baseAddress! + start, want.baseAddress! + offset, length) == 0 }
                }
                guard same else {
                    throw GateFailure(step: "client B reads message \(index + 1) of \(count)", expected: Array(frame[offset...].prefix(64)),
                                      received: Array(bytes[start...].prefix(64)),
                                      problem: "byte \(offset) of the message differs", hint: messageHint + " Messages arrive whole, once each, in order.", chapter: chapter)
                }
                start += length
                offset += length
                if offset == frame.count {
                    index += 1
                    offset = 0
                    tally.add("received")
                    if index < count { frame = slowFrame(index, channel: channel) }
                }
            }
        }
    }

    /// Reads what `client` still gets and checks that the server then
    /// closes it, within 5 s.
    private static func expectCutAfterDraining(_ client: GateClient, step: String, hint: String) throws {
        let deadline = Platform.monotonicMilliseconds() + 5_000
        var drained = 0
        while Platform.monotonicMilliseconds() < deadline {
            switch client.readSome(timeoutMilliseconds: 1_000) {
            case .bytes(let bytes): drained += bytes.count
            case .timeout: continue
            case .closed:
                client.observer?.stepPassed(GateStep(step: step, sent: nil, expected: nil, received: [],
                                                     note: "\(drained / 1_024) KB, then the server closed the connection"))
                return
            }
        }
        throw GateFailure(step: step, problem: "the connection was still open 5 s later (\(drained / 1_024) KB read)", hint: hint, chapter: client.chapter)
    }
}
