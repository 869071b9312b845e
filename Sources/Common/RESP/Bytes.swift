// @chapter 0
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
    package func equalsIgnoringASCIICase(_ name: StaticString) -> Bool {
        guard self.count == name.utf8CodeUnitCount else { return false }
        return name.withUTF8Buffer { expected in
            var index = 0
            for byte in self {
                if byte.lowercasedASCII != expected[index].lowercasedASCII { return false }
                index += 1
            }
            return true
        }
    }
    // end-snippet

    /// True when both spell the same bytes, ignoring ASCII case.
    @inlinable
    package func equalsIgnoringASCIICase(_ other: some Collection<UInt8>) -> Bool {
        self.count == other.count && zip(self, other).allSatisfy { $0.lowercasedASCII == $1.lowercasedASCII }
    }

    /// The bytes before the first NUL (all of them if there is none).
    ///
    /// Redis formats many error texts with C's `%s`, which stops at a NUL
    /// byte: `ECHO` of `a\0b` is fine, but an unknown command `a\0b` is
    /// reported as `'a'`. Our error texts do the same, through here.
    package var upToNul: SubSequence {
        self.prefix { $0 != 0 }
    }

    /// The bytes as they would appear in a C string literal: printable ASCII
    /// as is, and `\r`, `\n`, `\t`, `\\`, `\"` and `\xHH` for the rest.
    /// Test failures use it so that `+PONG\r\n` is readable.
    package var escaped: String {
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

extension UInt8 {
    /// The ASCII lowercase of this byte; every other byte is unchanged.
    /// The one case-folding routine of the server: command names, options
    /// and CONFIG parameters all go through it.
    @inlinable
    package var lowercasedASCII: UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self) ? self | 0x20 : self
    }
}
