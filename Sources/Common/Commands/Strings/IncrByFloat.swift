// @chapter 8
/// `INCRBYFLOAT key increment`: add a floating-point number to the number
/// a string holds, and reply with the sum as a bulk string (a float has no
/// RESP2 type of its own).
///
/// The arithmetic is a C `long double`'s, and the text of the sum is
/// Redis's: `10.5` plus `0.1` is `10.6`, `3.0e3` plus `5.0e3` is `8000`,
/// never in exponent form, at most 17 decimals (`LongDouble.swift` says
/// how, and what happens on machines without 80-bit floats). The key keeps
/// its TTL, like INCR's.
///
/// The order of the checks is not INCRBY's: Redis looks the key up first,
/// so `INCRBYFLOAT list abc` is `WRONGTYPE`. Then the stored value, then
/// the increment, both `value is not a valid float` when unreadable; and
/// a sum that is infinite is refused with nothing written.
public struct IncrByFloat: Command, Equatable {
    public static let name = "incrbyfloat"
    public static let arity = 3
    public static let flags: CommandFlags = [.write]

    /// The key.
    package var key: [UInt8]
    /// The increment as given: read only after the key's type is checked.
    package var increment: [UInt8]

    /// Keeps the arguments; nothing is checked yet (see above).
    public init(parsing arguments: [[UInt8]]) {
        self.key = arguments[1]
        self.increment = arguments[2]
    }

    /// The sum of `stored` (nil for a missing key: 0) and `increment`, as
    /// the text Redis stores and replies, or Redis's error.
    package static func sum(stored: [UInt8]?, increment: [UInt8]) throws(CommandError) -> [UInt8] {
        var value: LongDouble = 0
        if let stored {
            guard let number = LongDoubleText.parse(stored) else { throw .notAFloat }
            value = number
        }
        guard let amount = LongDoubleText.parse(increment) else { throw .notAFloat }
        value += amount
        // An operand may be `inf` as written: the sum is then infinite, or
        // NaN (inf + -inf). Either way, refused.
        guard value.isFinite else { throw .nanOrInfinity }
        return LongDoubleText.format(value)
    }

    /// Reads, adds and writes the sum's text in place, under one lock.
    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        let text = try context.store.withDatabase { database throws(CommandError) -> [UInt8] in
            try database.modifyString(self.key, creating: true) { bytes, existed throws(CommandError) -> [UInt8] in
                let text = try IncrByFloat.sum(stored: existed ? bytes : nil, increment: self.increment)
                bytes = text
                return text
            }
        }
        return .reply(.bulkString(text))
    }
}
