import Common

/// Stage 7: lists, and the blocking pops that wait for them.
///
/// Every scenario uses key names of its own (`push:list`, `fifo:list`, ...),
/// so that they also pass one after another against one running server
/// (`--address`) that starts empty.
enum Stage07Scenarios: ScenarioHelpers {
    /// The stage's short title, as in its chapter's name.
    static let title = "lists"

    /// Where stage 7's behaviour is taught.
    static let chapter = "Tutorials/07-lists.md"

    static let ok = "+OK\r\n"
    static let null = "$-1\r\n"
    static let nullArray = "*-1\r\n"
    static let wrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    static let notInteger = "-ERR value is not an integer or out of range\r\n"
    static let notPositive = "-ERR value is out of range, must be positive\r\n"
    static let syntaxError = "-ERR syntax error\r\n"
    static let timeoutNegative = "-ERR timeout is negative\r\n"
    static let timeoutNotFloat = "-ERR timeout is not a float or out of range\r\n"
    static let numkeys = "-ERR numkeys should be greater than 0\r\n"
    static let countNotPositive = "-ERR count should be greater than 0\r\n"

    /// How late a timeout's reply may come. Redis 7.0.15 checks its blocked
    /// clients' deadlines when its event loop wakes, at least 10 times a
    /// second: its `*-1` came up to 112 ms late in our measurements.
    static let lateMilliseconds: Int64 = 150
    /// How early a timeout's reply may come by our clock: Redis counts in
    /// whole milliseconds, and so do we, which makes a correct reply look a
    /// millisecond or two early at worst; a timer that fires early is off by
    /// far more.
    static let earlyMilliseconds: Int64 = 5
    /// How long a client is watched after sending a blocking pop, to see
    /// that it blocks (no reply), before the scenario goes on. Also orders
    /// two clients that block one after the other.
    static let blockMilliseconds: Int32 = 50

    /// The hint for the steps that check a client is still waiting.
    static let mustWait = "A blocking pop on an empty or missing list waits (timeout 0: for ever) and replies nothing until an element arrives."
    /// The hint for arity errors.
    static let arity = "Reply with Redis's exact text: -ERR wrong number of arguments for '<command>' command (lowercase name)."

    /// A bulk string's bytes, as text.
    static func bulk(_ text: String) -> String { "$\(text.utf8.count)\r\n\(text)\r\n" }
    /// An array of bulk strings, as text.
    static func bulks(_ items: [String]) -> String { "*\(items.count)\r\n" + items.map(bulk).joined() }
    /// An array of bulk strings, as text.
    static func bulks(_ items: String...) -> String { bulks(items) }
    /// An array of integers, as text.
    static func integers(_ values: Int...) -> String { "*\(values.count)\r\n" + values.map { ":\($0)\r\n" }.joined() }
    /// The reply of a blocking pop that was served: `*2`, the key, the element.
    static func popped(_ key: String, _ element: String) -> String { bulks(key, element) }
    /// The reply of LMPOP or BLMPOP: `*2`, the key, then the elements as an array.
    static func mpopped(_ key: String, _ elements: String...) -> String { "*2\r\n" + bulk(key) + bulks(elements) }

    /// Runs `exchanges` in order on `client`.
    static func run(_ client: GateClient, _ exchanges: [Exchange]) throws {
        for exchange in exchanges {
            try client.roundTrip(exchange.request, expect: exchange.reply, step: exchange.step, hint: exchange.hint)
        }
    }

    /// Checks that `client`, which has just sent `what`, is blocked: no
    /// reply for `blockMilliseconds`.
    static func expectBlocked(_ client: GateClient, _ what: String) throws {
        do {
            try client.expectNothingMore(step: "\(what) waits: no reply yet", hint: mustWait, milliseconds: blockMilliseconds)
        } catch var failure as GateFailure {
            failure.problem = "a reply came at once, where the client should wait"
            // The command's name, for the cause: "BLPOP", from "client A: BLPOP k 0".
            let command = what.split(separator: " ").first { $0.count > 3 && $0.allSatisfy { $0.isUppercase } }.map { "'\($0)'" } ?? "the command"
            if let received = failure.received, received.starts(with: b("-ERR unknown command")) {
                failure.diagnosis = GateDiagnosis(.unknownCommand,
                    "Unknown command: the server answered -ERR unknown command, so it does not know \(command) yet. Add the command; on an empty list it waits.")
            }
            throw failure
        }
    }

    /// Sends `request` and returns the time just before it was sent, by
    /// `Platform.monotonicMilliseconds()`, for `expectAfter`.
    static func sendTimed(_ client: GateClient, _ request: [UInt8]) throws -> Int64 {
        let start = Platform.monotonicMilliseconds()
        try client.send(request)
        return start
    }

    /// Checks that `reply` arrives `timeout` milliseconds after `start`,
    /// neither early nor more than `lateMilliseconds` late.
    static func expectAfter(_ client: GateClient, _ reply: String, timeout: Int64, since start: Int64, step: String, hint: String) throws {
        try client.expect(b(reply), arrivingBetween: timeout - earlyMilliseconds, and: timeout + lateMilliseconds, since: start,
                          step: step, hint: hint)
    }

    static let all: [Scenario] = [
        // MARK: Pushing and popping

        Scenario(stage: 7, "LPUSH and RPUSH add at either end; LPUSHX and RPUSHX only to a list that exists", chapter: chapter + "#pushing-and-popping") { server, scenario in
            let client = try scenario.connect(server)
            try run(client, [
                x(r("LPUSH", "push:list", "a", "b", "c"), ":3\r\n", "LPUSH push:list a b c", hint: "LPUSH creates the list and replies with its length."),
                x(r("RPUSH", "push:list", "d", "e"), ":5\r\n", "RPUSH push:list d e", hint: "RPUSH appends; the reply is the length of the whole list."),
                x(r("LRANGE", "push:list", "0", "-1"), bulks("c", "b", "a", "d", "e"), "LRANGE push:list 0 -1",
                  hint: "LPUSH inserts its elements one after another at the head, so a b c ends up as c b a; RPUSH keeps their order at the tail."),
                x(r("TYPE", "push:list"), "+list\r\n", "TYPE push:list", hint: "TYPE replies +list for a list key."),
                x(r("LPUSHX", "push:missing", "a") + r("RPUSHX", "push:missing", "a", "b") + r("EXISTS", "push:missing"), ":0\r\n:0\r\n:0\r\n",
                  "LPUSHX and RPUSHX of a missing key, then EXISTS", hint: "The X forms push only onto a list that exists: they reply :0 and create nothing."),
                x(r("LPUSHX", "push:list", "z") + r("RPUSHX", "push:list", "y", "z"), ":6\r\n:8\r\n", "LPUSHX and RPUSHX of an existing list",
                  hint: "On an existing list the X forms push as LPUSH and RPUSH do, and reply with the new length."),
                x(r("LRANGE", "push:list", "0", "-1"), bulks("z", "c", "b", "a", "d", "e", "y", "z"), "LRANGE push:list 0 -1 after the X forms",
                  hint: "A list may hold the same element more than once."),
                Exchange(step: "RPUSH of a binary element and an empty one, then LRANGE",
                         request: RESPValue.request([b("RPUSH"), b("push:binary"), [0, 13, 10, 255], []]) + r("LRANGE", "push:binary", "0", "-1"),
                         reply: b(":2\r\n*2\r\n$4\r\n") + [0, 13, 10, 255] + b("\r\n$0\r\n\r\n"),
                         hint: "Elements are byte strings, as values are: NUL, CR LF and 0xff are data, and an empty element is an element."),
            ])
        },

        Scenario.exchanges(stage: 7, "LPOP and RPOP, with and without a count", chapter: chapter + "#pushing-and-popping", [
            x(r("RPUSH", "pop:list", "a", "b", "c", "d", "e"), ":5\r\n", "RPUSH pop:list a b c d e", hint: "RPUSH replies with the length."),
            x(r("LPOP", "pop:list") + r("RPOP", "pop:list"), bulk("a") + bulk("e"), "LPOP pop:list, RPOP pop:list",
              hint: "Without a count, LPOP and RPOP reply with one bulk string: the element taken from the head, or from the tail."),
            x(r("LPOP", "pop:list", "2"), bulks("b", "c"), "LPOP pop:list 2",
              hint: "With a count, the reply is an array of the elements, in the order they were popped."),
            x(r("RPUSH", "pop:list", "x", "y") + r("RPOP", "pop:list", "2"), ":3\r\n" + bulks("y", "x"), "RPUSH pop:list x y, RPOP pop:list 2",
              hint: "RPOP with a count pops from the tail: the last element comes first."),
            x(r("LPOP", "pop:list", "0"), "*0\r\n", "LPOP pop:list 0 (the list exists)", hint: "A count of 0 on an existing list is the empty array *0\\r\\n."),
            x(r("RPOP", "pop:list", "10"), bulks("d"), "RPOP pop:list 10 (only d is left)", hint: "A count larger than the list pops all of it."),
            x(r("EXISTS", "pop:list"), ":0\r\n", "EXISTS pop:list after popping everything", hint: "A list that becomes empty is deleted."),
            x(r("LPOP", "pop:missing") + r("RPOP", "pop:missing"), null + null, "LPOP and RPOP of a missing key",
              hint: "Without a count, a missing key is the null bulk string $-1\\r\\n."),
            x(r("LPOP", "pop:missing", "2") + r("RPOP", "pop:missing", "0"), nullArray + nullArray, "LPOP pop:missing 2, RPOP pop:missing 0",
              hint: "With a count, a missing key is the null array *-1\\r\\n, even for count 0: the key is looked up before the count is used."),
            x(r("LPOP", "pop:list", "-1"), notPositive, "LPOP with a negative count",
              hint: "Redis's exact text: -ERR value is out of range, must be positive."),
            x(r("RPOP", "pop:list", "abc"), notPositive, "RPOP with a count that is not a number",
              hint: "Redis uses the same text for a count that is not a number: -ERR value is out of range, must be positive."),
        ]),

        Scenario.exchanges(stage: 7, "LMPOP pops from the first list that is not empty", chapter: chapter + "#pushing-and-popping", [
            x(r("RPUSH", "mpop:b", "1", "2", "3") + r("RPUSH", "mpop:c", "x"), ":3\r\n:1\r\n", "RPUSH mpop:b 1 2 3, RPUSH mpop:c x", hint: "RPUSH replies with the length."),
            x(r("LMPOP", "3", "mpop:a", "mpop:b", "mpop:c", "LEFT"), mpopped("mpop:b", "1"), "LMPOP 3 mpop:a mpop:b mpop:c LEFT",
              hint: "LMPOP pops from the first key, in argument order, that holds a list; the reply is [key, [elements]], even for one element."),
            x(r("LMPOP", "3", "mpop:a", "mpop:b", "mpop:c", "RIGHT", "COUNT", "5"), mpopped("mpop:b", "3", "2"),
              "LMPOP 3 mpop:a mpop:b mpop:c RIGHT COUNT 5", hint: "COUNT pops up to that many, from one list only: the 2 left in mpop:b, none from mpop:c."),
            x(r("LMPOP", "2", "mpop:a", "mpop:b", "LEFT"), nullArray, "LMPOP 2 mpop:a mpop:b LEFT (both empty)",
              hint: "When no key holds a list, LMPOP replies with the null array *-1\\r\\n; mpop:b was deleted when it became empty."),
            x(r("LMPOP", "1", "mpop:c", "left", "count", "1") + r("EXISTS", "mpop:c"), mpopped("mpop:c", "x") + ":0\r\n",
              "LMPOP 1 mpop:c left count 1, EXISTS mpop:c", hint: "LEFT, RIGHT and COUNT ignore case; the emptied list is deleted."),
            x(r("LMPOP", "0", "mpop:a", "LEFT"), numkeys, "LMPOP 0 mpop:a LEFT", hint: "Redis's exact text: -ERR numkeys should be greater than 0."),
            x(r("LMPOP", "x", "mpop:a", "LEFT"), numkeys, "LMPOP x mpop:a LEFT", hint: "A numkeys that is not a number gets the same text as 0."),
            x(r("LMPOP", "3", "mpop:a", "mpop:b", "LEFT"), syntaxError, "LMPOP 3 with two keys and a direction",
              hint: "numkeys counts the keys that follow; then comes LEFT or RIGHT. When they do not add up, it is a syntax error."),
            x(r("LMPOP", "1", "mpop:a", "MIDDLE"), syntaxError, "LMPOP 1 mpop:a MIDDLE", hint: "The direction is LEFT or RIGHT; anything else is a syntax error."),
            x(r("LMPOP", "1", "mpop:a", "LEFT", "COUNT", "0"), countNotPositive, "LMPOP ... COUNT 0",
              hint: "Redis's exact text: -ERR count should be greater than 0."),
            x(r("LMPOP", "1", "mpop:a", "LEFT", "COUNT", "-1"), countNotPositive, "LMPOP ... COUNT -1", hint: "A negative COUNT gets the same text."),
            x(r("LMPOP", "1", "mpop:a", "LEFT", "COUNT"), syntaxError, "LMPOP ... COUNT with no number", hint: "An option missing its value is a syntax error."),
            x(r("LMPOP", "1", "mpop:a", "LEFT", "COUNT", "1", "COUNT", "2"), syntaxError, "LMPOP ... COUNT 1 COUNT 2", hint: "COUNT may be given once."),
            x(r("LMPOP", "1", "mpop:a"), "-ERR wrong number of arguments for 'lmpop' command\r\n", "LMPOP 1 mpop:a (no direction)", hint: arity),
        ]),

        Scenario.exchanges(stage: 7, "a list that becomes empty is deleted", chapter: chapter + "#pushing-and-popping", [
            x(r("RPUSH", "empty:a", "x") + r("LPOP", "empty:a"), ":1\r\n" + bulk("x"), "RPUSH empty:a x, LPOP empty:a", hint: "RPUSH replies with the length, LPOP with the element."),
            x(r("EXISTS", "empty:a") + r("TYPE", "empty:a") + r("LLEN", "empty:a"), ":0\r\n+none\r\n:0\r\n", "EXISTS, TYPE and LLEN of the emptied list",
              hint: "Redis has no empty lists: a list whose last element is popped is deleted, so the key no longer exists."),
            x(r("SET", "empty:a", "v") + r("GET", "empty:a") + r("DEL", "empty:a"), ok + bulk("v") + ":1\r\n", "SET, GET and DEL of empty:a",
              hint: "The deleted list left nothing behind: the key takes a string, without WRONGTYPE."),
            x(r("RPUSH", "empty:b", "x", "y") + r("RPOP", "empty:b", "2") + r("EXISTS", "empty:b"), ":2\r\n" + bulks("y", "x") + ":0\r\n",
              "RPOP empty:b 2 pops the whole list", hint: "Popping with a count deletes the list too when it takes the last element."),
            x(r("RPUSH", "empty:c", "x", "x") + r("LREM", "empty:c", "0", "x") + r("EXISTS", "empty:c"), ":2\r\n:2\r\n:0\r\n",
              "LREM empty:c 0 x removes every element", hint: "LREM deletes the list when it removes the last element."),
            x(r("RPUSH", "empty:d", "a", "b") + r("LTRIM", "empty:d", "5", "10") + r("EXISTS", "empty:d"), ":2\r\n" + ok + ":0\r\n",
              "LTRIM empty:d 5 10 keeps nothing", hint: "LTRIM to an empty range deletes the list."),
            x(r("RPUSH", "empty:e", "a") + r("LMOVE", "empty:e", "empty:f", "LEFT", "LEFT") + r("EXISTS", "empty:e", "empty:f"), ":1\r\n" + bulk("a") + ":1\r\n",
              "LMOVE of the only element, then EXISTS of source and destination", hint: "The source is deleted; the destination was created."),
            x(r("RPUSH", "empty:g", "a") + r("LMPOP", "1", "empty:g", "LEFT") + r("EXISTS", "empty:g"), ":1\r\n" + mpopped("empty:g", "a") + ":0\r\n",
              "LMPOP of the only element", hint: "LMPOP deletes the list it empties."),
        ]),

        Scenario(stage: 7, "TYPE says list, and a key of the other type is refused both ways", chapter: chapter + "#pushing-and-popping") { server, scenario in
            let client = try scenario.connect(server)
            try run(client, [
                x(r("SET", "type:string", "v") + r("RPUSH", "type:list", "a", "b"), ok + ":2\r\n", "SET type:string v, RPUSH type:list a b", hint: "Plain SET and RPUSH."),
                x(r("TYPE", "type:list") + r("TYPE", "type:string"), "+list\r\n+string\r\n", "TYPE of a list and of a string",
                  hint: "Each value carries its type: TYPE replies +list or +string."),
            ])
            let hint = "A list command on a key that holds a string (or a string command on a list) replies Redis's exact -WRONGTYPE error, and changes nothing."
            let s = "type:string"
            let l = "type:list"
            let refused: [[String]] = [
                ["LPUSH", s, "a"], ["RPUSH", s, "a"], ["LPUSHX", s, "a"], ["RPUSHX", s, "a"], ["LPOP", s], ["RPOP", s, "2"],
                ["LLEN", s], ["LRANGE", s, "0", "-1"], ["LINDEX", s, "0"], ["LSET", s, "0", "x"], ["LINSERT", s, "BEFORE", "a", "x"],
                ["LREM", s, "0", "a"], ["LTRIM", s, "0", "1"], ["LPOS", s, "a"], ["LMOVE", s, l, "LEFT", "LEFT"],
                ["LMOVE", l, s, "LEFT", "LEFT"], ["RPOPLPUSH", s, l], ["RPOPLPUSH", l, s], ["LMPOP", "1", s, "LEFT"],
                ["BLPOP", s, "1"], ["BRPOP", "type:missing", s, "1"], ["BLMOVE", s, l, "LEFT", "LEFT", "1"], ["BLMOVE", l, s, "RIGHT", "LEFT", "1"],
                ["BRPOPLPUSH", s, l, "1"], ["BLMPOP", "1", "1", s, "LEFT"], ["GET", l],
            ]
            for words in refused {
                try client.roundTrip(RESPValue.request(words.map { b($0) }), expect: b(wrongType), step: words.joined(separator: " "),
                                     hint: words[0].hasPrefix("B") ? hint + " A blocking pop replies it at once, without waiting." : hint)
            }
            try run(client, [
                x(r("GET", s) + r("LRANGE", l, "0", "-1"), bulk("v") + bulks("a", "b"), "GET type:string and LRANGE type:list after the refusals",
                  hint: "A refused command changes nothing: the string is intact, and a refused LMOVE or RPOPLPUSH did not pop from its source."),
                x(r("LMOVE", "type:missing", s, "LEFT", "LEFT"), null, "LMOVE type:missing type:string LEFT LEFT",
                  hint: "A missing source means nothing to move: Redis replies $-1 without looking at the destination's type."),
                x(r("SET", l, "v") + r("TYPE", l), ok + "+string\r\n", "SET type:list v, TYPE type:list", hint: "SET replaces a value of any type."),
            ])
        },

        Scenario(stage: 7, "EXPIRE, TTL and PERSIST work on lists, and a new list has no TTL", chapter: chapter + "#pushing-and-popping") { server, scenario in
            let client = try scenario.connect(server)
            let hint = "The TTL belongs to the key, whatever its type: EXPIRE, TTL and PERSIST work on lists as on strings."
            let chapter = scenario.chapter
            try client.roundTrip(r("RPUSH", "ttl:list", "a") + r("EXPIRE", "ttl:list", "100"), expect: b(":1\r\n:1\r\n"), step: "RPUSH ttl:list a, EXPIRE ttl:list 100", hint: hint)
            try Stage06Scenarios.expectInteger(client, r("TTL", "ttl:list"), in: 99...100, step: "TTL ttl:list", hint: hint, chapter: chapter)
            try client.roundTrip(r("RPUSH", "ttl:list", "b"), expect: b(":2\r\n"), step: "RPUSH ttl:list b", hint: "RPUSH onto the list appends.")
            try Stage06Scenarios.expectInteger(client, r("TTL", "ttl:list"), in: 99...100, step: "TTL ttl:list after another RPUSH",
                                               hint: "Pushing onto a list changes its elements, not its TTL.", chapter: chapter)
            try client.roundTrip(r("PERSIST", "ttl:list") + r("TTL", "ttl:list"), expect: b(":1\r\n:-1\r\n"), step: "PERSIST ttl:list, TTL ttl:list", hint: hint)
            try client.roundTrip(r("EXPIRE", "ttl:list", "100") + r("LPOP", "ttl:list", "2") + r("RPUSH", "ttl:list", "c") + r("TTL", "ttl:list"),
                                 expect: b(":1\r\n" + bulks("a", "b") + ":1\r\n:-1\r\n"), step: "EXPIRE ttl:list 100, pop both elements, RPUSH ttl:list c, TTL",
                                 hint: "The list was deleted when it became empty, TTL and all: the new list has no TTL.")
            try client.roundTrip(r("EXPIRE", "ttl:list", "-1") + r("LRANGE", "ttl:list", "0", "-1") + r("EXISTS", "ttl:list"), expect: b(":1\r\n*0\r\n:0\r\n"),
                                 step: "EXPIRE ttl:list -1, LRANGE, EXISTS", hint: "A time in the past deletes the list at once.")
            try client.roundTrip(r("RPUSH", "ttl:short", "a") + r("PEXPIRE", "ttl:short", "100") + r("RPUSH", "ttl:blocking", "a") + r("PEXPIRE", "ttl:blocking", "100"),
                                 expect: b(":1\r\n:1\r\n:1\r\n:1\r\n"), step: "RPUSH and PEXPIRE 100 of ttl:short and ttl:blocking", hint: hint)
            sleepMilliseconds(150)
            try client.roundTrip(r("LLEN", "ttl:short") + r("LRANGE", "ttl:short", "0", "-1") + r("EXISTS", "ttl:short"), expect: b(":0\r\n*0\r\n:0\r\n"),
                                 step: "LLEN, LRANGE and EXISTS of ttl:short 150 ms later", hint: "Every list command checks the expiry time before reading the key.")
            try client.roundTrip(r("BLPOP", "ttl:blocking", "0.1"), expect: b(nullArray), step: "BLPOP ttl:blocking 0.1 after it expired",
                                 hint: "A blocking pop checks the expiry time too: an expired list is a missing one, so BLPOP waits and times out instead of popping a dead element.")
        },

        Scenario(stage: 7, "in RESP3, a list command's null is _", chapter: chapter + "#pushing-and-popping") { server, scenario in
            let client = try scenario.connect(server)
            let hint = "HELLO 3 must reply with a RESP3 map (%7) and switch the connection to RESP3."
            try client.send(r("HELLO", "3"))
            guard case .map = try client.readReply(step: "HELLO 3", hint: hint) else {
                throw GateFailure(step: "HELLO 3", sent: r("HELLO", "3"), expected: b("%7\r\n..."), hint: hint, chapter: scenario.chapter)
            }
            let null3 = "In RESP3 both of RESP2's nulls, $-1 and *-1, are written _\\r\\n."
            try run(client, [
                x(r("LPOP", "resp3:missing") + r("LPOP", "resp3:missing", "2"), "_\r\n_\r\n", "LPOP resp3:missing, LPOP resp3:missing 2", hint: null3),
                x(r("LINDEX", "resp3:missing", "0") + r("LPOS", "resp3:missing", "a") + r("LMOVE", "resp3:missing", "resp3:other", "LEFT", "LEFT"),
                  "_\r\n_\r\n_\r\n", "LINDEX, LPOS and LMOVE of a missing key", hint: null3),
                x(r("LMPOP", "1", "resp3:missing", "LEFT"), "_\r\n", "LMPOP 1 resp3:missing LEFT", hint: null3),
                x(r("RPUSH", "resp3:list", "a", "b") + r("LPOP", "resp3:list", "1") + r("BLPOP", "resp3:list", "0"), ":2\r\n" + bulks("a") + popped("resp3:list", "b"),
                  "RPUSH, LPOP with a count and BLPOP in RESP3", hint: "Arrays look the same in RESP2 and RESP3."),
            ])
            let start = try sendTimed(client, r("BLPOP", "resp3:missing", "0.1"))
            try expectAfter(client, "_\r\n", timeout: 100, since: start, step: "BLPOP resp3:missing 0.1 in RESP3",
                            hint: "A blocking pop that times out replies the null array, which RESP3 writes _\\r\\n.")
            try client.send(r("HELLO", "2"))
            _ = try client.readReply(step: "HELLO 2", hint: hint)
            try client.roundTrip(r("LPOP", "resp3:missing", "2"), expect: b(nullArray), step: "LPOP resp3:missing 2 after HELLO 2",
                                 hint: "HELLO 2 switches back to RESP2, whose null array is *-1\\r\\n.")
        },

        // MARK: Reading a list

        Scenario.exchanges(stage: 7, "LLEN, LRANGE and LINDEX, with negative indexes and out-of-range ones", chapter: chapter + "#reading-a-list", [
            x(r("RPUSH", "read:list", "a", "b", "c", "d", "e"), ":5\r\n", "RPUSH read:list a b c d e", hint: "RPUSH replies with the length."),
            x(r("LLEN", "read:list") + r("LLEN", "read:missing"), ":5\r\n:0\r\n", "LLEN of the list and of a missing key", hint: "LLEN is 0 for a missing key."),
            x(r("LRANGE", "read:list", "0", "-1"), bulks("a", "b", "c", "d", "e"), "LRANGE read:list 0 -1", hint: "-1 is the last element: 0 -1 is the whole list."),
            x(r("LRANGE", "read:list", "1", "-2"), bulks("b", "c", "d"), "LRANGE read:list 1 -2", hint: "Both ends are inclusive; -2 is the one before last."),
            x(r("LRANGE", "read:list", "-2", "-1"), bulks("d", "e"), "LRANGE read:list -2 -1", hint: "A negative index counts from the end: length + index."),
            x(r("LRANGE", "read:list", "0", "0"), bulks("a"), "LRANGE read:list 0 0", hint: "The stop index is inclusive."),
            x(r("LRANGE", "read:list", "-100", "100"), bulks("a", "b", "c", "d", "e"), "LRANGE read:list -100 100",
              hint: "Out-of-range indexes are clamped to the list, not an error."),
            x(r("LRANGE", "read:list", "-6", "-5"), bulks("a"), "LRANGE read:list -6 -5", hint: "-6 is before the start, so it becomes 0; -5 is a."),
            x(r("LRANGE", "read:list", "4", "100"), bulks("e"), "LRANGE read:list 4 100", hint: "A stop past the end is clamped to the last element."),
            x(r("LRANGE", "read:list", "3", "1") + r("LRANGE", "read:list", "5", "10") + r("LRANGE", "read:list", "-1", "-3") + r("LRANGE", "read:list", "-100", "-6"),
              "*0\r\n*0\r\n*0\r\n*0\r\n", "LRANGE with start after stop, start past the end, and both before the start",
              hint: "An empty range is the empty array *0\\r\\n, not an error."),
            x(r("LRANGE", "read:missing", "0", "-1"), "*0\r\n", "LRANGE of a missing key", hint: "A missing key reads as an empty list: *0\\r\\n."),
            x(r("LRANGE", "read:list", "a", "b"), notInteger, "LRANGE read:list a b", hint: "Indexes must be integers: -ERR value is not an integer or out of range."),
            x(r("LINDEX", "read:list", "0") + r("LINDEX", "read:list", "-1") + r("LINDEX", "read:list", "2"), bulk("a") + bulk("e") + bulk("c"),
              "LINDEX read:list 0, -1 and 2", hint: "LINDEX replies with one element, as a bulk string; -1 is the last."),
            x(r("LINDEX", "read:list", "5") + r("LINDEX", "read:list", "-6") + r("LINDEX", "read:missing", "0"), null + null + null,
              "LINDEX out of range, and of a missing key", hint: "No element there: the null bulk string $-1\\r\\n, not an error."),
            x(r("LINDEX", "read:list", "x"), notInteger, "LINDEX read:list x", hint: "The index must be an integer."),
        ]),

        Scenario.exchanges(stage: 7, "LPOS finds elements, with RANK, COUNT and MAXLEN", chapter: chapter + "#reading-a-list", [
            x(r("RPUSH", "lpos:list", "a", "b", "c", "1", "2", "3", "c", "c"), ":8\r\n", "RPUSH lpos:list a b c 1 2 3 c c", hint: "RPUSH replies with the length."),
            x(r("LPOS", "lpos:list", "c"), ":2\r\n", "LPOS lpos:list c", hint: "LPOS replies with the index of the first match."),
            x(r("LPOS", "lpos:list", "c", "RANK", "2") + r("LPOS", "lpos:list", "c", "RANK", "-1") + r("LPOS", "lpos:list", "c", "RANK", "-3"), ":6\r\n:7\r\n:2\r\n",
              "LPOS with RANK 2, -1 and -3", hint: "RANK n skips to the nth match; a negative rank counts matches from the tail, but the index is still from the head."),
            x(r("LPOS", "lpos:list", "c", "RANK", "4") + r("LPOS", "lpos:list", "zz"), null + null, "LPOS with RANK 4 (3 matches), and of an absent element",
              hint: "No such match: the null bulk string $-1\\r\\n."),
            x(r("LPOS", "lpos:list", "c", "COUNT", "2"), integers(2, 6), "LPOS lpos:list c COUNT 2", hint: "With COUNT the reply is an array of up to COUNT indexes."),
            x(r("LPOS", "lpos:list", "c", "COUNT", "0"), integers(2, 6, 7), "LPOS lpos:list c COUNT 0", hint: "COUNT 0 means every match."),
            x(r("LPOS", "lpos:list", "c", "COUNT", "0", "RANK", "-1"), integers(7, 6, 2), "LPOS lpos:list c COUNT 0 RANK -1",
              hint: "With a negative rank the matches are found from the tail, so they come last first."),
            x(r("LPOS", "lpos:list", "zz", "COUNT", "0") + r("LPOS", "lpos:missing", "c", "COUNT", "1"), "*0\r\n*0\r\n", "LPOS with COUNT and no match, and of a missing key",
              hint: "With COUNT, no match is the empty array *0\\r\\n, not a null."),
            x(r("LPOS", "lpos:missing", "c"), null, "LPOS of a missing key", hint: "Without COUNT, no match is $-1\\r\\n."),
            x(r("LPOS", "lpos:list", "c", "MAXLEN", "2") + r("LPOS", "lpos:list", "c", "MAXLEN", "3"), null + ":2\r\n", "LPOS with MAXLEN 2 and MAXLEN 3",
              hint: "MAXLEN compares only the first MAXLEN elements (from the tail with a negative rank)."),
            x(r("LPOS", "lpos:list", "c", "COUNT", "0", "MAXLEN", "7") + r("LPOS", "lpos:list", "c", "RANK", "-1", "COUNT", "0", "MAXLEN", "2"),
              integers(2, 6) + integers(7, 6), "LPOS with COUNT 0 and MAXLEN, from the head and from the tail", hint: "Options combine, in any order."),
            x(r("LPOS", "lpos:list", "c", "MAXLEN", "0") + r("LPOS", "lpos:list", "c", "rank", "2", "count", "1"), ":2\r\n" + integers(6),
              "LPOS with MAXLEN 0, and lowercase options", hint: "MAXLEN 0 means no limit; option names ignore case."),
            x(r("LPOS", "lpos:list", "c", "RANK", "0"),
              "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n",
              "LPOS with RANK 0", hint: "Redis's exact text for RANK 0."),
            x(r("LPOS", "lpos:list", "c", "COUNT", "-1"), "-ERR COUNT can't be negative\r\n", "LPOS with COUNT -1", hint: "Redis's exact text: -ERR COUNT can't be negative."),
            x(r("LPOS", "lpos:list", "c", "COUNT", "x"), "-ERR COUNT can't be negative\r\n", "LPOS with COUNT x",
              hint: "Redis uses the same text for a COUNT that is not a number."),
            x(r("LPOS", "lpos:list", "c", "MAXLEN", "-1"), "-ERR MAXLEN can't be negative\r\n", "LPOS with MAXLEN -1", hint: "Redis's exact text: -ERR MAXLEN can't be negative."),
            x(r("LPOS", "lpos:list", "c", "RANK", "x"), notInteger, "LPOS with RANK x", hint: "RANK must be an integer: -ERR value is not an integer or out of range."),
            x(r("LPOS", "lpos:list", "c", "FOO", "1") + r("LPOS", "lpos:list", "c", "RANK"), syntaxError + syntaxError,
              "LPOS with an unknown option, and with RANK and no number", hint: "Unknown options, and options missing their value, are syntax errors."),
            x(r("LPOS", "lpos:list"), "-ERR wrong number of arguments for 'lpos' command\r\n", "LPOS with no element", hint: arity),
        ]),

        // MARK: Editing a list

        Scenario.exchanges(stage: 7, "LSET and LINSERT", chapter: chapter + "#editing-a-list", [
            x(r("RPUSH", "edit:list", "a", "b", "c", "b", "a"), ":5\r\n", "RPUSH edit:list a b c b a", hint: "RPUSH replies with the length."),
            x(r("LSET", "edit:list", "0", "A") + r("LSET", "edit:list", "-1", "E"), ok + ok, "LSET edit:list 0 A, LSET edit:list -1 E",
              hint: "LSET replaces the element at an index (negative from the end) and replies +OK."),
            x(r("LRANGE", "edit:list", "0", "-1"), bulks("A", "b", "c", "b", "E"), "LRANGE after the LSETs", hint: "LSET changes one element in place."),
            x(r("LSET", "edit:missing", "0", "x"), "-ERR no such key\r\n", "LSET of a missing key", hint: "Redis's exact text: -ERR no such key."),
            x(r("LSET", "edit:list", "5", "x") + r("LSET", "edit:list", "-6", "x"), "-ERR index out of range\r\n-ERR index out of range\r\n",
              "LSET edit:list 5 and -6", hint: "Redis's exact text: -ERR index out of range (LSET does not clamp)."),
            x(r("LSET", "edit:list", "x", "y"), notInteger, "LSET edit:list x y", hint: "The index must be an integer."),
            x(r("LINSERT", "edit:list", "BEFORE", "b", "X"), ":6\r\n", "LINSERT edit:list BEFORE b X",
              hint: "LINSERT inserts next to the first match of the pivot and replies with the new length."),
            x(r("LINSERT", "edit:list", "after", "b", "Y"), ":7\r\n", "LINSERT edit:list after b Y", hint: "BEFORE and AFTER ignore case."),
            x(r("LRANGE", "edit:list", "0", "-1"), bulks("A", "X", "b", "Y", "c", "b", "E"), "LRANGE after the LINSERTs",
              hint: "Only the first b is a pivot: X before it, Y after it."),
            x(r("LINSERT", "edit:list", "BEFORE", "zz", "X"), ":-1\r\n", "LINSERT with a pivot that is not in the list", hint: "No pivot: reply :-1 and insert nothing."),
            x(r("LINSERT", "edit:missing", "BEFORE", "a", "X") + r("EXISTS", "edit:missing"), ":0\r\n:0\r\n", "LINSERT of a missing key, then EXISTS",
              hint: "A missing key: reply :0 and create nothing."),
            x(r("LINSERT", "edit:list", "MIDDLE", "b", "X"), syntaxError, "LINSERT edit:list MIDDLE b X", hint: "The position is BEFORE or AFTER; anything else is a syntax error."),
            x(r("LINSERT", "edit:list", "BEFORE", "b"), "-ERR wrong number of arguments for 'linsert' command\r\n", "LINSERT with no element", hint: arity),
        ]),

        Scenario.exchanges(stage: 7, "LREM removes by count, LTRIM keeps a range", chapter: chapter + "#editing-a-list", [
            x(r("RPUSH", "lrem:list", "a", "b", "a", "c", "a", "b", "a"), ":7\r\n", "RPUSH lrem:list a b a c a b a", hint: "RPUSH replies with the length."),
            x(r("LREM", "lrem:list", "2", "a") + r("LRANGE", "lrem:list", "0", "-1"), ":2\r\n" + bulks("b", "c", "a", "b", "a"), "LREM lrem:list 2 a",
              hint: "A positive count removes that many matches, from the head; the reply is how many were removed."),
            x(r("LREM", "lrem:list", "-1", "b") + r("LRANGE", "lrem:list", "0", "-1"), ":1\r\n" + bulks("b", "c", "a", "a"), "LREM lrem:list -1 b",
              hint: "A negative count removes matches from the tail: the last b goes."),
            x(r("LREM", "lrem:list", "0", "a") + r("LRANGE", "lrem:list", "0", "-1"), ":2\r\n" + bulks("b", "c"), "LREM lrem:list 0 a", hint: "Count 0 removes every match."),
            x(r("LREM", "lrem:list", "0", "zz") + r("LREM", "lrem:missing", "0", "a"), ":0\r\n:0\r\n", "LREM of an absent element and of a missing key",
              hint: "Nothing removed: :0."),
            x(r("LREM", "lrem:list", "x", "a"), notInteger, "LREM lrem:list x a", hint: "The count must be an integer."),
            x(r("RPUSH", "ltrim:list", "0", "1", "2", "3", "4", "5", "6") + r("LTRIM", "ltrim:list", "1", "-2") + r("LRANGE", "ltrim:list", "0", "-1"),
              ":7\r\n" + ok + bulks("1", "2", "3", "4", "5"), "LTRIM ltrim:list 1 -2", hint: "LTRIM keeps the range, as LRANGE reads it, and deletes the rest."),
            x(r("LTRIM", "ltrim:list", "-3", "100") + r("LRANGE", "ltrim:list", "0", "-1"), ok + bulks("3", "4", "5"), "LTRIM ltrim:list -3 100",
              hint: "The indexes are clamped as LRANGE's are."),
            x(r("LTRIM", "ltrim:missing", "0", "1") + r("EXISTS", "ltrim:missing"), ok + ":0\r\n", "LTRIM of a missing key", hint: "LTRIM of a missing key is +OK and creates nothing."),
            x(r("LTRIM", "ltrim:list", "a", "b"), notInteger, "LTRIM ltrim:list a b", hint: "The indexes must be integers."),
            x(r("LTRIM", "ltrim:list", "2", "1") + r("EXISTS", "ltrim:list"), ok + ":0\r\n", "LTRIM ltrim:list 2 1 (an empty range)",
              hint: "Keeping an empty range deletes the list."),
        ]),

        // MARK: Moving between lists

        Scenario.exchanges(stage: 7, "LMOVE and RPOPLPUSH, in every direction and onto the same list", chapter: chapter + "#moving-between-lists", [
            x(r("RPUSH", "move:src", "a", "b", "c"), ":3\r\n", "RPUSH move:src a b c", hint: "RPUSH replies with the length."),
            x(r("LMOVE", "move:src", "move:dst", "LEFT", "RIGHT") + r("LMOVE", "move:src", "move:dst", "RIGHT", "LEFT"), bulk("a") + bulk("c"),
              "LMOVE move:src move:dst LEFT RIGHT, then RIGHT LEFT", hint: "LMOVE pops from the source's first end, pushes onto the destination's second, and replies with the element."),
            x(r("LRANGE", "move:src", "0", "-1") + r("LRANGE", "move:dst", "0", "-1"), bulks("b") + bulks("c", "a"), "LRANGE of source and destination",
              hint: "a went to the tail of move:dst, then c to its head."),
            x(r("LMOVE", "move:src", "move:dst", "left", "left") + r("EXISTS", "move:src"), bulk("b") + ":0\r\n", "LMOVE move:src move:dst left left, EXISTS move:src",
              hint: "LEFT and RIGHT ignore case; the emptied source is deleted."),
            x(r("RPUSH", "move:src", "d") + r("LMOVE", "move:src", "move:dst", "RIGHT", "RIGHT") + r("LRANGE", "move:dst", "0", "-1"),
              ":1\r\n" + bulk("d") + bulks("b", "c", "a", "d"), "LMOVE ... RIGHT RIGHT", hint: "RIGHT RIGHT moves the source's tail to the destination's tail."),
            x(r("LMOVE", "move:src", "move:dst", "LEFT", "LEFT"), null, "LMOVE of a missing source", hint: "Nothing to move: the null bulk string $-1\\r\\n."),
            x(r("RPUSH", "move:ring", "1", "2", "3") + r("LMOVE", "move:ring", "move:ring", "LEFT", "RIGHT") + r("LRANGE", "move:ring", "0", "-1"),
              ":3\r\n" + bulk("1") + bulks("2", "3", "1"), "LMOVE move:ring move:ring LEFT RIGHT", hint: "Source and destination may be the same list: LEFT RIGHT rotates it."),
            x(r("LMOVE", "move:ring", "move:ring", "RIGHT", "LEFT") + r("LRANGE", "move:ring", "0", "-1"), bulk("1") + bulks("1", "2", "3"),
              "LMOVE move:ring move:ring RIGHT LEFT", hint: "RIGHT LEFT rotates the other way."),
            x(r("LMOVE", "move:ring", "move:ring", "LEFT", "LEFT") + r("LRANGE", "move:ring", "0", "-1"), bulk("1") + bulks("1", "2", "3"),
              "LMOVE move:ring move:ring LEFT LEFT", hint: "LEFT LEFT onto the same list puts the element back where it was."),
            x(r("RPUSH", "move:one", "x") + r("LMOVE", "move:one", "move:one", "LEFT", "RIGHT") + r("LRANGE", "move:one", "0", "-1"),
              ":1\r\n" + bulk("x") + bulks("x"), "LMOVE of a one-element list onto itself",
              hint: "Popping its only element must not delete the list before the push: it still holds x."),
            x(r("RPOPLPUSH", "move:ring", "move:other") + r("LRANGE", "move:other", "0", "-1"), bulk("3") + bulks("3"), "RPOPLPUSH move:ring move:other",
              hint: "RPOPLPUSH is LMOVE source destination RIGHT LEFT."),
            x(r("RPOPLPUSH", "move:ring", "move:ring") + r("LRANGE", "move:ring", "0", "-1"), bulk("2") + bulks("2", "1"), "RPOPLPUSH move:ring move:ring",
              hint: "Onto the same list, RPOPLPUSH rotates the tail to the head."),
            x(r("RPOPLPUSH", "move:missing", "move:other"), null, "RPOPLPUSH of a missing source", hint: "Nothing to move: $-1\\r\\n."),
            x(r("LMOVE", "move:ring", "move:dst", "UP", "LEFT"), syntaxError, "LMOVE with direction UP", hint: "The directions are LEFT or RIGHT; anything else is a syntax error."),
            x(r("LMOVE", "move:ring", "move:dst", "LEFT"), "-ERR wrong number of arguments for 'lmove' command\r\n", "LMOVE with one direction", hint: arity),
            x(r("RPOPLPUSH", "move:ring"), "-ERR wrong number of arguments for 'rpoplpush' command\r\n", "RPOPLPUSH with one key", hint: arity),
        ]),

        Scenario.exchanges(stage: 7, "wrong number of arguments", chapter: chapter + "#what-the-gate-sends", [
            x(r("LPUSH"), "-ERR wrong number of arguments for 'lpush' command\r\n", "LPUSH with no key", hint: arity),
            x(r("LPUSH", "arity:list"), "-ERR wrong number of arguments for 'lpush' command\r\n", "LPUSH with no element", hint: arity),
            x(r("RPUSH", "arity:list"), "-ERR wrong number of arguments for 'rpush' command\r\n", "RPUSH with no element", hint: arity),
            x(r("LPUSHX", "arity:list"), "-ERR wrong number of arguments for 'lpushx' command\r\n", "LPUSHX with no element", hint: arity),
            x(r("RPUSHX"), "-ERR wrong number of arguments for 'rpushx' command\r\n", "RPUSHX with no key", hint: arity),
            x(r("LPOP"), "-ERR wrong number of arguments for 'lpop' command\r\n", "LPOP with no key", hint: arity),
            x(r("RPOP", "arity:list", "1", "2"), "-ERR wrong number of arguments for 'rpop' command\r\n", "RPOP with two counts", hint: arity),
            x(r("LLEN", "a", "b"), "-ERR wrong number of arguments for 'llen' command\r\n", "LLEN with two keys", hint: arity),
            x(r("LRANGE", "arity:list", "0"), "-ERR wrong number of arguments for 'lrange' command\r\n", "LRANGE with one index", hint: arity),
            x(r("LINDEX", "arity:list"), "-ERR wrong number of arguments for 'lindex' command\r\n", "LINDEX with no index", hint: arity),
            x(r("LSET", "arity:list", "0"), "-ERR wrong number of arguments for 'lset' command\r\n", "LSET with no element", hint: arity),
            x(r("LREM", "arity:list", "0"), "-ERR wrong number of arguments for 'lrem' command\r\n", "LREM with no element", hint: arity),
            x(r("LTRIM", "arity:list", "0"), "-ERR wrong number of arguments for 'ltrim' command\r\n", "LTRIM with one index", hint: arity),
            x(r("BLPOP", "arity:list"), "-ERR wrong number of arguments for 'blpop' command\r\n", "BLPOP with no timeout", hint: arity),
            x(r("BRPOP"), "-ERR wrong number of arguments for 'brpop' command\r\n", "BRPOP with no key", hint: arity),
            x(r("BLMOVE", "a", "b", "LEFT", "LEFT"), "-ERR wrong number of arguments for 'blmove' command\r\n", "BLMOVE with no timeout", hint: arity),
            x(r("BRPOPLPUSH", "a", "b"), "-ERR wrong number of arguments for 'brpoplpush' command\r\n", "BRPOPLPUSH with no timeout", hint: arity),
            x(r("BLMPOP", "0", "1", "a"), "-ERR wrong number of arguments for 'blmpop' command\r\n", "BLMPOP with no direction", hint: arity),
            x(r("PING"), "+PONG\r\n", "PING after the errors", hint: "Command errors leave the connection open."),
        ]),

        // MARK: Blocking pops

        Scenario.exchanges(stage: 7, "blocking pops answer at once when a list has data", chapter: chapter + "#blocking-pops", [
            x(r("RPUSH", "now:c", "x", "y", "z"), ":3\r\n", "RPUSH now:c x y z", hint: "RPUSH replies with the length."),
            x(r("BLPOP", "now:a", "now:b", "now:c", "1"), popped("now:c", "x"), "BLPOP now:a now:b now:c 1 (only now:c has data)",
              hint: "When a key already holds a list, BLPOP pops at once, as LPOP would, and replies *2 [key, element]."),
            x(r("BRPOP", "now:a", "now:b", "now:c", "1"), popped("now:c", "z"), "BRPOP now:a now:b now:c 1", hint: "BRPOP pops from the tail."),
            x(r("RPUSH", "now:a", "1") + r("BLPOP", "now:c", "now:a", "0"), ":1\r\n" + popped("now:c", "y"), "RPUSH now:a 1, then BLPOP now:c now:a 0 (both have data)",
              hint: "When several keys hold lists, the first in argument order wins, whatever the timeout."),
            x(r("BLPOP", "now:c", "now:a", "0") + r("EXISTS", "now:a", "now:c"), popped("now:a", "1") + ":0\r\n", "BLPOP now:c now:a 0 (now:c is gone), EXISTS",
              hint: "now:c was deleted when it became empty, so now:a is the first key with data; a blocking pop deletes the list it empties too."),
            x(r("RPUSH", "now:src", "m", "n") + r("BLMOVE", "now:src", "now:dst", "LEFT", "RIGHT", "0") + r("BRPOPLPUSH", "now:src", "now:dst", "0"),
              ":2\r\n" + bulk("m") + bulk("n"), "BLMOVE and BRPOPLPUSH with data", hint: "With data there, BLMOVE and BRPOPLPUSH move at once and reply as LMOVE does: the element."),
            x(r("LRANGE", "now:dst", "0", "-1") + r("EXISTS", "now:src"), bulks("n", "m") + ":0\r\n", "LRANGE now:dst 0 -1, EXISTS now:src",
              hint: "BLMOVE ... LEFT RIGHT put m at the tail of now:dst, BRPOPLPUSH pushed n onto its head; the emptied source was deleted."),
            x(r("RPUSH", "now:m", "1", "2", "3") + r("BLMPOP", "0", "3", "now:a", "now:m", "now:c", "RIGHT", "COUNT", "2"), ":3\r\n" + mpopped("now:m", "3", "2"),
              "BLMPOP 0 3 now:a now:m now:c RIGHT COUNT 2", hint: "BLMPOP takes its timeout first, then LMPOP's arguments, and replies as LMPOP: [key, [elements]]."),
            x(r("BLMPOP", "0.1", "1", "now:m", "LEFT"), mpopped("now:m", "1"), "BLMPOP 0.1 1 now:m LEFT", hint: "Without COUNT, BLMPOP pops one element, still in an array."),
        ]),

        Scenario.exchanges(stage: 7, "blocking pops check their timeout and arguments", chapter: chapter + "#timeouts", [
            x(r("BLPOP", "err:list", "-1"), timeoutNegative, "BLPOP err:list -1", hint: "Redis's exact text: -ERR timeout is negative."),
            x(r("BLPOP", "err:list", "-0.1"), timeoutNegative, "BLPOP err:list -0.1", hint: "The timeout is in seconds, with decimals: -0.1 is negative too."),
            x(r("BLPOP", "err:list", "abc"), timeoutNotFloat, "BLPOP err:list abc", hint: "Redis's exact text: -ERR timeout is not a float or out of range."),
            x(r("BLPOP", "err:list", "0.1x"), timeoutNotFloat, "BLPOP err:list 0.1x", hint: "The whole argument must be a number."),
            x(r("BRPOP", "err:list", "-1") + r("BRPOP", "err:list", "x"), timeoutNegative + timeoutNotFloat, "BRPOP with timeouts -1 and x",
              hint: "Every blocking pop checks its timeout the same way."),
            x(r("BLMOVE", "err:src", "err:dst", "LEFT", "RIGHT", "-1") + r("BLMOVE", "err:src", "err:dst", "LEFT", "RIGHT", "x"), timeoutNegative + timeoutNotFloat,
              "BLMOVE with timeouts -1 and x", hint: "Every blocking pop checks its timeout the same way."),
            x(r("BLMOVE", "err:src", "err:dst", "UP", "LEFT", "1"), syntaxError, "BLMOVE with direction UP", hint: "As LMOVE: LEFT or RIGHT, else a syntax error."),
            x(r("BRPOPLPUSH", "err:src", "err:dst", "-1") + r("BRPOPLPUSH", "err:src", "err:dst", "x"), timeoutNegative + timeoutNotFloat,
              "BRPOPLPUSH with timeouts -1 and x", hint: "Every blocking pop checks its timeout the same way."),
            x(r("BLMPOP", "-1", "1", "err:list", "LEFT") + r("BLMPOP", "x", "1", "err:list", "LEFT"), timeoutNegative + timeoutNotFloat,
              "BLMPOP with timeouts -1 and x", hint: "BLMPOP's timeout is its first argument, checked as the others' are."),
            x(r("BLMPOP", "0", "0", "err:list", "LEFT") + r("BLMPOP", "0", "2", "err:list", "LEFT") + r("BLMPOP", "0", "1", "err:list", "MIDDLE"),
              numkeys + syntaxError + syntaxError, "BLMPOP with numkeys 0, too few keys, and direction MIDDLE", hint: "BLMPOP checks numkeys and the direction as LMPOP does."),
            x(r("BLMPOP", "0", "1", "err:list", "LEFT", "COUNT", "0"), countNotPositive, "BLMPOP ... COUNT 0", hint: "As LMPOP: -ERR count should be greater than 0."),
            x(r("BLMPOP", "-1", "0", "err:list", "LEFT"), numkeys, "BLMPOP -1 0 err:list LEFT (two bad arguments)",
              hint: "Redis reads LMPOP's arguments before BLMPOP's timeout, so numkeys is the one reported."),
            x(r("SET", "err:string", "v") + r("BLPOP", "err:string", "-1"), ok + timeoutNegative, "BLPOP of a string key with timeout -1",
              hint: "The timeout is checked before any key is looked up: the bad timeout, not WRONGTYPE."),
            x(r("PING"), "+PONG\r\n", "PING after the errors", hint: "A refused blocking pop must not block the client."),
        ]),

        Scenario(stage: 7, "a push wakes a blocked client, once the whole push is done", chapter: chapter + "#blocking-pops") { server, scenario in
            let waiter = try scenario.connect(server)
            let pusher = try scenario.connect(server)
            try waiter.send(r("BLPOP", "wake:list", "0"))
            try expectBlocked(waiter, "BLPOP wake:list 0")
            try pusher.roundTrip(r("RPUSH", "wake:list", "x"), expect: b(":1\r\n"), step: "another client: RPUSH wake:list x",
                                 hint: "RPUSH replies with the length right after its push, before the waiting client takes the element.")
            try waiter.expect(b(popped("wake:list", "x")), step: "the blocked BLPOP is woken with [wake:list, x]",
                              hint: "A push onto a key that a client waits for must wake that client: reply *2 [key, element].")
            try pusher.roundTrip(r("LLEN", "wake:list") + r("EXISTS", "wake:list"), expect: b(":0\r\n:0\r\n"), step: "the pusher: LLEN and EXISTS wake:list",
                                 hint: "The element went to the waiting client, and the emptied list was deleted.")

            try waiter.send(r("BLPOP", "wake:head", "0"))
            try expectBlocked(waiter, "BLPOP wake:head 0")
            try pusher.roundTrip(r("LPUSH", "wake:head", "a", "b", "c"), expect: b(":3\r\n"), step: "another client: LPUSH wake:head a b c", hint: "LPUSH replies with the length.")
            try waiter.expect(b(popped("wake:head", "c")), step: "the blocked BLPOP gets c",
                              hint: "The waiter is served after the whole LPUSH, when the head is c; not after its first element.")
            try pusher.roundTrip(r("LRANGE", "wake:head", "0", "-1"), expect: b(bulks("b", "a")), step: "LRANGE wake:head 0 -1", hint: "One element went to the waiter.")

            try waiter.send(r("BRPOP", "wake:tail", "0"))
            try expectBlocked(waiter, "BRPOP wake:tail 0")
            try pusher.roundTrip(r("RPUSH", "wake:tail", "a", "b", "c"), expect: b(":3\r\n"), step: "another client: RPUSH wake:tail a b c", hint: "RPUSH replies with the length.")
            try waiter.expect(b(popped("wake:tail", "c")), step: "the blocked BRPOP gets c", hint: "BRPOP pops the tail, once the whole RPUSH is done.")
            try pusher.roundTrip(r("LRANGE", "wake:tail", "0", "-1"), expect: b(bulks("a", "b")), step: "LRANGE wake:tail 0 -1", hint: "One element went to the waiter.")

            try waiter.send(r("BLMPOP", "0", "2", "wake:m1", "wake:m2", "LEFT", "COUNT", "2"))
            try expectBlocked(waiter, "BLMPOP 0 2 wake:m1 wake:m2 LEFT COUNT 2")
            try pusher.roundTrip(r("RPUSH", "wake:m2", "x", "y", "z"), expect: b(":3\r\n"), step: "another client: RPUSH wake:m2 x y z", hint: "RPUSH replies with the length.")
            try waiter.expect(b(mpopped("wake:m2", "x", "y")), step: "the blocked BLMPOP gets [wake:m2, [x, y]]",
                              hint: "A woken BLMPOP pops up to COUNT elements and replies as LMPOP: [key, [elements]].")
            try pusher.roundTrip(r("LRANGE", "wake:m2", "0", "-1"), expect: b(bulks("z")), step: "LRANGE wake:m2 0 -1", hint: "COUNT 2 took two of the three.")

            try waiter.send(r("BLPOP", "wake:to", "0"))
            try expectBlocked(waiter, "BLPOP wake:to 0")
            try pusher.roundTrip(r("RPUSH", "wake:from", "e") + r("LMOVE", "wake:from", "wake:to", "LEFT", "LEFT"), expect: b(":1\r\n" + bulk("e")),
                                 step: "another client: RPUSH wake:from e, LMOVE wake:from wake:to LEFT LEFT", hint: "LMOVE replies with the element.")
            try waiter.expect(b(popped("wake:to", "e")), step: "the blocked BLPOP gets the element LMOVE pushed",
                              hint: "Every command that pushes onto a list wakes its waiters, LMOVE included, not only LPUSH and RPUSH.")

            try waiter.send(r("BLPOP", "wake:typed", "0"))
            try expectBlocked(waiter, "BLPOP wake:typed 0")
            try pusher.roundTrip(r("SET", "wake:typed", "v"), expect: b(ok), step: "another client: SET wake:typed v", hint: "SET replies +OK.")
            try waiter.expectNothingMore(step: "BLPOP wake:typed still waits after the SET",
                                         hint: "A string is not a list: the waiter keeps waiting (no reply, no WRONGTYPE).", milliseconds: 100)
            try pusher.roundTrip(r("DEL", "wake:typed") + r("RPUSH", "wake:typed", "x"), expect: b(":1\r\n:1\r\n"), step: "another client: DEL wake:typed, RPUSH wake:typed x",
                                 hint: "DEL and RPUSH reply with integers.")
            try waiter.expect(b(popped("wake:typed", "x")), step: "the blocked BLPOP gets x once wake:typed is a list",
                              hint: "The waiter still waits for wake:typed, and is served by the first push onto it.")
        },

        Scenario(stage: 7, "a client blocked on several keys is served by the first key pushed to", chapter: chapter + "#blocking-pops") { server, scenario in
            let waiter = try scenario.connect(server)
            let pusher = try scenario.connect(server)
            try waiter.send(r("BLPOP", "keys:a", "keys:b", "0"))
            try expectBlocked(waiter, "BLPOP keys:a keys:b 0")
            try pusher.roundTrip(r("RPUSH", "keys:b", "x"), expect: b(":1\r\n"), step: "another client: RPUSH keys:b x", hint: "RPUSH replies with the length.")
            try waiter.expect(b(popped("keys:b", "x")), step: "the blocked BLPOP gets [keys:b, x]",
                              hint: "A client blocked on several keys waits on each of them, and the reply names the key it was served from.")

            try waiter.send(r("BLPOP", "keys:a", "keys:b", "0"))
            try expectBlocked(waiter, "BLPOP keys:a keys:b 0")
            try pusher.roundTrip(r("RPUSH", "keys:b", "1") + r("RPUSH", "keys:a", "2"), expect: b(":1\r\n:1\r\n"),
                                 step: "another client, in one write: RPUSH keys:b 1, RPUSH keys:a 2", hint: "RPUSH replies with the length.")
            try waiter.expect(b(popped("keys:b", "1")), step: "the blocked BLPOP gets [keys:b, 1], not keys:a",
                              hint: "Serve waiters after each command, as Redis does: right after RPUSH keys:b, before RPUSH keys:a runs. Argument order only decides among keys that already hold data.")
            try pusher.roundTrip(r("LRANGE", "keys:a", "0", "-1"), expect: b(bulks("2")), step: "LRANGE keys:a 0 -1", hint: "Nobody waits for keys:a any more.")

            try waiter.send(r("BLPOP", "keys:c", "keys:d", "0"))
            try expectBlocked(waiter, "BLPOP keys:c keys:d 0")
            try pusher.roundTrip(r("RPUSH", "keys:d", "1"), expect: b(":1\r\n"), step: "another client: RPUSH keys:d 1", hint: "RPUSH replies with the length.")
            try waiter.expect(b(popped("keys:d", "1")), step: "the blocked BLPOP gets [keys:d, 1]", hint: "The client is served by the key that got data.")
            try pusher.roundTrip(r("RPUSH", "keys:c", "2") + r("LLEN", "keys:c"), expect: b(":1\r\n:1\r\n"), step: "then RPUSH keys:c 2, LLEN keys:c",
                                 hint: "A served client stops waiting on all its keys: nobody may pop keys:c for it.")
            try waiter.expectNothingMore(step: "no second reply for the served BLPOP",
                                         hint: "Remove a served client from the queue of every key it waited on.")
        },

        Scenario(stage: 7, "a blocked client's pipelined commands wait their turn", chapter: chapter + "#blocking-pops") { server, scenario in
            let waiter = try scenario.connect(server)
            let other = try scenario.connect(server)
            try waiter.send(r("BLPOP", "pipe:list", "0") + r("PING"))
            try waiter.expectNothingMore(step: "BLPOP pipe:list 0 and PING in one write: no reply yet",
                                         hint: "A blocked client's next commands wait until it is served: not even the PING is answered, and timeout 0 never times out.",
                                         milliseconds: 200)
            try other.roundTrip(r("PING"), expect: b("+PONG\r\n"), step: "another client: PING while one is blocked",
                                hint: "A blocked client blocks only itself: the server goes on serving the others.")
            try other.roundTrip(r("RPUSH", "pipe:list", "x"), expect: b(":1\r\n"), step: "another client: RPUSH pipe:list x", hint: "RPUSH replies with the length.")
            try waiter.expect(b(popped("pipe:list", "x") + "+PONG\r\n"), step: "the BLPOP's reply, then the PING's",
                              hint: "Once served, the client's pipelined commands run, and their replies follow in order.")
        },

        Scenario(stage: 7, "BLMOVE and BRPOPLPUSH wait, then move atomically", chapter: chapter + "#moving-between-lists") { server, scenario in
            let waiter = try scenario.connect(server)
            let second = try scenario.connect(server)
            let pusher = try scenario.connect(server)
            try waiter.send(r("BLMOVE", "bmove:src", "bmove:dst", "LEFT", "RIGHT", "1"))
            try expectBlocked(waiter, "BLMOVE bmove:src bmove:dst LEFT RIGHT 1")
            try pusher.roundTrip(r("RPUSH", "bmove:src", "e") + r("LLEN", "bmove:src") + r("LRANGE", "bmove:dst", "0", "-1"), expect: b(":1\r\n:0\r\n" + bulks("e")),
                                 step: "another client, in one write: RPUSH bmove:src e, LLEN bmove:src, LRANGE bmove:dst 0 -1",
                                 hint: "The push replies :1, its length; the waiter's move is done before the pusher's next command, so the source is empty and the destination holds e.")
            try waiter.expect(b(bulk("e")), step: "the blocked BLMOVE replies e",
                              hint: "A woken BLMOVE replies as LMOVE does: the element as a bulk string, not [key, element].")

            try waiter.send(r("BRPOPLPUSH", "bmove:s2", "bmove:d2", "0"))
            try expectBlocked(waiter, "BRPOPLPUSH bmove:s2 bmove:d2 0")
            try pusher.roundTrip(r("LPUSH", "bmove:s2", "a", "b"), expect: b(":2\r\n"), step: "another client: LPUSH bmove:s2 a b", hint: "LPUSH replies with the length.")
            try waiter.expect(b(bulk("a")), step: "the blocked BRPOPLPUSH replies a", hint: "BRPOPLPUSH pops the source's tail: after LPUSH a b the list is b a.")
            try pusher.roundTrip(r("LRANGE", "bmove:s2", "0", "-1") + r("LRANGE", "bmove:d2", "0", "-1"), expect: b(bulks("b") + bulks("a")),
                                 step: "LRANGE of source and destination", hint: "The element moved from one list to the other.")

            try waiter.send(r("BLMOVE", "bmove:s3", "bmove:d3", "LEFT", "RIGHT", "0"))
            try expectBlocked(waiter, "BLMOVE bmove:s3 bmove:d3 LEFT RIGHT 0")
            try second.send(r("BLPOP", "bmove:d3", "0"))
            try expectBlocked(second, "a second client: BLPOP bmove:d3 0")
            try pusher.roundTrip(r("RPUSH", "bmove:s3", "e"), expect: b(":1\r\n"), step: "another client: RPUSH bmove:s3 e", hint: "RPUSH replies with the length.")
            try waiter.expect(b(bulk("e")), step: "the BLMOVE replies e", hint: "The push onto bmove:s3 wakes the BLMOVE.")
            try second.expect(b(popped("bmove:d3", "e")), step: "the BLPOP on bmove:d3 gets the element the BLMOVE pushed",
                              hint: "The BLMOVE's push onto bmove:d3 wakes the client waiting there, as any push does.")
            try pusher.roundTrip(r("EXISTS", "bmove:s3", "bmove:d3"), expect: b(":0\r\n"), step: "EXISTS bmove:s3 bmove:d3", hint: "Both lists were emptied, and deleted.")
        },

        // MARK: Timeouts

        Scenario(stage: 7, "timeouts reply *-1, neither early nor late", chapter: chapter + "#timeouts") { server, scenario in
            // Five clients block at once, with five deadlines 100 ms apart:
            // each must time out on its own deadline.
            let waits: [(request: [UInt8], words: String, timeout: Int64, reply: String, hint: String)] = [
                (r("BLPOP", "late:a", "0.1") + r("PING"), "BLPOP late:a 0.1, then PING", 100, nullArray + "+PONG\r\n",
                 "When the timeout (in seconds) passes, reply the null array *-1\\r\\n; then the client's next command runs."),
                (r("BRPOP", "late:b", "late:c", "0.2"), "BRPOP late:b late:c 0.2", 200, nullArray,
                 "Each blocked client has its own deadline: time it out when that passes, not at the first or the last one."),
                (r("BLMOVE", "late:d", "late:e", "LEFT", "RIGHT", "0.3"), "BLMOVE late:d late:e LEFT RIGHT 0.3", 300, nullArray,
                 "BLMOVE replies a bulk string when served, but its timeout is the null array *-1\\r\\n, as every blocking pop's."),
                (r("BRPOPLPUSH", "late:f", "late:g", "0.4"), "BRPOPLPUSH late:f late:g 0.4", 400, nullArray,
                 "BRPOPLPUSH's timeout is the null array *-1\\r\\n too."),
                (r("BLMPOP", "0.5", "2", "late:h", "late:i", "LEFT"), "BLMPOP 0.5 2 late:h late:i LEFT", 500, nullArray,
                 "BLMPOP's timeout is its first argument, and its reply then *-1\\r\\n."),
            ]
            let clients = try waits.map { _ in try scenario.connect(server) }
            var starts: [Int64] = []
            for (client, wait) in zip(clients, waits) { starts.append(try sendTimed(client, wait.request)) }
            for (index, wait) in waits.enumerated() {
                try expectAfter(clients[index], wait.reply, timeout: wait.timeout, since: starts[index],
                                step: "client \(index + 1): \(wait.words) times out after \(wait.timeout) ms (up to \(lateMilliseconds) ms late)",
                                hint: wait.hint + " Check the deadlines at least every 100 ms, and never before they pass.")
            }
            try clients[1].roundTrip(r("EXISTS", "late:e", "late:g"), expect: b(":0\r\n"), step: "EXISTS of the destinations of the timed-out moves",
                                     hint: "A move that timed out moved nothing, and created no destination.")
        },

        Scenario(stage: 7, "a push before the timeout wakes the client, and its timeout is cancelled", chapter: chapter + "#timeouts") { server, scenario in
            let waiter = try scenario.connect(server)
            let pusher = try scenario.connect(server)
            let start = try sendTimed(waiter, r("BLPOP", "early:list", "0.3"))
            try expectBlocked(waiter, "BLPOP early:list 0.3")
            try pusher.roundTrip(r("RPUSH", "early:list", "x"), expect: b(":1\r\n"), step: "another client: RPUSH early:list x", hint: "RPUSH replies with the length.")
            try waiter.expect(b(popped("early:list", "x")), arrivingBetween: 0, and: 250, since: start, step: "the BLPOP gets x at once, well before its 300 ms timeout",
                              hint: "A push wakes the waiter right away, not when its timeout passes.")
            try waiter.expectNothingMore(step: "no *-1 follows when the 300 ms have passed",
                                         hint: "A served client's timeout is cancelled: it must not also time out.", milliseconds: 400)
            let again = try sendTimed(waiter, r("BLPOP", "early:list", "0.1"))
            try expectAfter(waiter, nullArray, timeout: 100, since: again, step: "the same client: BLPOP early:list 0.1 times out after 100 ms",
                            hint: "Each BLPOP has its own deadline, counted from when it was received; the earlier one is gone.")
        },

        // MARK: Fairness

        Scenario(stage: 7, "two clients blocked on one key: the first to block is served first", chapter: chapter + "#fairness") { server, scenario in
            let first = try scenario.connect(server)
            let second = try scenario.connect(server)
            let pusher = try scenario.connect(server)
            let hint = "Clients blocked on one key are served first come, first served: keep a queue of waiters per key."
            try first.send(r("BLPOP", "fifo:list", "0"))
            try expectBlocked(first, "client A: BLPOP fifo:list 0")
            try second.send(r("BLPOP", "fifo:list", "0"))
            try expectBlocked(second, "then client B: BLPOP fifo:list 0")
            try pusher.roundTrip(r("RPUSH", "fifo:list", "x"), expect: b(":1\r\n"), step: "client C: RPUSH fifo:list x", hint: "RPUSH replies with the length.")
            try first.expect(b(popped("fifo:list", "x")), step: "client A, which blocked first, gets x", hint: hint)
            try second.expectNothingMore(step: "client B still waits", hint: "One element serves one client: B keeps waiting.")
            try pusher.roundTrip(r("RPUSH", "fifo:list", "y"), expect: b(":1\r\n"), step: "client C: RPUSH fifo:list y", hint: "RPUSH replies with the length.")
            try second.expect(b(popped("fifo:list", "y")), step: "client B gets y", hint: "B is still in the queue, and is next.")

            // The other way round: B blocks first, and one push serves both.
            try second.send(r("BLPOP", "fifo:two", "0"))
            try expectBlocked(second, "client B: BLPOP fifo:two 0")
            try first.send(r("BLPOP", "fifo:two", "0"))
            try expectBlocked(first, "then client A: BLPOP fifo:two 0")
            try pusher.roundTrip(r("RPUSH", "fifo:two", "x", "y") + r("LLEN", "fifo:two"), expect: b(":2\r\n:0\r\n"), step: "client C: RPUSH fifo:two x y, LLEN fifo:two",
                                 hint: "One push of two elements serves two waiters, one element each, before the pusher's next command.")
            try second.expect(b(popped("fifo:two", "x")), step: "client B, which blocked first this time, gets x",
                              hint: hint + " The order is the order of blocking, not of connecting.")
            try first.expect(b(popped("fifo:two", "y")), step: "client A gets y", hint: hint)
        },

        Scenario(stage: 7, "a hand-off cannot be stolen by the pusher's next command", chapter: chapter + "#fairness") { server, scenario in
            let waiter = try scenario.connect(server)
            let pusher = try scenario.connect(server)
            try waiter.send(r("BLPOP", "steal:list", "0"))
            try expectBlocked(waiter, "client A: BLPOP steal:list 0")
            try pusher.roundTrip(r("RPUSH", "steal:list", "x") + r("LPOP", "steal:list"), expect: b(":1\r\n" + null),
                                 step: "client B, in one write: RPUSH steal:list x, LPOP steal:list",
                                 hint: "The waiter is served right after the RPUSH, before B's next command runs: B's LPOP finds nothing ($-1).")
            try waiter.expect(b(popped("steal:list", "x")), step: "client A gets x", hint: "The element pushed while A waited is A's.")

            try waiter.send(r("BRPOP", "steal:list", "0"))
            try expectBlocked(waiter, "client A: BRPOP steal:list 0")
            try pusher.roundTrip(r("RPUSH", "steal:list", "x", "y") + r("RPOP", "steal:list") + r("LLEN", "steal:list"), expect: b(":2\r\n" + bulk("x") + ":0\r\n"),
                                 step: "client B, in one write: RPUSH steal:list x y, RPOP steal:list, LLEN steal:list",
                                 hint: "A's BRPOP takes y right after the RPUSH; B's RPOP then gets x.")
            try waiter.expect(b(popped("steal:list", "y")), step: "client A gets y", hint: "The waiter is served before the pusher's next command.")
        },

        Scenario(stage: 7, "a blocked client that disconnects is forgotten", chapter: chapter + "#fairness") { server, scenario in
            let leaver = try scenario.connect(server)
            let crasher = try scenario.connect(server)
            let stayer = try scenario.connect(server)
            let pusher = try scenario.connect(server)
            try leaver.send(r("BLPOP", "gone:list", "0"))
            try expectBlocked(leaver, "client A: BLPOP gone:list 0")
            try crasher.send(r("BLPOP", "gone:list", "0"))
            try expectBlocked(crasher, "then client B: BLPOP gone:list 0")
            try stayer.send(r("BLPOP", "gone:list", "0"))
            try expectBlocked(stayer, "then client C: BLPOP gone:list 0")
            leaver.close()
            crasher.reset()
            // Time for the server to see both hang up; a wrong server then
            // hands x to a departed client, and C's step fails in 2 s, not 5.
            sleepMilliseconds(50)
            stayer.timeoutMilliseconds = 2_000
            let hint = "A client that hangs up while blocked must leave the queue of every key it waited on; no element may go to it."
            try pusher.roundTrip(r("RPUSH", "gone:list", "x"), expect: b(":1\r\n"), step: "A closes, B resets; then client D: RPUSH gone:list x", hint: "RPUSH replies with the length.")
            try stayer.expect(b(popped("gone:list", "x")), step: "client C, the only waiter left, gets x", hint: hint)
            try pusher.roundTrip(r("LLEN", "gone:list") + r("RPUSH", "gone:list", "y") + r("LLEN", "gone:list"), expect: b(":0\r\n:1\r\n:1\r\n"),
                                 step: "client D: LLEN gone:list, RPUSH gone:list y, LLEN gone:list",
                                 hint: hint + " Nobody waits now, so y stays in the list.")
        },
    ]
}
