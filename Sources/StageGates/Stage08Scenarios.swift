import Common

/// Stage 8: transactions, and first the rest of the string family that
/// transactions are mostly used with: counters, APPEND and the range
/// commands, the multi-key commands and the old spellings of SET.
///
/// Every scenario uses key names of its own (`incr:counter`,
/// `float:sum`, ...), so that they also pass one after another against one
/// running server (`--address`) that starts empty.
enum Stage08Scenarios: ScenarioHelpers {
    /// The stage's short title, as in its chapter's name.
    static let title = "transactions"

    /// Where stage 8's behaviour is taught.
    static let chapter = "Tutorials/08-transactions.md"

    static let ok = "+OK\r\n"
    static let null = "$-1\r\n"
    static let empty = "$0\r\n\r\n"
    static let wrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    static let notInteger = "-ERR value is not an integer or out of range\r\n"
    static let overflow = "-ERR increment or decrement would overflow\r\n"
    static let notFloat = "-ERR value is not a valid float\r\n"
    static let nanOrInfinity = "-ERR increment would produce NaN or Infinity\r\n"
    static let syntaxError = "-ERR syntax error\r\n"
    static let offsetOutOfRange = "-ERR offset is out of range\r\n"
    static let tooLong = "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"

    /// The hint for arity errors.
    static let arity = "Reply with Redis's exact text: -ERR wrong number of arguments for '<command>' command (lowercase name)."
    /// The hint for a string command on a list.
    static let refused = "A string command on a key that holds a list replies Redis's exact -WRONGTYPE error, and changes nothing."

    /// A bulk string's bytes, as text.
    static func bulk(_ text: String) -> String { "$\(text.utf8.count)\r\n\(text)\r\n" }
    /// `-ERR invalid expire time in '<command>' command`.
    static func invalidExpire(_ command: String) -> String { "-ERR invalid expire time in '\(command)' command\r\n" }
    /// `-ERR wrong number of arguments for '<command>' command`.
    static func wrongArity(_ command: String) -> String { "-ERR wrong number of arguments for '\(command)' command\r\n" }

    /// 1e308 + 1e308 as Redis 7.0.15 on x86 writes it: the sum of two
    /// 80-bit long doubles (no overflow: their range reaches 1.19e4932),
    /// in full, exactly as `%.17Lf` prints the binary value.
    static let twoE308 = "199999999999999999993371759311691291321120199694831134415594095989843469737676123744200253843777078640893494450108026446304269499187921167194841628860392837535918200039206381557326219209014213335878306791577877829121087126122536729803237260434173178506889763247582601711514636284849020905456510092687857156096"

    /// Runs `exchanges` in order on `client`.
    static func run(_ client: GateClient, _ exchanges: [Exchange]) throws {
        for exchange in exchanges {
            try client.roundTrip(exchange.request, expect: exchange.reply, step: exchange.step, hint: exchange.hint)
        }
    }

    /// The string family's scenarios. `all` is these, then the
    /// transactions'.
    static let strings: [Scenario] = [
        // MARK: Counters

        Scenario.exchanges(stage: 8, "INCR, DECR, INCRBY and DECRBY count in a string", chapter: chapter + "#counters", [
            x(r("INCR", "incr:counter"), ":1\r\n", "INCR incr:counter (missing)",
              hint: "A missing key counts as 0: INCR creates it and replies :1, an integer reply, not a bulk string."),
            x(r("INCR", "incr:counter") + r("INCRBY", "incr:counter", "10") + r("DECR", "incr:counter") + r("DECRBY", "incr:counter", "20"),
              ":2\r\n:12\r\n:11\r\n:-9\r\n", "INCR, INCRBY 10, DECR, DECRBY 20",
              hint: "Each reply is the new value; DECRBY subtracts, and a counter may go below zero."),
            x(r("GET", "incr:counter") + r("TYPE", "incr:counter"), bulk("-9") + "+string\r\n", "GET and TYPE of the counter",
              hint: "A counter is a plain string that spells the number in decimal: GET reads it, TYPE says string."),
            x(r("INCRBY", "incr:counter", "-1") + r("DECRBY", "incr:counter", "-10"), ":-10\r\n:0\r\n", "INCRBY -1, DECRBY -10",
              hint: "INCRBY takes a negative increment, DECRBY a negative decrement (which adds)."),
            x(r("SET", "incr:set", "41") + r("INCR", "incr:set"), ok + ":42\r\n", "SET incr:set 41, INCR incr:set",
              hint: "INCR works on any string that spells an integer, however it was written."),
            x(r("DECR", "incr:fresh") + r("GET", "incr:fresh"), ":-1\r\n" + bulk("-1"), "DECR of a missing key, then GET",
              hint: "DECR of a missing key starts from 0 too, and stores -1."),
            x(r("INCRBY", "incr:big", "9223372036854775807") + r("DECRBY", "incr:big", "9223372036854775807"),
              ":9223372036854775807\r\n:0\r\n", "INCRBY and DECRBY by the largest 64-bit integer",
              hint: "Counters are signed 64-bit integers: 9223372036854775807 is a valid increment."),
        ]),

        Scenario.exchanges(stage: 8, "counters refuse what is not an integer, and never overflow", chapter: chapter + "#counters", [
            x(r("SET", "incr:text", "abc") + r("INCR", "incr:text"), ok + notInteger, "INCR of a string that is not a number",
              hint: "Redis's exact text: -ERR value is not an integer or out of range."),
            x(r("SET", "incr:float", "1.5") + r("INCR", "incr:float"), ok + notInteger, "INCR of 1.5",
              hint: "INCR needs an integer: 1.5 is refused (INCRBYFLOAT takes it)."),
            x(r("SET", "incr:spaces", " 1") + r("INCR", "incr:spaces") + r("SET", "incr:plus", "+1") + r("INCR", "incr:plus")
              + r("SET", "incr:zeros", "01") + r("INCR", "incr:zeros"),
              ok + notInteger + ok + notInteger + ok + notInteger, "INCR of ' 1', '+1' and '01'",
              hint: "The stored value must spell the integer strictly: no space, no plus sign, no leading zero."),
            x(r("SET", "incr:long", "12345678901234567890") + r("INCR", "incr:long"), ok + notInteger, "INCR of a number beyond 64 bits",
              hint: "12345678901234567890 does not fit in a signed 64-bit integer: out of range."),
            x(r("INCRBY", "incr:arg", "abc") + r("DECRBY", "incr:arg", "1.0") + r("INCRBY", "incr:arg", "9223372036854775808") + r("EXISTS", "incr:arg"),
              notInteger + notInteger + notInteger + ":0\r\n", "INCRBY and DECRBY with increments that are not 64-bit integers",
              hint: "The argument is checked first, with the same text, and nothing is created."),
            x(r("SET", "incr:max", "9223372036854775807") + r("INCR", "incr:max") + r("INCRBY", "incr:max", "1") + r("GET", "incr:max"),
              ok + overflow + overflow + bulk("9223372036854775807"), "INCR and INCRBY 1 of the largest 64-bit integer, then GET",
              hint: "Check the sum before writing: Redis replies -ERR increment or decrement would overflow and keeps the old value."),
            x(r("SET", "incr:min", "-9223372036854775808") + r("DECR", "incr:min") + r("INCRBY", "incr:min", "-1") + r("GET", "incr:min"),
              ok + overflow + overflow + bulk("-9223372036854775808"), "DECR and INCRBY -1 of the smallest 64-bit integer",
              hint: "Overflow below the smallest integer is refused the same way."),
            x(r("INCRBY", "incr:min", "9223372036854775807"), ":-1\r\n", "INCRBY of the largest integer onto the smallest",
              hint: "Numbers of opposite signs never overflow: the sum is -1."),
            x(r("DECRBY", "incr:dec", "-9223372036854775808") + r("EXISTS", "incr:dec"), "-ERR decrement would overflow\r\n:0\r\n",
              "DECRBY incr:dec -9223372036854775808",
              hint: "DECRBY negates its argument, and the smallest 64-bit integer has no negation: Redis refuses it with its own text, -ERR decrement would overflow."),
            x(r("RPUSH", "incr:list", "a") + r("INCR", "incr:list") + r("DECRBY", "incr:list", "2"), ":1\r\n" + wrongType + wrongType,
              "INCR and DECRBY of a list", hint: refused),
            x(r("INCRBY", "incr:list", "abc"), notInteger, "INCRBY incr:list abc",
              hint: "INCRBY reads its argument before it looks at the key: a bad increment is reported even on a list."),
        ]),

        Scenario(stage: 8, "INCR, INCRBYFLOAT, APPEND and SETRANGE keep the key's TTL", chapter: chapter + "#counters") { server, scenario in
            let client = try scenario.connect(server)
            let chapter = scenario.chapter
            let hint = "These commands change the value, not the key: its TTL stays (Redis overwrites the value and keeps the expiry)."
            try client.roundTrip(r("SET", "ttl:counter", "10", "EX", "100") + r("INCR", "ttl:counter") + r("INCRBY", "ttl:counter", "5"),
                                 expect: b(ok + ":11\r\n:16\r\n"), step: "SET ttl:counter 10 EX 100, INCR, INCRBY 5", hint: "INCR and INCRBY reply the new value.")
            try Stage06Scenarios.expectInteger(client, r("TTL", "ttl:counter"), in: 99...100, step: "TTL ttl:counter after INCR and INCRBY", hint: hint, chapter: chapter)
            try client.roundTrip(r("INCRBYFLOAT", "ttl:counter", "0.5"), expect: b(bulk("16.5")), step: "INCRBYFLOAT ttl:counter 0.5", hint: "16 + 0.5 is 16.5.")
            try Stage06Scenarios.expectInteger(client, r("TTL", "ttl:counter"), in: 99...100, step: "TTL ttl:counter after INCRBYFLOAT", hint: hint, chapter: chapter)
            try client.roundTrip(r("APPEND", "ttl:counter", "0"), expect: b(":5\r\n"), step: "APPEND ttl:counter 0", hint: "APPEND replies the new length.")
            try Stage06Scenarios.expectInteger(client, r("TTL", "ttl:counter"), in: 99...100, step: "TTL ttl:counter after APPEND", hint: hint, chapter: chapter)
            try client.roundTrip(r("SETRANGE", "ttl:counter", "0", "2") + r("GET", "ttl:counter"), expect: b(":5\r\n" + bulk("26.50")),
                                 step: "SETRANGE ttl:counter 0 2, GET", hint: "SETRANGE overwrites in place and replies the length.")
            try Stage06Scenarios.expectInteger(client, r("TTL", "ttl:counter"), in: 99...100, step: "TTL ttl:counter after SETRANGE", hint: hint, chapter: chapter)
            try client.roundTrip(r("DECR", "ttl:missing") + r("TTL", "ttl:missing"), expect: b(":-1\r\n:-1\r\n"), step: "DECR of a missing key, then TTL",
                                 hint: "A key that INCR or DECR creates has no TTL.")
        },

        Scenario.exchanges(stage: 8, "INCRBYFLOAT adds in a long double and writes the sum as Redis does", chapter: chapter + "#counters", [
            x(r("SET", "float:a", "10.5") + r("INCRBYFLOAT", "float:a", "0.1"), ok + bulk("10.6"), "SET float:a 10.5, INCRBYFLOAT float:a 0.1",
              hint: "Redis adds in a C long double (80 bits on x86) and prints 17 decimals, then drops the zeros at the end: 10.6, not 10.59999999999999964 (which a 64-bit double gives)."),
            x(r("SET", "float:b", "3.0e3") + r("INCRBYFLOAT", "float:b", "5.0e3") + r("GET", "float:b"), ok + bulk("8000") + bulk("8000"),
              "SET float:b 3.0e3, INCRBYFLOAT float:b 5.0e3, GET", hint: "Exponents are read, never written: the sum is 8000, without a point or zeros, and that is what is stored."),
            x(r("INCRBYFLOAT", "float:c", "0.1") + r("INCRBYFLOAT", "float:c", "0.2"), bulk("0.1") + bulk("0.3"), "INCRBYFLOAT float:c 0.1 (missing), then 0.2",
              hint: "A missing key counts as 0. In a long double, 0.1 + 0.2 rounds to 0.3 at 17 decimals."),
            x(r("INCRBYFLOAT", "float:d", "1e20"), bulk("100000000000000000000"), "INCRBYFLOAT float:d 1e20",
              hint: "Large sums are written in full (printf's %.17Lf, never %g): 100000000000000000000, not 1e+20."),
            x(r("INCRBYFLOAT", "float:e", "-5.5") + r("INCRBYFLOAT", "float:e", "5.5") + r("INCRBYFLOAT", "float:e", "3"), bulk("-5.5") + bulk("0") + bulk("3"),
              "INCRBYFLOAT -5.5, 5.5, 3", hint: "Zero is 0 and a whole number has no point: the fraction's trailing zeros go, then a bare point."),
            x(r("INCRBYFLOAT", "float:f", "1.23456789012345678") + r("INCRBYFLOAT", "float:g", "1.5e-17") + r("INCRBYFLOAT", "float:h", "-1e-18"),
              bulk("1.23456789012345678") + bulk("0.00000000000000002") + bulk("0"), "INCRBYFLOAT of 17 decimals, of 1.5e-17, of -1e-18",
              hint: "Exactly 17 decimals are kept, rounded; what rounds to nothing is 0 (and -0 is written 0)."),
            x(r("INCRBYFLOAT", "float:i", "0.000003814697265625"), bulk("0.00000381469726562"), "INCRBYFLOAT float:i 0.000003814697265625 (2^-18)",
              hint: "2^-18 has 18 decimals, ending in 5: exactly halfway, printf rounds to the even digit, 2, not up to 3."),
            x(r("INCRBYFLOAT", "float:j", "0x10") + r("INCRBYFLOAT", "float:j", "0x1p-2") + r("INCRBYFLOAT", "float:j", "+.75"), bulk("16") + bulk("16.25") + bulk("17"),
              "INCRBYFLOAT 0x10, 0x1p-2, +.75", hint: "The numbers are read as C's strtold reads them: hexadecimal (with a p exponent), a sign, no digit before the point."),
            x(r("SET", "float:k", "1e308") + r("INCRBYFLOAT", "float:k", "1e308"), ok + bulk(twoE308), "SET float:k 1e308, INCRBYFLOAT float:k 1e308",
              hint: "A long double reaches 1.19e4932, so 2e308 does not overflow; it is written in full, every digit of the binary value (309 of them)."),
            x(r("SET", "float:l", "1e4932") + r("INCRBYFLOAT", "float:l", "1e4932") + r("GET", "float:l"), ok + nanOrInfinity + bulk("1e4932"),
              "INCRBYFLOAT of 1e4932 onto 1e4932", hint: "A sum beyond the long double's range is infinite: Redis's exact text is -ERR increment would produce NaN or Infinity, and nothing is written."),
            x(r("INCRBYFLOAT", "float:m", "inf") + r("INCRBYFLOAT", "float:m", "-Infinity") + r("EXISTS", "float:m"), nanOrInfinity + nanOrInfinity + ":0\r\n",
              "INCRBYFLOAT inf, -Infinity", hint: "inf and infinity are read as numbers (strtold reads them), so the sum is infinite: the NaN or Infinity error, not 'not a valid float'."),
            x(r("INCRBYFLOAT", "float:n", "abc") + r("INCRBYFLOAT", "float:n", "nan") + r("INCRBYFLOAT", "float:n", "1e5000") + r("INCRBYFLOAT", "float:n", "1e-5000"),
              notFloat + notFloat + notFloat + notFloat, "INCRBYFLOAT of abc, nan, 1e5000, 1e-5000",
              hint: "Redis's exact text: -ERR value is not a valid float. NaN is refused, and so is a number too large (infinite) or too small (zero) for a long double."),
            x(r("INCRBYFLOAT", "float:n", " 1") + r("INCRBYFLOAT", "float:n", "1 ") + r("INCRBYFLOAT", "float:n", "1e") + r("INCRBYFLOAT", "float:n", "")
              + r("EXISTS", "float:n"), notFloat + notFloat + notFloat + notFloat + ":0\r\n", "INCRBYFLOAT of ' 1', '1 ', '1e', ''",
              hint: "The whole argument must be the number: no space before or after, no exponent without digits, not empty."),
            x(r("SET", "float:o", "ten") + r("INCRBYFLOAT", "float:o", "1"), ok + notFloat, "INCRBYFLOAT of a stored value that is not a number",
              hint: "The stored value is read the same way, with the same error."),
            x(r("RPUSH", "float:list", "a") + r("INCRBYFLOAT", "float:list", "1") + r("INCRBYFLOAT", "float:list", "abc"), ":1\r\n" + wrongType + wrongType,
              "INCRBYFLOAT of a list, with a good and a bad increment",
              hint: "Unlike INCRBY, INCRBYFLOAT looks at the key first: a list is WRONGTYPE even when the increment is not a number."),
        ]),

        // MARK: The string family

        Scenario.exchanges(stage: 8, "APPEND and STRLEN", chapter: chapter + "#the-string-family", [
            x(r("APPEND", "append:s", "Hello") + r("APPEND", "append:s", ", World") + r("GET", "append:s"), ":5\r\n:12\r\n" + bulk("Hello, World"),
              "APPEND append:s Hello (missing), APPEND ', World', GET", hint: "APPEND creates a missing key and replies the length after appending."),
            x(r("STRLEN", "append:s") + r("STRLEN", "append:missing"), ":12\r\n:0\r\n", "STRLEN of the string and of a missing key",
              hint: "STRLEN is the length in bytes; 0 for a missing key."),
            Exchange(step: "APPEND of binary bytes and of nothing, then STRLEN and GET",
                     request: RESPValue.request([b("APPEND"), b("append:bin"), [0, 13, 10, 255]]) + RESPValue.request([b("APPEND"), b("append:bin"), []])
                         + r("STRLEN", "append:bin") + r("GET", "append:bin"),
                     reply: b(":4\r\n:4\r\n:4\r\n$4\r\n") + [0, 13, 10, 255] + b("\r\n"),
                     hint: "Strings are bytes: NUL, CR LF and 0xff are appended as they are, and appending nothing replies the current length."),
            x(r("SET", "append:utf8", "\u{e9}t\u{e9}") + r("STRLEN", "append:utf8"), ok + ":5\r\n", "STRLEN of 'été'",
              hint: "STRLEN counts bytes, not characters: é is two bytes in UTF-8."),
            x(r("SET", "append:n", "10") + r("APPEND", "append:n", "5") + r("INCR", "append:n"), ok + ":3\r\n:106\r\n", "SET 10, APPEND 5, INCR",
              hint: "A number is a string: appending 5 to 10 makes 105, and INCR reads that."),
            x(r("RPUSH", "append:list", "a") + r("APPEND", "append:list", "x") + r("STRLEN", "append:list") + r("LLEN", "append:list"),
              ":1\r\n" + wrongType + wrongType + ":1\r\n", "APPEND and STRLEN of a list", hint: refused),
        ]),

        Scenario.exchanges(stage: 8, "GETRANGE takes negative indexes and clamps like Redis", chapter: chapter + "#the-string-family", [
            x(r("SET", "range:s", "This is a string"), ok, "SET range:s 'This is a string'", hint: "Plain SET."),
            x(r("GETRANGE", "range:s", "0", "3") + r("GETRANGE", "range:s", "-3", "-1") + r("GETRANGE", "range:s", "0", "-1"),
              bulk("This") + bulk("ing") + bulk("This is a string"), "GETRANGE 0 3, -3 -1, 0 -1",
              hint: "Both ends are inclusive; -1 is the last byte."),
            x(r("GETRANGE", "range:s", "10", "100") + r("GETRANGE", "range:s", "-100", "3"), bulk("string") + bulk("This"), "GETRANGE 10 100, -100 3",
              hint: "An end past the string is clamped to its last byte; a start before it to 0."),
            x(r("GETRANGE", "range:s", "5", "2") + r("GETRANGE", "range:s", "100", "200") + r("GETRANGE", "range:s", "-1", "-5"), empty + empty + empty,
              "GETRANGE 5 2, 100 200, -1 -5", hint: "An empty range is the empty bulk string $0\\r\\n\\r\\n, not a null."),
            x(r("GETRANGE", "range:s", "0", "-100"), bulk("T"), "GETRANGE range:s 0 -100",
              hint: "Redis 7.0's quirk: an end still negative after counting from the end becomes 0, so the range is the first byte (LRANGE would be empty)."),
            x(r("GETRANGE", "range:missing", "0", "-1"), empty, "GETRANGE of a missing key", hint: "A missing key is the empty string: $0\\r\\n\\r\\n."),
            x(r("GETRANGE", "range:s", "a", "1") + r("GETRANGE", "range:s", "0", "1.5"), notInteger + notInteger, "GETRANGE with indexes that are not integers",
              hint: "Redis's exact text: -ERR value is not an integer or out of range."),
            x(r("RPUSH", "range:list", "a") + r("GETRANGE", "range:list", "0", "1") + r("GETRANGE", "range:list", "x", "1"), ":1\r\n" + wrongType + notInteger,
              "GETRANGE of a list, with good and bad indexes", hint: "WRONGTYPE for a list; but the indexes are read first, so a bad one is reported instead."),
        ]),

        Scenario.exchanges(stage: 8, "SETRANGE overwrites in place, pads with zero bytes and checks its offset", chapter: chapter + "#the-string-family", [
            x(r("SET", "setrange:s", "Hello World") + r("SETRANGE", "setrange:s", "6", "Redis") + r("GET", "setrange:s"), ok + ":11\r\n" + bulk("Hello Redis"),
              "SET 'Hello World', SETRANGE 6 Redis, GET", hint: "SETRANGE overwrites from the offset on and replies the length."),
            x(r("SETRANGE", "setrange:s", "11", "!!") + r("GET", "setrange:s"), ":13\r\n" + bulk("Hello Redis!!"), "SETRANGE 11 !! (at the end)",
              hint: "Writing past the end makes the string longer."),
            Exchange(step: "SETRANGE setrange:pad 3 abc (missing), then GET",
                     request: r("SETRANGE", "setrange:pad", "3", "abc") + r("GET", "setrange:pad"),
                     reply: b(":6\r\n$6\r\n") + [0, 0, 0] + b("abc\r\n"),
                     hint: "A missing key is created, and the bytes before the offset are zero bytes (\\x00), not spaces."),
            Exchange(step: "SETRANGE setrange:pad 8 z, then GET",
                     request: r("SETRANGE", "setrange:pad", "8", "z") + r("GET", "setrange:pad"),
                     reply: b(":9\r\n$9\r\n") + [0, 0, 0] + b("abc") + [0, 0] + b("z\r\n"),
                     hint: "A gap between the end and the offset is filled with zero bytes too."),
            x(r("SETRANGE", "setrange:s", "100", "") + r("SETRANGE", "setrange:missing", "5", "") + r("EXISTS", "setrange:missing"), ":13\r\n:0\r\n:0\r\n",
              "SETRANGE with an empty value, on the string and on a missing key",
              hint: "An empty value writes nothing: it replies the current length (0 for a missing key) and does not create the key."),
            x(r("SETRANGE", "setrange:s", "-1", "x") + r("SETRANGE", "setrange:s", "abc", "x"), offsetOutOfRange + notInteger, "SETRANGE with offsets -1 and abc",
              hint: "Redis's exact texts: -ERR offset is out of range for a negative offset, -ERR value is not an integer or out of range for one that is not a number."),
            x(r("SETRANGE", "setrange:big", "536870912", "x") + r("SETRANGE", "setrange:big", "9223372036854775807", "x") + r("EXISTS", "setrange:big"),
              tooLong + tooLong + ":0\r\n", "SETRANGE at offset 512 MB, and at the largest offset",
              hint: "The result may not pass 512 MB (proto-max-bulk-len): Redis's exact text is -ERR string exceeds maximum allowed size (proto-max-bulk-len). Check offset + length without overflowing, before allocating anything."),
            x(r("SETRANGE", "setrange:s", "536870911", "xy") + r("STRLEN", "setrange:s"), tooLong + ":13\r\n", "SETRANGE of an existing string past 512 MB",
              hint: "The same limit for an existing string; nothing is written."),
            x(r("RPUSH", "setrange:list", "a") + r("SETRANGE", "setrange:list", "0", "x") + r("SETRANGE", "setrange:list", "-1", "x"),
              ":1\r\n" + wrongType + offsetOutOfRange, "SETRANGE of a list, with offsets 0 and -1",
              hint: "WRONGTYPE for a list; but the offset is checked first, so a negative one is reported instead."),
        ]),

        Scenario.exchanges(stage: 8, "MGET, MSET and MSETNX", chapter: chapter + "#the-string-family", [
            x(r("MSET", "multi:a", "1", "multi:b", "2") + r("MGET", "multi:a", "multi:b"), ok + "*2\r\n" + bulk("1") + bulk("2"),
              "MSET multi:a 1 multi:b 2, MGET multi:a multi:b", hint: "MSET sets every pair and replies +OK; MGET replies an array of the values, in order."),
            x(r("RPUSH", "multi:list", "x") + r("MGET", "multi:a", "multi:missing", "multi:list", "multi:a"),
              ":1\r\n*4\r\n" + bulk("1") + null + null + bulk("1"), "MGET of a string, a missing key, a list, the string again",
              hint: "MGET never answers WRONGTYPE: a missing key and a key of another type are both $-1 in the array."),
            x(r("MSET", "multi:a", "1", "multi:b"), wrongArity("mset"), "MSET multi:a 1 multi:b (a key without its value)",
              hint: "An odd number of arguments after MSET is Redis's arity error: -ERR wrong number of arguments for 'mset' command."),
            x(r("MGET", "multi:b"), "*1\r\n" + bulk("2"), "MGET multi:b after the refused MSET", hint: "The refused MSET wrote nothing."),
            x(r("MSET", "multi:c", "1", "multi:c", "2") + r("GET", "multi:c"), ok + bulk("2"), "MSET of one key twice",
              hint: "The pairs are set in order: the last value wins."),
            x(r("MSETNX", "multi:n1", "a", "multi:n2", "b") + r("MGET", "multi:n1", "multi:n2"), ":1\r\n*2\r\n" + bulk("a") + bulk("b"),
              "MSETNX of two new keys", hint: "MSETNX replies :1 when it set every key."),
            x(r("MSETNX", "multi:n3", "c", "multi:n1", "z") + r("MGET", "multi:n1", "multi:n3"), ":0\r\n*2\r\n" + bulk("a") + null,
              "MSETNX where one key exists", hint: "All or nothing: one existing key and MSETNX replies :0 and sets none of them."),
            x(r("MSETNX", "multi:n4", "c", "multi:list", "z"), ":0\r\n", "MSETNX where one key holds a list",
              hint: "A key of any type exists: :0, and no WRONGTYPE."),
            x(r("MSETNX", "multi:n5", "a", "multi:n6"), wrongArity("msetnx"), "MSETNX with an odd number of arguments", hint: arity),
            x(r("SET", "multi:ttl", "v", "EX", "100") + r("MSET", "multi:ttl", "w", "multi:list", "s") + r("TTL", "multi:ttl") + r("TYPE", "multi:list"),
              ok + ok + ":-1\r\n+string\r\n", "MSET over a key with a TTL and over a list",
              hint: "MSET is SET for each pair: it replaces a value of any type and clears the TTL."),
        ]),

        Scenario.exchanges(stage: 8, "GETSET, GETDEL and SETNX", chapter: chapter + "#the-string-family", [
            x(r("GETSET", "getset:k", "a") + r("GETSET", "getset:k", "b") + r("GET", "getset:k"), null + bulk("a") + bulk("b"),
              "GETSET getset:k a (missing), GETSET b, GET", hint: "GETSET sets the value and replies the old one: $-1 when there was none."),
            x(r("EXPIRE", "getset:k", "100") + r("GETSET", "getset:k", "c") + r("TTL", "getset:k"), ":1\r\n" + bulk("b") + ":-1\r\n",
              "EXPIRE, GETSET, TTL", hint: "GETSET is a SET: it clears the TTL."),
            x(r("RPUSH", "getset:list", "x") + r("GETSET", "getset:list", "v") + r("TYPE", "getset:list"), ":1\r\n" + wrongType + "+list\r\n",
              "GETSET of a list", hint: "GETSET must read the old value as a string: WRONGTYPE, and the list stays."),
            x(r("GETDEL", "getset:k") + r("EXISTS", "getset:k") + r("GETDEL", "getset:k"), bulk("c") + ":0\r\n" + null,
              "GETDEL twice", hint: "GETDEL replies the value and deletes the key; on a missing key it replies $-1."),
            x(r("GETDEL", "getset:list") + r("LLEN", "getset:list"), wrongType + ":1\r\n", "GETDEL of a list",
              hint: "WRONGTYPE, and nothing deleted."),
            x(r("SETNX", "getset:nx", "first") + r("SETNX", "getset:nx", "second") + r("GET", "getset:nx"), ":1\r\n:0\r\n" + bulk("first"),
              "SETNX twice, then GET", hint: "SETNX replies :1 when it set the key and :0 when the key existed (integers, not +OK or $-1)."),
            x(r("SETNX", "getset:list", "v") + r("TYPE", "getset:list"), ":0\r\n+list\r\n", "SETNX of a list",
              hint: "A key of any type exists: :0, no WRONGTYPE."),
        ]),

        Scenario(stage: 8, "GETEX reads a key and sets or removes its TTL", chapter: chapter + "#the-string-family") { server, scenario in
            let client = try scenario.connect(server)
            let chapter = scenario.chapter
            let hint = "GETEX replies the value like GET, and EX/PX/EXAT/PXAT set the TTL (seconds, milliseconds, Unix times), PERSIST removes it."
            try run(client, [
                x(r("SET", "getex:k", "v") + r("GETEX", "getex:k") + r("TTL", "getex:k"), ok + bulk("v") + ":-1\r\n", "SET, GETEX without options, TTL",
                  hint: "Without options GETEX is GET: it changes no TTL."),
                x(r("GETEX", "getex:k", "EX", "100"), bulk("v"), "GETEX getex:k EX 100", hint: hint),
            ])
            try Stage06Scenarios.expectInteger(client, r("TTL", "getex:k"), in: 99...100, step: "TTL after GETEX EX 100", hint: hint, chapter: chapter)
            try client.roundTrip(r("GETEX", "getex:k", "px", "50000"), expect: b(bulk("v")), step: "GETEX getex:k px 50000", hint: hint + " Options ignore case.")
            try Stage06Scenarios.expectInteger(client, r("PTTL", "getex:k"), in: 48_000...50_000, step: "PTTL after GETEX PX 50000", hint: hint, chapter: chapter)
            let inAMinute = Stage06Scenarios.nowMilliseconds() + 60_000
            try client.roundTrip(r("GETEX", "getex:k", "PXAT", String(inAMinute)), expect: b(bulk("v")), step: "GETEX getex:k PXAT <now + 60 s>", hint: hint)
            try Stage06Scenarios.expectInteger(client, r("TTL", "getex:k"), in: 58...60, step: "TTL after GETEX PXAT", hint: hint, chapter: chapter)
            try client.roundTrip(r("GETEX", "getex:k", "EXAT", String(inAMinute / 1000 + 30)), expect: b(bulk("v")), step: "GETEX getex:k EXAT <now + 90 s>", hint: hint)
            try Stage06Scenarios.expectInteger(client, r("TTL", "getex:k"), in: 88...90, step: "TTL after GETEX EXAT", hint: hint, chapter: chapter)
            try client.roundTrip(r("GETEX", "getex:k", "EX", "1", "EX", "100"), expect: b(bulk("v")), step: "GETEX getex:k EX 1 EX 100",
                                 hint: "The same option twice is allowed: the last one wins.")
            try Stage06Scenarios.expectInteger(client, r("TTL", "getex:k"), in: 99...100, step: "TTL after GETEX EX 1 EX 100", hint: hint, chapter: chapter)
            try run(client, [
                x(r("GETEX", "getex:k", "PERSIST") + r("TTL", "getex:k"), bulk("v") + ":-1\r\n", "GETEX PERSIST, TTL", hint: "PERSIST removes the TTL."),
                x(r("GETEX", "getex:k", "EXAT", "1") + r("EXISTS", "getex:k"), bulk("v") + ":0\r\n", "GETEX getex:k EXAT 1 (1970), EXISTS",
                  hint: "A Unix time already past deletes the key, after reading it: the reply is still the value."),
                x(r("GETEX", "getex:missing", "EX", "100") + r("GETEX", "getex:missing", "EX", "abc"), null + null, "GETEX of a missing key, with EX 100 and EX abc",
                  hint: "A missing key is $-1; the number is only read once the key is found, so even EX abc is $-1."),
                x(r("SET", "getex:k", "v") + r("GETEX", "getex:k", "EX", "abc") + r("GETEX", "getex:k", "PX", "1.5"), ok + notInteger + notInteger,
                  "GETEX with times that are not integers", hint: "Redis's exact text: -ERR value is not an integer or out of range."),
                x(r("GETEX", "getex:k", "EX", "0") + r("GETEX", "getex:k", "PX", "-5") + r("GETEX", "getex:k", "EX", "9223372036854775807")
                  + r("GETEX", "getex:k", "PX", "9223372036854775807") + r("TTL", "getex:k"),
                  invalidExpire("getex") + invalidExpire("getex") + invalidExpire("getex") + invalidExpire("getex") + ":-1\r\n",
                  "GETEX with times 0, -5, and too large", hint: "Zero, negative, or so large that the time overflows: -ERR invalid expire time in 'getex' command, and the TTL is unchanged."),
                x(r("GETEX", "getex:k", "EX", "1", "PX", "2") + r("GETEX", "getex:k", "PERSIST", "EX", "1") + r("GETEX", "getex:k", "EX", "1", "PERSIST"),
                  syntaxError + syntaxError + syntaxError, "GETEX with two kinds of time, or a time and PERSIST",
                  hint: "One kind of time, or PERSIST: any other combination is -ERR syntax error."),
                x(r("GETEX", "getex:k", "NX") + r("GETEX", "getex:k", "KEEPTTL") + r("GETEX", "getex:k", "EX") + r("GETEX", "getex:k", "FOO"),
                  syntaxError + syntaxError + syntaxError + syntaxError, "GETEX with NX, KEEPTTL, EX without a number, FOO",
                  hint: "SET's NX, XX, GET and KEEPTTL are no GETEX options; an option missing its number is a syntax error too."),
                x(r("RPUSH", "getex:list", "a") + r("GETEX", "getex:list") + r("GETEX", "getex:list", "EX", "abc"), ":1\r\n" + wrongType + wrongType,
                  "GETEX of a list", hint: "WRONGTYPE, before the number is read."),
            ])
        },

        Scenario(stage: 8, "SETEX and PSETEX set a value with a TTL", chapter: chapter + "#the-string-family") { server, scenario in
            let client = try scenario.connect(server)
            let chapter = scenario.chapter
            let hint = "SETEX key seconds value is SET key value EX seconds (the time comes first); PSETEX takes milliseconds."
            try client.roundTrip(r("SETEX", "setex:k", "100", "v") + r("GET", "setex:k"), expect: b(ok + bulk("v")), step: "SETEX setex:k 100 v, GET", hint: hint)
            try Stage06Scenarios.expectInteger(client, r("TTL", "setex:k"), in: 99...100, step: "TTL setex:k", hint: hint, chapter: chapter)
            try client.roundTrip(r("PSETEX", "setex:p", "50000", "w") + r("GET", "setex:p"), expect: b(ok + bulk("w")), step: "PSETEX setex:p 50000 w, GET", hint: hint)
            try Stage06Scenarios.expectInteger(client, r("PTTL", "setex:p"), in: 48_000...50_000, step: "PTTL setex:p", hint: hint, chapter: chapter)
            try run(client, [
                x(r("SETEX", "setex:k", "0", "v") + r("SETEX", "setex:k", "-5", "v") + r("SETEX", "setex:k", "9223372036854775807", "v"),
                  invalidExpire("setex") + invalidExpire("setex") + invalidExpire("setex"), "SETEX with times 0, -5 and too large",
                  hint: "Redis's exact text names the command: -ERR invalid expire time in 'setex' command."),
                x(r("PSETEX", "setex:p", "0", "v") + r("PSETEX", "setex:p", "9223372036854775807", "v"), invalidExpire("psetex") + invalidExpire("psetex"),
                  "PSETEX with times 0 and too large", hint: "The same, with 'psetex': the time plus now would overflow."),
                x(r("SETEX", "setex:k", "abc", "v") + r("PSETEX", "setex:k", "1.5", "v"), notInteger + notInteger, "SETEX and PSETEX with times that are not integers",
                  hint: "Redis's exact text: -ERR value is not an integer or out of range."),
                x(r("GET", "setex:k"), bulk("v"), "GET setex:k after the refusals", hint: "A refused SETEX writes nothing."),
                x(r("RPUSH", "setex:list", "a") + r("SETEX", "setex:list", "100", "s") + r("TYPE", "setex:list"), ":1\r\n" + ok + "+string\r\n",
                  "SETEX over a list", hint: "Like SET, SETEX replaces a value of any type."),
            ])
        },

        Scenario(stage: 8, "in RESP3, the string family's nulls are _", chapter: chapter + "#the-string-family") { server, scenario in
            let client = try scenario.connect(server)
            let hint = "HELLO 3 must reply with a RESP3 map (%7) and switch the connection to RESP3."
            try client.send(r("HELLO", "3"))
            guard case .map = try client.readReply(step: "HELLO 3", hint: hint) else {
                throw GateFailure(step: "HELLO 3", sent: r("HELLO", "3"), expected: b("%7\r\n..."), hint: hint, chapter: scenario.chapter)
            }
            let null3 = "In RESP3 the null bulk string $-1 is written _\\r\\n, inside an array too."
            try run(client, [
                x(r("SET", "resp3:s", "v") + r("MGET", "resp3:s", "resp3:missing"), ok + "*2\r\n" + bulk("v") + "_\r\n", "MGET of a string and a missing key", hint: null3),
                x(r("GETSET", "resp3:new", "v") + r("GETDEL", "resp3:missing") + r("GETEX", "resp3:missing", "PERSIST"), "_\r\n_\r\n_\r\n",
                  "GETSET, GETDEL and GETEX of missing keys", hint: null3),
                x(r("GETRANGE", "resp3:missing", "0", "-1") + r("INCRBYFLOAT", "resp3:f", "1.5"), empty + bulk("1.5"),
                  "GETRANGE of a missing key and INCRBYFLOAT in RESP3",
                  hint: "GETRANGE's empty string is not a null, and INCRBYFLOAT's sum is still a bulk string in RESP3 (not a double)."),
            ])
        },

        Scenario.exchanges(stage: 8, "wrong number of arguments", chapter: chapter + "#the-string-family", [
            x(r("INCR") + r("INCR", "a", "b") + r("DECR"), wrongArity("incr") + wrongArity("incr") + wrongArity("decr"), "INCR with none or two, DECR with none", hint: arity),
            x(r("INCRBY", "a") + r("DECRBY", "a", "1", "2") + r("INCRBYFLOAT", "a"), wrongArity("incrby") + wrongArity("decrby") + wrongArity("incrbyfloat"),
              "INCRBY, DECRBY and INCRBYFLOAT with a wrong count", hint: arity),
            x(r("APPEND", "a") + r("STRLEN") + r("GETRANGE", "a", "0") + r("SETRANGE", "a", "0"),
              wrongArity("append") + wrongArity("strlen") + wrongArity("getrange") + wrongArity("setrange"), "APPEND, STRLEN, GETRANGE, SETRANGE", hint: arity),
            x(r("MGET") + r("MSET", "a") + r("MSETNX", "a"), wrongArity("mget") + wrongArity("mset") + wrongArity("msetnx"), "MGET, MSET and MSETNX with too few", hint: arity),
            x(r("GETSET", "a") + r("GETDEL") + r("GETEX") + r("SETNX", "a"), wrongArity("getset") + wrongArity("getdel") + wrongArity("getex") + wrongArity("setnx"),
              "GETSET, GETDEL, GETEX, SETNX", hint: arity),
            x(r("SETEX", "a", "1") + r("PSETEX", "a", "1", "v", "x"), wrongArity("setex") + wrongArity("psetex"), "SETEX and PSETEX with a wrong count", hint: arity),
        ]),
    ]

    static let all: [Scenario] = strings + TransactionScenarios.all
}
