import Common
import Foundation

/// Stage 6: time to live, passive expiry and active expiry.
enum Stage06Scenarios: ScenarioHelpers {
    /// The stage's short title, as in its chapter's name.
    static let title = "expiry"

    /// Where stage 6's behaviour is taught.
    static let chapter = "Tutorials/06-expiry.md"

    /// The current Unix time in milliseconds, by this machine's clock (the
    /// server under test runs on the same machine).
    static func nowMilliseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Sends `request` and checks that the reply is an integer in `range`.
    static func expectInteger(_ client: GateClient, _ request: [UInt8], in range: ClosedRange<Int>, step: String, hint: String,
                              chapter: String) throws {
        try client.send(request)
        let reply = try client.readReply(step: step, hint: hint)
        guard case .integer(let value) = reply, range.contains(value) else {
            throw GateFailure(step: step, sent: request, expected: b(":<\(range.lowerBound)...\(range.upperBound)>\r\n"),
                              received: reply.encoded, hint: hint, chapter: chapter)
        }
    }

    static let ok = "+OK\r\n"
    static let null = "$-1\r\n"
    static let invalidSet = "-ERR invalid expire time in 'set' command\r\n"
    static let notInteger = "-ERR value is not an integer or out of range\r\n"

    static let all: [Scenario] = [
        Scenario(stage: 6, "SET with EX, PX, EXAT and PXAT sets a TTL", chapter: chapter + "#setting-a-time-to-live") { server, scenario in
            let client = try scenario.connect(server)
            let hint = "Store the expiry time with the key; TTL is the time left in seconds (rounded), PTTL in milliseconds."
            try client.roundTrip(r("SET", "ex", "v", "EX", "100"), expect: b(ok), step: "SET ex v EX 100", hint: hint)
            try expectInteger(client, r("TTL", "ex"), in: 99...100, step: "TTL ex right after EX 100", hint: hint, chapter: scenario.chapter)
            try expectInteger(client, r("PTTL", "ex"), in: 98_000...100_000, step: "PTTL ex right after EX 100", hint: hint, chapter: scenario.chapter)
            try client.roundTrip(r("SET", "px", "v", "PX", "50000"), expect: b(ok), step: "SET px v PX 50000", hint: hint)
            try expectInteger(client, r("PTTL", "px"), in: 48_000...50_000, step: "PTTL px right after PX 50000", hint: hint, chapter: scenario.chapter)
            let inAMinute = nowMilliseconds() + 60_000
            try client.roundTrip(r("SET", "exat", "v", "EXAT", String(inAMinute / 1000)), expect: b(ok), step: "SET exat v EXAT <now + 60 s>", hint: hint)
            try expectInteger(client, r("TTL", "exat"), in: 58...60, step: "TTL exat (EXAT is an absolute Unix time in seconds)", hint: hint, chapter: scenario.chapter)
            try client.roundTrip(r("SET", "pxat", "v", "PXAT", String(inAMinute)), expect: b(ok), step: "SET pxat v PXAT <now + 60 s>", hint: hint)
            try expectInteger(client, r("PTTL", "pxat"), in: 58_000...60_000, step: "PTTL pxat (PXAT is an absolute Unix time in ms)", hint: hint, chapter: scenario.chapter)
            try client.roundTrip(r("GET", "ex"), expect: b("$1\r\nv\r\n"), step: "GET ex while its TTL runs", hint: "A key with a TTL reads normally until it expires.")
        },

        Scenario(stage: 6, "TTL and PTTL: -2 for a missing key, -1 without a TTL", chapter: chapter + "#setting-a-time-to-live") { server, scenario in
            let client = try scenario.connect(server)
            let hint = "TTL and PTTL reply -2 when the key does not exist and -1 when it exists without a TTL."
            for exchange in [
                x(r("TTL", "nope") + r("PTTL", "nope"), ":-2\r\n:-2\r\n", "TTL and PTTL of a missing key", hint: hint),
                x(r("SET", "plain", "v") + r("TTL", "plain") + r("PTTL", "plain"), "+OK\r\n:-1\r\n:-1\r\n", "TTL and PTTL of a key without TTL", hint: hint),
                x(r("TTL"), "-ERR wrong number of arguments for 'ttl' command\r\n", "TTL with no key", hint: "Arity error, as in Redis."),
                x(r("PTTL", "a", "b"), "-ERR wrong number of arguments for 'pttl' command\r\n", "PTTL with two keys", hint: "Arity error, as in Redis."),
            ] {
                try client.roundTrip(exchange.request, expect: exchange.reply, step: exchange.step, hint: exchange.hint)
            }
        },

        Scenario(stage: 6, "a plain SET clears the TTL, KEEPTTL keeps it", chapter: chapter + "#setting-a-time-to-live") { server, scenario in
            let client = try scenario.connect(server)
            let hint = "SET without KEEPTTL removes any old TTL; SET ... KEEPTTL keeps it."
            try client.roundTrip(r("SET", "k", "v", "EX", "100") + r("SET", "k", "v2"), expect: b(ok + ok), step: "SET k v EX 100, then SET k v2", hint: hint)
            try client.roundTrip(r("TTL", "k"), expect: b(":-1\r\n"), step: "TTL k after a plain SET", hint: hint)
            try client.roundTrip(r("SET", "k", "v", "EX", "100") + r("SET", "k", "v3", "KEEPTTL"), expect: b(ok + ok),
                                 step: "SET k v EX 100, then SET k v3 KEEPTTL", hint: hint)
            try expectInteger(client, r("TTL", "k"), in: 99...100, step: "TTL k after SET ... KEEPTTL", hint: hint, chapter: scenario.chapter)
            try client.roundTrip(r("GET", "k"), expect: b("$2\r\nv3\r\n"), step: "GET k after SET ... KEEPTTL", hint: "KEEPTTL still writes the new value.")
            try client.roundTrip(r("SET", "k", "v4", "GET", "EX", "5"), expect: b("$2\r\nv3\r\n"), step: "SET k v4 GET EX 5", hint: "Options combine in any order.")
            try expectInteger(client, r("TTL", "k"), in: 4...5, step: "TTL k after SET ... EX 5", hint: hint, chapter: scenario.chapter)
        },

        Scenario.exchanges(stage: 6, "EXPIRE, PEXPIRE and PERSIST", chapter: chapter + "#expire-pexpire-and-persist", [
            x(r("EXPIRE", "nope", "10"), ":0\r\n", "EXPIRE of a missing key", hint: "EXPIRE replies :0 when there is no such key."),
            x(r("SET", "k", "v") + r("EXPIRE", "k", "100") + r("TTL", "k"), "+OK\r\n:1\r\n:100\r\n", "SET k v, EXPIRE k 100, TTL k",
              hint: "EXPIRE replies :1 when it set the TTL."),
            // 1,800 ms, not 1,500: a slow server (under a sanitizer) may take
            // a millisecond between the two, and 1,499 ms rounds to 1. Up to
            // 300 ms may pass and it is still 2; rounding down would say 1.
            x(r("PEXPIRE", "k", "1800") + r("TTL", "k"), ":1\r\n:2\r\n", "PEXPIRE k 1800, then TTL k",
              hint: "TTL rounds to the nearest second: 1,800 ms left is 2 seconds, not 1."),
            x(r("PERSIST", "k") + r("TTL", "k") + r("PERSIST", "k") + r("PERSIST", "nope"), ":1\r\n:-1\r\n:0\r\n:0\r\n",
              "PERSIST k twice, then a missing key", hint: "PERSIST replies :1 only when it removed a TTL."),
            x(r("EXPIRE", "k", "100", "NX") + r("EXPIRE", "k", "50", "NX"), ":1\r\n:0\r\n", "EXPIRE ... NX twice",
              hint: "NX sets a TTL only when the key has none."),
            x(r("EXPIRE", "k", "200", "GT") + r("EXPIRE", "k", "50", "GT") + r("TTL", "k"), ":1\r\n:0\r\n:200\r\n", "EXPIRE ... GT, later then earlier",
              hint: "GT sets the TTL only when the new time is later."),
            x(r("EXPIRE", "k", "50", "LT") + r("TTL", "k"), ":1\r\n:50\r\n", "EXPIRE ... LT with an earlier time", hint: "LT sets the TTL only when the new time is earlier."),
            x(r("PERSIST", "k") + r("EXPIRE", "k", "10", "XX") + r("EXPIRE", "k", "10", "GT"), ":1\r\n:0\r\n:0\r\n", "XX and GT on a key without TTL",
              hint: "XX needs an existing TTL; GT treats no TTL as infinite, so nothing is later."),
            x(r("EXPIRE", "k", "10", "NX", "XX"), "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n",
              "EXPIRE with NX and XX", hint: "Redis's exact text for incompatible options."),
            x(r("EXPIRE", "k", "10", "GT", "LT"), "-ERR GT and LT options at the same time are not compatible\r\n",
              "EXPIRE with GT and LT", hint: "Redis's exact text for incompatible options."),
            x(r("EXPIRE", "k", "10", "FOO"), "-ERR Unsupported option FOO\r\n", "EXPIRE with an unknown option", hint: "Redis's exact text: Unsupported option <option>."),
            x(r("EXPIRE", "k", "abc"), notInteger, "EXPIRE k abc", hint: "A non-integer time: value is not an integer or out of range."),
            x(r("EXPIRE", "k", "9999999999999999"), "-ERR invalid expire time in 'expire' command\r\n", "EXPIRE with a time that overflows",
              hint: "Seconds times 1000 must not overflow a 64-bit integer."),
            x(r("EXPIRE", "k"), "-ERR wrong number of arguments for 'expire' command\r\n", "EXPIRE with no time", hint: "Arity error, as in Redis."),
            x(r("PERSIST"), "-ERR wrong number of arguments for 'persist' command\r\n", "PERSIST with no key", hint: "Arity error, as in Redis."),
        ]),

        Scenario(stage: 6, "EXPIREAT and PEXPIREAT take Unix times; EXPIRETIME and PEXPIRETIME read them", chapter: chapter + "#expireat-pexpireat-expiretime-and-pexpiretime") { server, scenario in
            let client = try scenario.connect(server)
            let hint = "EXPIREAT and PEXPIREAT take an absolute Unix time (seconds, milliseconds); EXPIRETIME and PEXPIRETIME reply with it."
            let seconds = nowMilliseconds() / 1000 + 100
            try client.roundTrip(r("EXPIREAT", "nope", String(seconds)), expect: b(":0\r\n"), step: "EXPIREAT of a missing key",
                                 hint: "EXPIREAT replies :0 when there is no such key.")
            try client.roundTrip(r("SET", "k", "v") + r("EXPIREAT", "k", String(seconds)), expect: b("+OK\r\n:1\r\n"),
                                 step: "SET k v, EXPIREAT k <now + 100 s>", hint: hint)
            try expectInteger(client, r("TTL", "k"), in: 98...100, step: "TTL k after EXPIREAT k <now + 100 s>", hint: hint, chapter: scenario.chapter)
            try client.roundTrip(r("EXPIRETIME", "k") + r("PEXPIRETIME", "k"), expect: b(":\(seconds)\r\n:\(seconds * 1000)\r\n"),
                                 step: "EXPIRETIME k and PEXPIRETIME k", hint: "Reply with the absolute time that was set, not the time left.")
            let milliseconds = nowMilliseconds() + 50_000
            try client.roundTrip(r("PEXPIREAT", "k", String(milliseconds)), expect: b(":1\r\n"), step: "PEXPIREAT k <now + 50 s, ms>", hint: hint)
            try expectInteger(client, r("PTTL", "k"), in: 48_000...50_000, step: "PTTL k after PEXPIREAT", hint: hint, chapter: scenario.chapter)
            try client.roundTrip(r("PEXPIRETIME", "k") + r("EXPIRETIME", "k"), expect: b(":\(milliseconds)\r\n:\((milliseconds + 500) / 1000)\r\n"),
                                 step: "PEXPIRETIME k and EXPIRETIME k after PEXPIREAT",
                                 hint: "EXPIRETIME rounds the milliseconds to the nearest second, as TTL does: (ms + 500) / 1000.")
            for exchange in [
                x(r("EXPIRETIME", "nope") + r("PEXPIRETIME", "nope"), ":-2\r\n:-2\r\n", "EXPIRETIME and PEXPIRETIME of a missing key",
                  hint: "-2: no such key, as TTL."),
                x(r("SET", "plain", "v") + r("EXPIRETIME", "plain") + r("PEXPIRETIME", "plain"), "+OK\r\n:-1\r\n:-1\r\n",
                  "EXPIRETIME and PEXPIRETIME of a key without TTL", hint: "-1: the key has no TTL, as TTL."),
                x(r("PEXPIREAT", "k", "99999999999500") + r("EXPIRETIME", "k"), ":1\r\n:100000000000\r\n",
                  "PEXPIREAT k 99999999999500, EXPIRETIME k", hint: "Round to the nearest second: 500 ms rounds up."),
                x(r("PEXPIREAT", "k", "99999999999499") + r("EXPIRETIME", "k"), ":1\r\n:99999999999\r\n",
                  "PEXPIREAT k 99999999999499, EXPIRETIME k", hint: "Round to the nearest second: 499 ms rounds down."),
                x(r("PEXPIREAT", "k", "9223372036854775807") + r("PEXPIRETIME", "k") + r("EXPIRETIME", "k"),
                  ":1\r\n:9223372036854775807\r\n:9223372036854776\r\n", "PEXPIREAT k <Int64.max>, then PEXPIRETIME and EXPIRETIME",
                  hint: "PEXPIREAT adds nothing to the time, so the largest 64-bit integer is accepted; round it without overflowing (ms + 500 does)."),
            ] {
                try client.roundTrip(exchange.request, expect: exchange.reply, step: exchange.step, hint: exchange.hint)
            }
        },

        Scenario.exchanges(stage: 6, "EXPIREAT's NX, XX, GT and LT, past times and errors", chapter: chapter + "#expireat-pexpireat-expiretime-and-pexpiretime", [
            x(r("SET", "k", "v") + r("EXPIREAT", "k", "4000000000", "NX") + r("EXPIRETIME", "k"), "+OK\r\n:1\r\n:4000000000\r\n",
              "SET k v, EXPIREAT k 4000000000 NX, EXPIRETIME k", hint: "The conditions work as EXPIRE's; NX: the key had no TTL."),
            x(r("EXPIREAT", "k", "3000000000", "GT") + r("EXPIREAT", "k", "5000000000", "GT") + r("EXPIRETIME", "k"), ":0\r\n:1\r\n:5000000000\r\n",
              "EXPIREAT ... GT, earlier then later", hint: "GT sets the time only when it is later."),
            x(r("EXPIREAT", "k", "5000000000", "LT") + r("EXPIREAT", "k", "4500000000", "lt") + r("EXPIRETIME", "k"), ":0\r\n:1\r\n:4500000000\r\n",
              "EXPIREAT ... LT, equal then earlier", hint: "LT sets the time only when it is strictly earlier."),
            x(r("PEXPIREAT", "k", "4600000000123", "XX", "GT") + r("PEXPIRETIME", "k"), ":1\r\n:4600000000123\r\n",
              "PEXPIREAT k 4600000000123 XX GT", hint: "XX combines with GT: both must hold."),
            x(r("EXPIREAT", "k", "1", "GT") + r("EXISTS", "k"), ":0\r\n:1\r\n", "EXPIREAT k 1 GT (a past time that is not later)",
              hint: "The condition is checked first: a failed GT replies :0 and keeps the key."),
            x(r("PERSIST", "k") + r("EXPIREAT", "k", "1", "XX") + r("EXPIREAT", "k", "1", "GT") + r("EXISTS", "k"), ":1\r\n:0\r\n:0\r\n:1\r\n",
              "PERSIST k, then EXPIREAT k 1 with XX and with GT", hint: "Without a TTL, XX fails, and GT fails (no TTL counts as infinite)."),
            x(r("EXPIREAT", "k", "1", "LT") + r("EXISTS", "k"), ":1\r\n:0\r\n", "EXPIREAT k 1 LT on a key without TTL",
              hint: "No TTL is infinite, so any time is earlier; a time in the past deletes the key and replies :1."),
            x(r("SET", "k", "v") + r("EXPIREAT", "k", "0") + r("EXISTS", "k"), "+OK\r\n:1\r\n:0\r\n", "SET k v, EXPIREAT k 0",
              hint: "A time in the past deletes the key at once and replies :1."),
            x(r("SET", "k", "v") + r("PEXPIREAT", "k", "-1") + r("GET", "k"), "+OK\r\n:1\r\n$-1\r\n", "SET k v, PEXPIREAT k -1",
              hint: "Negative times are in the past too."),
            x(r("SET", "k", "v") + r("EXPIREAT", "k", "-9223372036854775") + r("EXISTS", "k"), "+OK\r\n:1\r\n:0\r\n",
              "SET k v, EXPIREAT k -9223372036854775", hint: "The most negative seconds that fit in milliseconds: accepted, and past."),
            x(r("EXPIREAT", "k", "abc", "FOO"), "-ERR Unsupported option FOO\r\n", "EXPIREAT k abc FOO",
              hint: "Options are checked before the number, as for EXPIRE."),
            x(r("EXPIREAT", "k", "abc", "NX", "XX"), "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n",
              "EXPIREAT k abc NX XX", hint: "Options are checked before the number, as for EXPIRE."),
            x(r("PEXPIREAT", "k", "10", "GT", "LT"), "-ERR GT and LT options at the same time are not compatible\r\n",
              "PEXPIREAT k 10 GT LT", hint: "Redis's exact text for incompatible options."),
            x(r("EXPIREAT", "k", "abc"), notInteger, "EXPIREAT k abc", hint: "A non-integer time: value is not an integer or out of range."),
            x(r("PEXPIREAT", "k", "9223372036854775808"), notInteger, "PEXPIREAT k 9223372036854775808",
              hint: "Larger than a 64-bit integer: value is not an integer or out of range."),
            x(r("EXPIREAT", "nope", "9223372036854776"), "-ERR invalid expire time in 'expireat' command\r\n",
              "EXPIREAT nope 9223372036854776 (seconds times 1000 overflow)", hint: "The overflow is checked before the key is looked up."),
            x(r("EXPIREAT", "nope", "-9223372036854776"), "-ERR invalid expire time in 'expireat' command\r\n",
              "EXPIREAT nope -9223372036854776", hint: "Negative overflow too."),
            x(r("PEXPIREAT", "nope", "9223372036854775807"), ":0\r\n", "PEXPIREAT nope 9223372036854775807",
              hint: "An absolute time adds nothing, so it cannot overflow: :0, there is no key."),
            x(r("EXPIREAT", "k"), "-ERR wrong number of arguments for 'expireat' command\r\n", "EXPIREAT with no time", hint: "Arity error, as in Redis."),
            x(r("PEXPIREAT", "k"), "-ERR wrong number of arguments for 'pexpireat' command\r\n", "PEXPIREAT with no time", hint: "Arity error, as in Redis."),
            x(r("EXPIRETIME"), "-ERR wrong number of arguments for 'expiretime' command\r\n", "EXPIRETIME with no key", hint: "Arity error, as in Redis."),
            x(r("PEXPIRETIME", "a", "b"), "-ERR wrong number of arguments for 'pexpiretime' command\r\n", "PEXPIRETIME with two keys",
              hint: "Arity error, as in Redis."),
        ]),

        Scenario.exchanges(stage: 6, "invalid expire times get Redis's errors", chapter: chapter + "#setting-a-time-to-live", [
            x(r("SET", "k", "v", "EX", "0"), invalidSet, "SET k v EX 0", hint: "A TTL must be positive: -ERR invalid expire time in 'set' command."),
            x(r("SET", "k", "v", "EX", "-1"), invalidSet, "SET k v EX -1", hint: "A TTL must be positive."),
            x(r("SET", "k", "v", "PX", "0"), invalidSet, "SET k v PX 0", hint: "A TTL must be positive."),
            x(r("SET", "k", "v", "EXAT", "0"), invalidSet, "SET k v EXAT 0", hint: "An absolute time must be positive too."),
            x(r("SET", "k", "v", "EX", "9223372036854775"), invalidSet, "SET k v EX 9223372036854775 (overflows once added to now)",
              hint: "Check for overflow when adding the TTL to the current time."),
            x(r("SET", "k", "v", "EX", "abc"), notInteger, "SET k v EX abc", hint: "A non-integer: value is not an integer or out of range."),
            x(r("SET", "k", "v", "EX", "1.5"), notInteger, "SET k v EX 1.5", hint: "Only whole numbers are accepted."),
            x(r("SET", "k", "v", "EX", "010"), notInteger, "SET k v EX 010", hint: "Redis rejects leading zeros."),
            x(r("SET", "k", "v", "EX"), "-ERR syntax error\r\n", "SET k v EX with no number", hint: "An option missing its value is a syntax error."),
            x(r("SET", "k", "v", "EX", "10", "PX", "10"), "-ERR syntax error\r\n", "SET with EX and PX", hint: "Two different expiry options: syntax error."),
            x(r("SET", "k", "v", "EX", "10", "KEEPTTL"), "-ERR syntax error\r\n", "SET with EX and KEEPTTL", hint: "KEEPTTL with a new TTL: syntax error."),
            x(r("GET", "k"), null, "GET k after only failed SETs", hint: "A SET that failed must not write."),
        ]),

        Scenario.exchanges(stage: 6, "passive expiry: an expired key is never returned", chapter: chapter + "#passive-expiry", [
            x(r("SET", "gone", "v") + r("EXPIRE", "gone", "-1"), "+OK\r\n:1\r\n", "SET gone v, EXPIRE gone -1",
              hint: "A time in the past is accepted (:1) and the key expires at once."),
            x(r("GET", "gone") + r("EXISTS", "gone") + r("TTL", "gone"), "$-1\r\n:0\r\n:-2\r\n", "GET, EXISTS and TTL of the expired key",
              hint: "Every read must check the expiry time first."),
            x(r("SET", "past", "v", "PXAT", "1"), ok, "SET past v PXAT 1 (a time long past)", hint: "A past absolute time is accepted."),
            x(r("GET", "past") + r("EXISTS", "past") + r("TYPE", "past"), "$-1\r\n:0\r\n+none\r\n", "GET, EXISTS and TYPE of the already expired key",
              hint: "No command may see an expired key."),
            x(r("SET", "past", "new", "NX"), ok, "SET past new NX after it expired", hint: "An expired key counts as missing for NX."),
            x(r("GET", "past"), "$3\r\nnew\r\n", "GET past after the NX write", hint: "The new value has no TTL."),
        ]),

        Scenario(stage: 6, "real time: PX 100 is gone after 150 ms", chapter: chapter + "#passive-expiry") { server, scenario in
            let client = try scenario.connect(server)
            try client.roundTrip(r("SET", "short", "v", "PX", "100") + r("GET", "short"), expect: b("+OK\r\n$1\r\nv\r\n"),
                                 step: "SET short v PX 100, then GET at once", hint: "The key lives for 100 ms.")
            sleepMilliseconds(150)
            try client.roundTrip(r("GET", "short"), expect: b(null), step: "GET short 150 ms later",
                                 hint: "Compare the expiry time with the current time on every read.")
        },

        Scenario(stage: 6, "active expiry: 10,000 keys that nobody reads are deleted", chapter: chapter + "#active-expiry") { server, scenario in
            let client = try scenario.connect(server)
            try client.roundTrip(r("FLUSHALL"), expect: b(ok), step: "FLUSHALL", hint: "FLUSHALL replies +OK.")
            // 2,000 keys without TTL that must survive, and 10,000 with PX 50.
            var requests: [UInt8] = []
            for key in 0..<2_000 { requests += r("SET", "keep:\(key)", "v") }
            for key in 0..<10_000 { requests += r("SET", "temp:\(key)", "v", "PX", "50") }
            try client.send(requests)
            try client.expect(Array(repeating: b(ok), count: 12_000).flatMap { $0 }, step: "12,000 pipelined SETs", hint: "SET replies +OK.")
            // Poll DBSIZE, which reads no key, until the 10,000 are gone.
            var size = -1
            for _ in 0..<30 {
                sleepMilliseconds(100)
                try client.send(r("DBSIZE"))
                guard case .integer(let value) = try client.readReply(step: "DBSIZE", hint: "DBSIZE replies an integer.") else { break }
                size = value
                if size == 2_000 { break }
            }
            guard size == 2_000 else {
                throw GateFailure(step: "DBSIZE about a second after 10,000 keys with PX 50 expired (none was read)",
                                  sent: r("DBSIZE"), expected: b(":2000\r\n"), received: b(":\(size)\r\n"),
                                  problem: "after 3 s, \(size - 2_000) expired keys were still stored",
                                  hint: "Passive expiry alone never deletes keys nobody reads: run an active expiry cycle about 10 times a second.",
                                  chapter: scenario.chapter)
            }
        },
    ]
}
