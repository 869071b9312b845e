/// Small helpers for working with byte strings without converting them to
/// `String`: keys, values and command names are all `[UInt8]`.
extension Collection where Element == UInt8 {
    // snippet: equals-ignoring-case
    /// True when the bytes spell `name`, ignoring ASCII case: command names
    /// are case-insensitive, so `PING`, `ping` and `PiNg` are one command.
    ///
    /// Compares byte by byte, with no allocation: this runs for every command.
    /// `@inlinable` lets the stages compile it for `[UInt8]` itself; a call
    /// across modules to a generic function would otherwise walk the bytes
    /// through the slow, type-erased path.
    @inlinable
    public func equalsIgnoringASCIICase(_ name: StaticString) -> Bool {
        guard self.count == name.utf8CodeUnitCount else { return false }
        return name.withUTF8Buffer { expected in
            var index = 0
            for byte in self {
                if Self.lowercased(byte) != Self.lowercased(expected[index]) { return false }
                index += 1
            }
            return true
        }
    }
    // end-snippet

    /// The ASCII lowercase of one byte; other bytes are returned unchanged.
    @usableFromInline
    static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }

    /// The bytes as they would appear in a C string literal: printable ASCII
    /// as is, and `\r`, `\n`, `\t`, `\\`, `\"` and `\xHH` for the rest.
    /// Test failures use it so that `+PONG\r\n` is readable.
    public var escaped: String {
        var text = ""
        for byte in self {
            switch byte {
            case 13: text += "\\r"
            case 10: text += "\\n"
            case 9: text += "\\t"
            case UInt8(ascii: "\\"): text += "\\\\"
            case UInt8(ascii: "\""): text += "\\\""
            case 32...126: text.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: false)
                text += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return text
    }
}
