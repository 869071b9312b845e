import Common

/// Parses the replies a server sends, for clients and tests.
///
/// A server parses *requests* (`RequestParser`); a client parses *replies*,
/// which may be any RESP value, nested arrays included. Like the request
/// parser it is incremental: `next()` returns nil until a whole reply has
/// arrived.
package struct ReplyParser: Sendable {
    /// Bytes received and not yet returned as a value.
    private var buffer: [UInt8] = []
    /// Where the unparsed bytes start.
    private var position = 0

    /// A malformed reply: the server broke the protocol.
    public struct MalformedReply: Error, Equatable, Sendable, CustomStringConvertible {
        /// What was wrong.
        public var reason: String
        public var description: String { "malformed reply: \(reason)" }
    }

    /// An empty parser.
    public init() {}

    /// Bytes received and not yet parsed.
    public var unparsedBytes: ArraySlice<UInt8> {
        self.buffer[self.position...]
    }

    /// Adds bytes read from the server.
    public mutating func append<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if self.position > 0 {
            self.buffer.removeSubrange(0..<self.position)
            self.position = 0
        }
        self.buffer.append(contentsOf: bytes)
    }

    /// The next complete reply, or nil if it has not fully arrived.
    public mutating func next() throws(MalformedReply) -> RESPValue? {
        var cursor = self.position
        guard let value = try ReplyParser.parseValue(self.buffer, at: &cursor) else { return nil }
        self.position = cursor
        return value
    }

    /// How deeply arrays and maps may nest. Each level is one recursive
    /// call, so without a limit a server sending `*1\r\n` over and over
    /// (200 KB is enough) overflows the stack (a fuzzing finding:
    /// FuzzRegressionTests.replyNestedTooDeeply). Real replies nest a few
    /// levels; redis-cli's own reader stops at 7.
    public static let maxNesting = 256

    /// Parses one value starting at `cursor`, moving it past the value.
    /// Returns nil (and leaves `cursor` meaningless) if the value is incomplete.
    /// `depth` counts the arrays and maps around it.
    private static func parseValue(_ bytes: [UInt8], at cursor: inout Int, depth: Int = 0) throws(MalformedReply) -> RESPValue? {
        guard cursor < bytes.count else { return nil }
        let marker = bytes[cursor]
        if marker == UInt8(ascii: "*") || marker == UInt8(ascii: "%") || marker == UInt8(ascii: ">"),
           depth >= ReplyParser.maxNesting {
            throw MalformedReply(reason: "arrays nested more than \(ReplyParser.maxNesting) deep")
        }
        guard let line = ReplyParser.line(bytes, from: cursor + 1) else { return nil }
        let text = Array(bytes[(cursor + 1)..<line])
        cursor = line + 2
        switch marker {
        case UInt8(ascii: "+"):
            return .simpleString(text)
        case UInt8(ascii: "-"):
            return .error(text)
        case UInt8(ascii: ":"):
            guard let value = RequestParser.parseInteger(text) else { throw MalformedReply(reason: "bad integer '\(text.escaped)'") }
            return .integer(value)
        case UInt8(ascii: "$"):
            guard let length = RequestParser.parseInteger(text) else { throw MalformedReply(reason: "bad bulk length '\(text.escaped)'") }
            if length == -1 { return .nullBulkString }
            guard length >= 0 else { throw MalformedReply(reason: "bad bulk length \(length)") }
            // Subtract rather than add: a server may announce a length near
            // Int.max, and `length + 2` would then overflow and trap (found
            // by the fuzzer: FuzzRegressionTests.replyWithHugeBulkLength).
            guard bytes.count - cursor - 2 >= length else { return nil }
            let payload = Array(bytes[cursor..<(cursor + length)])
            guard bytes[cursor + length] == 13, bytes[cursor + length + 1] == 10 else {
                throw MalformedReply(reason: "bulk string of \(length) bytes not followed by \\r\\n")
            }
            cursor += length + 2
            return .bulkString(payload)
        case UInt8(ascii: "*"), UInt8(ascii: ">"):
            // `>` is RESP3's push (a pub/sub message): an array the server
            // sent on its own.
            guard let count = RequestParser.parseInteger(text) else { throw MalformedReply(reason: "bad array length '\(text.escaped)'") }
            if count == -1, marker == UInt8(ascii: "*") { return .nullArray }
            guard count >= 0 else { throw MalformedReply(reason: "bad array length \(count)") }
            var elements: [RESPValue] = []
            elements.reserveCapacity(min(count, 1024))
            for _ in 0..<count {
                guard let element = try parseValue(bytes, at: &cursor, depth: depth + 1) else { return nil }
                elements.append(element)
            }
            return marker == UInt8(ascii: ">") ? .push(elements) : .array(elements)
        case UInt8(ascii: "_"):
            // RESP3's null.
            return .nullBulkString
        case UInt8(ascii: "%"):
            guard let pairs = RequestParser.parseInteger(text), pairs >= 0 else { throw MalformedReply(reason: "bad map length '\(text.escaped)'") }
            var elements: [RESPValue] = []
            // Two elements per pair, rather than `0..<(pairs * 2)`: that
            // product overflows and traps for a count above Int.max / 2
            // (a fuzzing finding: FuzzRegressionTests.replyWithHugeMapCount).
            for _ in 0..<pairs {
                for _ in 0..<2 {
                    guard let element = try parseValue(bytes, at: &cursor, depth: depth + 1) else { return nil }
                    elements.append(element)
                }
            }
            return .map(elements)
        default:
            throw MalformedReply(reason: "unknown type byte '\([marker].escaped)'")
        }
    }

    /// The index of the `\r` of the `\r\n` that ends the line starting at
    /// `start`, or nil if the line has not fully arrived.
    private static func line(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == 13 && bytes[index + 1] == 10 { return index }
            index += 1
        }
        return nil
    }
}
