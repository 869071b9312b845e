import Common

/// What a `ReplyParser` made of a byte stream.
struct ParsedReplies: Equatable {
    /// Every value `next()` returned, in order.
    var values: [RESPValue] = []
    /// The error that stopped parsing, if any.
    var error: ReplyParser.MalformedReply?
    /// Bytes not yet parsed at the end (0 after an error).
    var unparsedByteCount = 0

    /// A readable summary for crash messages.
    var summary: String {
        "values: \(self.values.map { shown($0.encoded) }), error: \(self.error.map { "\($0)" } ?? "none"), unparsed: \(self.unparsedByteCount)"
    }
}

/// The reply side of RESP. `ReplyParser` reads what servers send, and
/// `stage-tester` points it at servers we did not write, so arbitrary bytes
/// must never crash it. Invariants:
/// - however the bytes are cut, the same values and the same error come out;
/// - a value, encoded again (RESP2 and RESP3) and parsed, gives the value
///   back, up to what the wire cannot carry (see `afterWire`).
enum ReplyChecks {
    /// Parses `input` as replies, whole and cut, and round-trips each value.
    static func run(on input: [UInt8], seed: UInt64) {
        let whole = parse(input, at: [])
        for cuts in Chunkings.cuts(count: input.count, seed: seed) {
            let cut = parse(input, at: cuts)
            invariant(cut == whole, """
                cutting the input at \(cuts.count > 4 ? "every byte" : "\(cuts)") changed the replies it parses to
                  input: \(shown(input))
                  whole: \(whole.summary)
                  cut:   \(cut.summary)
                """)
        }
        for value in whole.values {
            for version in [RESPVersion.resp2, .resp3] {
                checkEncoding(of: value, version: version, isServerReply: false,
                              context: "a reply parsed from \(shown(input))")
            }
        }
    }

    /// Feeds `input` to a new reply parser in the pieces `cuts` makes.
    static func parse(_ input: [UInt8], at cuts: [Int]) -> ParsedReplies {
        var parser = ReplyParser()
        var result = ParsedReplies()
        for piece in Chunkings.pieces(input, at: cuts) {
            parser.append(piece)
            do {
                while let value = try parser.next() { result.values.append(value) }
            } catch {
                result.error = error
                return result
            }
        }
        result.unparsedByteCount = parser.unparsedBytes.count
        return result
    }

    /// Encodes `value` as a server sends it and checks that `ReplyParser`
    /// reads exactly one value back, the one the wire can carry. For our
    /// own server's replies (`isServerReply`), errors must also start with
    /// an uppercase code, which clients use to tell errors apart.
    static func checkEncoding(of value: RESPValue, version: RESPVersion, isServerReply: Bool, context: @autoclosure () -> String) {
        var bytes: [UInt8] = []
        value.encode(into: &bytes, version: version)
        var parser = ReplyParser()
        parser.append(bytes)
        let parsed: RESPValue?
        do {
            parsed = try parser.next()
        } catch {
            fatalError("fuzz invariant failed: ReplyParser rejects \(shown(bytes)) (\(error)), \(context())")
        }
        let expected = afterWire(value, version: version)
        invariant(parsed == expected, """
            \(version) encoding does not parse back, \(context())
              encoded:  \(shown(bytes))
              expected: \(shown(expected.encoded))
              parsed:   \(parsed.map { shown($0.encoded) } ?? "nothing (incomplete)")
            """)
        invariant(parser.unparsedBytes.isEmpty, "\(parser.unparsedBytes.count) bytes left after one reply \(shown(bytes)), \(context())")
        if isServerReply, case .error(let text) = value {
            invariant(text.first.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) } ?? false,
                      "error reply \(shown(text)) does not start with an uppercase code, \(context())")
        }
    }

    /// What `value` becomes once encoded in `version` and parsed again:
    /// CR and LF in a simple string or error become spaces (a line cannot
    /// hold them); RESP2 sends a map as a flat array; RESP3 has one null.
    static func afterWire(_ value: RESPValue, version: RESPVersion) -> RESPValue {
        /// The line with CR and LF replaced, as the encoder does.
        func line(_ text: [UInt8]) -> [UInt8] {
            text.map { $0 == 13 || $0 == 10 ? UInt8(ascii: " ") : $0 }
        }
        switch value {
        case .simpleString(let text): return .simpleString(line(text))
        case .error(let text): return .error(line(text))
        case .integer, .bulkString, .nullBulkString: return value
        case .nullArray: return version == .resp3 ? .nullBulkString : .nullArray
        case .array(let elements): return .array(elements.map { afterWire($0, version: version) })
        case .map(let flattened):
            invariant(flattened.count % 2 == 0, "a map with an odd number (\(flattened.count)) of keys and values")
            let elements = flattened.map { afterWire($0, version: version) }
            return version == .resp3 ? .map(elements) : .array(elements)
        case .push(let elements):
            let elements = elements.map { afterWire($0, version: version) }
            return version == .resp3 ? .push(elements) : .array(elements)
        }
    }
}
