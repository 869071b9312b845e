import Common

/// Formats replies the way redis-cli shows them in a terminal:
///
/// ```
/// OK                       simple string
/// "bar"                    bulk string, quoted and escaped
/// (nil)                    null
/// (integer) 1              integer
/// (error) ERR ...          error
/// 1) "a"                   array, numbered; nested arrays are indented
/// 2) 1) "b"
///    2) "c"
/// (empty array)            empty array
/// ```
package enum ReplyFormatter {
    /// The text redis-cli would print for `value` (without a final newline).
    public static func format(_ value: RESPValue) -> String {
        self.lines(value).joined(separator: "\n")
    }

    /// The lines of `value`'s text.
    private static func lines(_ value: RESPValue) -> [String] {
        switch value {
        case .simpleString(let text):
            return [String(decoding: text, as: UTF8.self)]
        case .error(let text):
            return ["(error) " + String(decoding: text, as: UTF8.self)]
        case .integer(let number):
            return ["(integer) \(number)"]
        case .bulkString(let bytes):
            return [quoted(bytes)]
        case .nullBulkString, .nullArray:
            return ["(nil)"]
        // redis-cli prints a push (a pub/sub message) as it prints an array.
        case .array(let elements), .map(let elements), .push(let elements):
            if elements.isEmpty { return ["(empty array)"] }
            var result: [String] = []
            // Numbers are right-aligned to the widest: " 9)" then "10)".
            let width = String(elements.count).count
            for (index, element) in elements.enumerated() {
                let number = String(index + 1)
                let label = String(repeating: " ", count: width - number.count) + number + ") "
                let indent = String(repeating: " ", count: label.count)
                for (line, text) in lines(element).enumerated() {
                    result.append((line == 0 ? label : indent) + text)
                }
            }
            return result
        }
    }

    /// `"..."` with redis-cli's escapes: `\\`, `\"`, `\n`, `\r`, `\t`, `\a`,
    /// `\b`, and `\xHH` for other unprintable bytes.
    public static func quoted(_ bytes: [UInt8]) -> String {
        var text = "\""
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"): text += "\\\\"
            case UInt8(ascii: "\""): text += "\\\""
            case 10: text += "\\n"
            case 13: text += "\\r"
            case 9: text += "\\t"
            case 7: text += "\\a"
            case 8: text += "\\b"
            case 32...126: text.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16)
                text += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return text + "\""
    }
}
