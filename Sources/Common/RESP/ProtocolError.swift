// @chapter 2
/// Input that breaks the RESP framing rules.
///
/// Redis answers each with `-ERR Protocol error: ...` and then **closes the
/// connection**: after a framing error it can no longer tell where the next
/// command starts, so carrying on would mean guessing. The texts below are
/// Redis 7's own, byte for byte.
public enum ProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `*` followed by something that is not an integer, or one above 2^31-1.
    case invalidMultibulkLength
    /// `$` followed by something that is not an integer from 0 to 512 MB.
    case invalidBulkLength
    /// Inside an array, an element that does not start with `$`.
    case expectedDollar(got: UInt8)
    /// An array header line longer than 64 KB without its `\r`.
    case tooBigMultibulkCount
    /// A bulk length line longer than 64 KB without its `\r`.
    case tooBigBulkCount
    /// An inline command longer than 64 KB without its `\n`.
    case tooBigInlineRequest
    // @chapter 3 {
    /// An inline command with a quote that never closes, or a closing quote
    /// followed by something other than a space.
    case unbalancedQuotes
    // @}

    /// The message Redis sends, without the leading `-ERR `.
    package var message: [UInt8] {
        switch self {
        case .invalidMultibulkLength: return Array("Protocol error: invalid multibulk length".utf8)
        case .invalidBulkLength: return Array("Protocol error: invalid bulk length".utf8)
        case .expectedDollar(let got): return Array("Protocol error: expected '$', got '".utf8) + [got, UInt8(ascii: "'")]
        case .tooBigMultibulkCount: return Array("Protocol error: too big mbulk count string".utf8)
        case .tooBigBulkCount: return Array("Protocol error: too big bulk count string".utf8)
        case .tooBigInlineRequest: return Array("Protocol error: too big inline request".utf8)
        case .unbalancedQuotes: return Array("Protocol error: unbalanced quotes in request".utf8) // @chapter 3
        }
    }

    /// The reply to send before closing: `-ERR Protocol error: ...\r\n`.
    package var reply: RESPValue {
        .error(Array("ERR ".utf8) + self.message)
    }

    public var description: String {
        String(decoding: self.message, as: UTF8.self)
    }
}
