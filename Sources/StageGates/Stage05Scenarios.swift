import Common

/// Stage 5: SET, GET and friends on a store shared by every client.
enum Stage05Scenarios: ScenarioHelpers {
    /// The stage's short title, as in its chapter's name.
    static let title = "SET/GET"

    /// Where stage 5's behaviour is taught.
    static let chapter = "Tutorials/05-set-get.md"


    static let arity = "Reply with Redis's exact text: -ERR wrong number of arguments for '<command>' command (lowercase name)."
    static let ok = "+OK\r\n"
    static let null = "$-1\r\n"

    /// The maxclients a server started without `--maxclients` may report:
    /// 10000, or less if it could not open 10000 files plus Redis's 32
    /// reserved ones (a server inherits the gate's limit, which the gate
    /// raises to the hard limit as Redis does, and then lowers maxclients).
    static func maxClientsRange() -> ClosedRange<Int> {
        Platform.raiseOpenFileLimit() >= 10_032 ? 10_000...10_000 : 1...10_000
    }

    /// Sends `request` (a CONFIG GET) and checks its pairs of name and
    /// value with `accept`, whatever their order.
    static func expectPairs(_ client: GateClient, _ request: [UInt8], expected: String, step: String, hint: String, chapter: String,
                            _ accept: ([(String, [UInt8])]) -> Bool) throws {
        try client.send(request)
        let reply = try client.readReply(step: step, hint: hint)
        var pairs: [(String, [UInt8])] = []
        if case .array(let items) = reply, items.count % 2 == 0 {
            for index in stride(from: 0, to: items.count, by: 2) {
                guard case .bulkString(let name) = items[index], case .bulkString(let value) = items[index + 1] else { break }
                pairs.append((String(decoding: name, as: UTF8.self), value))
            }
            if pairs.count * 2 == items.count && accept(pairs) { return }
        }
        throw GateFailure(step: step, sent: request, expected: b(expected), received: reply.encoded,
                          problem: "not the pairs expected (their order does not matter)", hint: hint, chapter: chapter)
    }

    static let all: [Scenario] = [
        Scenario.exchanges(stage: 5, "SET then GET", chapter: chapter + "#set-and-get", [
            x(r("SET", "foo", "bar"), ok, "SET foo bar", hint: "SET replies +OK."),
            x(r("GET", "foo"), "$3\r\nbar\r\n", "GET foo after SET foo bar", hint: "GET replies with the value as a bulk string."),
            x(r("SET", "foo", "baz"), ok, "SET foo baz (overwrite)", hint: "SET replaces an existing value."),
            x(r("GET", "foo"), "$3\r\nbaz\r\n", "GET foo after the overwrite", hint: "GET must see the latest value."),
            x(r("GET", "missing"), null, "GET of a key that does not exist", hint: "A missing key is the null bulk string $-1\\r\\n, not an empty string."),
            x(r("set", "Case", "1") + r("get", "case") + r("get", "Case"), "+OK\r\n$-1\r\n$1\r\n1\r\n",
              "command names ignore case, keys do not", hint: "Keys are byte strings compared exactly; only command names fold case."),
        ]),

        Scenario.exchanges(stage: 5, "keys and values are binary-safe", chapter: chapter + "#set-and-get", [
            x(RESPValue.request([b("SET"), [0, 13, 10, 255], b("v\r\n\0")]), ok, "SET with NUL, CR LF and 0xff in key and value",
              hint: "Store keys and values as bytes ([UInt8])."),
            x(RESPValue.request([b("GET"), [0, 13, 10, 255]]), "$4\r\nv\r\n\0\r\n", "GET of the binary key",
              hint: "Store keys and values as bytes ([UInt8])."),
            x(r("SET", "big", String(repeating: "x", count: 200_000)), ok, "SET a 200 KB value", hint: "Large values arrive over many reads."),
            x(r("GET", "big"), "$200000\r\n" + String(repeating: "x", count: 200_000) + "\r\n", "GET the 200 KB value",
              hint: "Large replies may need several writes."),
        ]),

        Scenario.exchanges(stage: 5, "SET NX, XX and GET", chapter: chapter + "#set-options-nx-xx-and-get", [
            x(r("SET", "k", "v", "XX"), null, "SET k v XX on a missing key", hint: "XX writes only if the key exists; otherwise reply $-1."),
            x(r("SET", "k", "v", "NX"), ok, "SET k v NX on a missing key", hint: "NX writes only if the key does not exist."),
            x(r("SET", "k", "v2", "NX"), null, "SET k v2 NX on an existing key", hint: "NX on an existing key writes nothing and replies $-1."),
            x(r("GET", "k"), "$1\r\nv\r\n", "GET k after the refused NX", hint: "A refused NX must not change the value."),
            x(r("SET", "k", "v3", "xx"), ok, "SET k v3 xx (lowercase option)", hint: "Options are case-insensitive."),
            x(r("SET", "k", "v4", "GET"), "$2\r\nv3\r\n", "SET k v4 GET returns the old value", hint: "With GET, reply with the old value instead of +OK."),
            x(r("SET", "fresh", "v", "GET"), null, "SET fresh v GET on a missing key", hint: "With GET on a missing key, reply $-1 (and still write)."),
            x(r("GET", "fresh"), "$1\r\nv\r\n", "GET fresh after SET ... GET", hint: "SET with GET still writes the value."),
            x(r("SET", "k", "v5", "NX", "GET"), "$2\r\nv4\r\n", "SET k v5 NX GET on an existing key",
              hint: "GET replies with the old value even when NX refuses to write."),
            x(r("GET", "k"), "$2\r\nv4\r\n", "GET k after the refused NX GET", hint: "NX refused, so the value is unchanged."),
            x(r("SET", "k", "v", "NX", "XX"), "-ERR syntax error\r\n", "SET with both NX and XX", hint: "NX and XX together are a syntax error."),
            x(r("SET", "k", "v", "FOO"), "-ERR syntax error\r\n", "SET with an unknown option", hint: "Unknown options are -ERR syntax error."),
            x(r("SET", "k"), "-ERR wrong number of arguments for 'set' command\r\n", "SET with one argument", hint: arity),
        ]),

        Scenario.exchanges(stage: 5, "DEL, EXISTS, DBSIZE, TYPE and FLUSHALL", chapter: chapter + "#the-other-commands", [
            x(r("FLUSHALL"), ok, "FLUSHALL", hint: "FLUSHALL deletes every key and replies +OK."),
            x(r("DBSIZE"), ":0\r\n", "DBSIZE of an empty store", hint: "DBSIZE replies with an integer."),
            x(r("SET", "a", "1") + r("SET", "b", "2") + r("SET", "c", "3"), ok + ok + ok, "SET a, b and c", hint: "SET replies +OK."),
            x(r("DBSIZE"), ":3\r\n", "DBSIZE after three SETs", hint: "Count the keys."),
            x(r("EXISTS", "a", "a", "b", "nope"), ":3\r\n", "EXISTS a a b nope", hint: "EXISTS counts a key each time it is named: a twice, b once."),
            x(r("TYPE", "a") + r("TYPE", "nope"), "+string\r\n+none\r\n", "TYPE of a string key and a missing key",
              hint: "TYPE replies +string or +none, as simple strings."),
            x(r("DEL", "a", "a", "b", "nope"), ":2\r\n", "DEL a a b nope", hint: "DEL counts keys actually deleted: a once, b once."),
            x(r("GET", "a"), null, "GET a after DEL", hint: "A deleted key is gone."),
            x(r("DBSIZE"), ":1\r\n", "DBSIZE after DEL", hint: "Only c is left."),
            x(r("FLUSHALL", "ASYNC") + r("DBSIZE"), "+OK\r\n:0\r\n", "FLUSHALL ASYNC, then DBSIZE", hint: "FLUSHALL accepts ASYNC and SYNC."),
            x(r("FLUSHALL", "now"), "-ERR syntax error\r\n", "FLUSHALL with an unknown argument", hint: "FLUSHALL's bad argument is a syntax error."),
        ]),

        Scenario.exchanges(stage: 5, "wrong number of arguments", chapter: chapter + "#the-other-commands", [
            x(r("GET"), "-ERR wrong number of arguments for 'get' command\r\n", "GET with no key", hint: arity),
            x(r("GET", "a", "b"), "-ERR wrong number of arguments for 'get' command\r\n", "GET with two keys", hint: arity),
            x(r("DEL"), "-ERR wrong number of arguments for 'del' command\r\n", "DEL with no key", hint: arity),
            x(r("EXISTS"), "-ERR wrong number of arguments for 'exists' command\r\n", "EXISTS with no key", hint: arity),
            x(r("DBSIZE", "x"), "-ERR wrong number of arguments for 'dbsize' command\r\n", "DBSIZE with an argument", hint: arity),
            x(r("TYPE"), "-ERR wrong number of arguments for 'type' command\r\n", "TYPE with no key", hint: arity),
            x(r("PING"), "+PONG\r\n", "PING after the errors", hint: "Command errors leave the connection open."),
        ]),

        Scenario(stage: 5, "CONFIG GET save, appendonly and maxclients, by name and by pattern", chapter: chapter + "#config-get-for-the-tools") { server, scenario in
            let client = try scenario.connect(server)
            // Any value: a redis-server started with persistence has others.
            var values: [String: [UInt8]] = [:]
            for name in ["save", "appendonly"] {
                try client.send(r("CONFIG", "GET", name))
                let reply = try client.readReply(step: "CONFIG GET \(name)", hint: "Reply with a two-element array: the name, then its value.")
                guard case .array(let items) = reply, items.count == 2, items[0] == .bulkString(b(name)),
                      case .bulkString(let value) = items[1] else {
                    throw GateFailure(step: "CONFIG GET \(name)", sent: r("CONFIG", "GET", name),
                                      expected: b("*2\r\n$\(name.count)\r\n\(name)\r\n$<n>\r\n<value>\r\n"), received: reply.encoded,
                                      hint: "redis-benchmark asks for save and appendonly: reply [name, value].", chapter: scenario.chapter)
                }
                values[name] = value
            }

            // maxclients: the gate starts the server without --maxclients,
            // so it must report the default, 10000. Redis lowers it when it
            // cannot open 10000 + 32 files; only then is less accepted.
            let expected = maxClientsRange()
            let hint = "Report the real maxclients (--maxclients N, 10000 by default), as a bulk string."
            try client.send(r("CONFIG", "GET", "maxclients"))
            let reply = try client.readReply(step: "CONFIG GET maxclients", hint: hint)
            guard case .array(let items) = reply, items.count == 2, items[0] == .bulkString(b("maxclients")),
                  case .bulkString(let value) = items[1], let maxClients = Int(String(decoding: value, as: UTF8.self)),
                  expected.contains(maxClients) else {
                throw GateFailure(step: "CONFIG GET maxclients", sent: r("CONFIG", "GET", "maxclients"),
                                  expected: b("*2\r\n$10\r\nmaxclients\r\n$\(expected.upperBound == expected.lowerBound ? "5\r\n10000" : "<n>\r\n<1...10000>")\r\n"),
                                  received: reply.encoded, hint: hint, chapter: scenario.chapter)
            }
            let pair = { (name: String) in RESPValue.array([.bulkString(b(name)), .bulkString(value)]).encoded }
            for exchange in [
                x(r("CONFIG", "GET", "MAXCLIENTS"), String(decoding: pair("MAXCLIENTS"), as: UTF8.self), "CONFIG GET MAXCLIENTS",
                  hint: "Names ignore case, and one asked for exactly comes back as it was typed."),
                x(r("CONFIG", "GET", "maxclient?"), String(decoding: pair("maxclients"), as: UTF8.self), "CONFIG GET maxclient? (a pattern)",
                  hint: "A name matched by a glob pattern comes back in lowercase, as the server spells it."),
                x(r("CONFIG", "GET", "maxclients", "MAXCLIENTS"), String(decoding: pair("maxclients"), as: UTF8.self),
                  "CONFIG GET maxclients MAXCLIENTS", hint: "Each parameter is in the reply once, under the first spelling asked for."),
                x(r("CONFIG", "GET", "no-such-parameter"), "*0\r\n", "CONFIG GET of an unknown parameter",
                  hint: "Unknown parameters are left out: an empty array."),
            ] {
                try client.roundTrip(exchange.request, expect: exchange.reply, step: exchange.step, hint: exchange.hint)
            }

            // Several pairs: Redis's order is its hash table's, random from
            // one run to the next, so these compare the pairs, not their order.
            values["maxclients"] = value
            try expectPairs(client, r("CONFIG", "GET", "save", "appendonly", "maxclients"),
                            expected: "*6\r\n<save, appendonly and maxclients with their values, in any order>", step: "CONFIG GET save appendonly maxclients",
                            hint: "Reply with every pair asked for, with the values they had alone (in any order).", chapter: scenario.chapter) { pairs in
                pairs.count == 3 && Dictionary(pairs, uniquingKeysWith: { first, _ in first }) == values
            }
            try expectPairs(client, r("CONFIG", "GET", "max*"),
                            expected: "*<2n>\r\n<$10\r\nmaxclients\r\n$\(value.count)\r\n\(String(decoding: value, as: UTF8.self))\r\n, and other max* names if the server has them>", step: "CONFIG GET max*",
                            hint: "A pattern matches every parameter whose name fits it (Redis has more max* ones than we do): maxclients once.",
                            chapter: scenario.chapter) { pairs in
                pairs.filter { $0.0 == "maxclients" }.map(\.1) == [value] && pairs.allSatisfy { $0.0.hasPrefix("max") }
            }
        },

        Scenario(stage: 5, "HELLO 3 switches the connection to RESP3 (as redis-py 8 does)", chapter: chapter + "#hello-and-resp3") { server, scenario in
            let client = try scenario.connect(server)
            let hint = "HELLO 3 must reply with a RESP3 map (%7) and switch the connection to RESP3."
            try client.send(r("HELLO", "3"))
            let reply = try client.readReply(step: "HELLO 3", hint: hint)
            guard case .map(let fields) = reply, fields.count == 14,
                  fields[0] == .bulkString(b("server")), fields[4] == .bulkString(b("proto")), fields[5] == .integer(3) else {
                throw GateFailure(step: "HELLO 3", sent: r("HELLO", "3"), expected: b("%7\r\n$6\r\nserver\r\n...$5\r\nproto\r\n:3\r\n..."),
                                  received: reply.encoded, hint: hint, chapter: scenario.chapter)
            }
            for exchange in [
                x(r("GET", "hello:missing"), "_\r\n", "GET of a missing key in RESP3", hint: "RESP3's null is _\\r\\n."),
                x(r("CONFIG", "GET", "appendonly"), "%1\r\n$10\r\nappendonly\r\n$2\r\nno\r\n", "CONFIG GET in RESP3",
                  hint: "In RESP3, CONFIG GET replies with a map."),
                x(r("HELLO", "4"), "-NOPROTO unsupported protocol version\r\n", "HELLO 4", hint: "Only versions 2 and 3 exist."),
                x(r("SET", "hello:k", "v") + r("GET", "hello:k"), "+OK\r\n$1\r\nv\r\n", "SET and GET in RESP3",
                  hint: "Strings look the same in RESP2 and RESP3."),
            ] {
                try client.roundTrip(exchange.request, expect: exchange.reply, step: exchange.step, hint: exchange.hint)
            }
            try client.send(r("HELLO", "2"))
            _ = try client.readReply(step: "HELLO 2", hint: hint)
            try client.roundTrip(r("GET", "hello:missing"), expect: b(null), step: "GET of a missing key after HELLO 2",
                                 hint: "HELLO 2 switches back to RESP2, whose null bulk string is $-1\\r\\n.")
        },

        Scenario(stage: 5, "a write by one client is seen by the others at once", chapter: chapter + "#one-store-shared-by-every-client") { server, scenario in
            let writer = try scenario.connect(server)
            let reader = try scenario.connect(server)
            let hint = "All clients must share one store. Is each connection creating its own?"
            try writer.roundTrip(r("SET", "shared", "from-writer"), expect: b(ok), step: "client 1: SET shared from-writer", hint: hint)
            try reader.roundTrip(r("GET", "shared"), expect: b("$11\r\nfrom-writer\r\n"), step: "client 2: GET shared", hint: hint)
            try reader.roundTrip(r("DEL", "shared"), expect: b(":1\r\n"), step: "client 2: DEL shared", hint: hint)
            try writer.roundTrip(r("GET", "shared"), expect: b(null), step: "client 1: GET shared after client 2 deleted it", hint: hint)
        },

        Scenario(stage: 5, "50 clients write at once and nothing is lost", chapter: chapter + "#one-store-shared-by-every-client") { server, scenario in
            let clients = try (0..<50).map { _ in try scenario.connect(server) }
            let hint = "Every write must land in the one shared store, whatever other clients do at the same time."
            try clients[0].roundTrip(r("FLUSHALL"), expect: b(ok), step: "FLUSHALL", hint: hint)
            // Each client pipelines 100 SETs of its own keys, all before any reply is read.
            for (number, client) in clients.enumerated() {
                var requests: [UInt8] = []
                for key in 0..<100 { requests += r("SET", "client\(number):key\(key)", "value\(number)-\(key)") }
                try client.send(requests)
            }
            for (number, client) in clients.enumerated() {
                try client.expect(Array(repeating: b(ok), count: 100).flatMap { $0 }, step: "the 100 +OK replies of client \(number + 1)", hint: hint)
            }
            let checker = try scenario.connect(server)
            try checker.roundTrip(r("DBSIZE"), expect: b(":5000\r\n"), step: "DBSIZE after 50 clients wrote 100 keys each", hint: hint)
            try checker.roundTrip(r("GET", "client49:key99") + r("GET", "client0:key0"), expect: RESPValue.bulkString(text: "value49-99").encoded + RESPValue.bulkString(text: "value0-0").encoded,
                                  step: "another client reads the first and last keys", hint: hint)
        },
    ]
}
