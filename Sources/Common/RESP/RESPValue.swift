// @chapter 2
/// One value of RESP, the REdis Serialization Protocol (version 2).
///
/// Every RESP value starts with a one-byte type marker and ends with `\r\n`:
///
/// | case            | bytes on the wire            |
/// |-----------------|------------------------------|
/// | `simpleString`  | `+PONG\r\n`                  |
/// | `error`         | `-ERR unknown command\r\n`   |
/// | `integer`       | `:42\r\n`                    |
/// | `bulkString`    | `$5\r\nhello\r\n`            |
/// | `nullBulkString`| `$-1\r\n`                    |
/// | `array`         | `*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n` |
/// | `nullArray`     | `*-1\r\n`                    |
///
/// Strings are byte arrays, not `String`: Redis keys and values are
/// binary-safe, and a `String` would mangle bytes that are not UTF-8.
public enum RESPValue: Equatable, Hashable, Sendable {
    /// A short status line that cannot contain `\r` or `\n` (`+OK`).
    case simpleString([UInt8])
    /// An error line; by convention it starts with a code such as `ERR`.
    case error([UInt8])
    /// A signed 64-bit integer.
    case integer(Int)
    /// A length-prefixed, binary-safe string.
    case bulkString([UInt8])
    /// The "nil" bulk string, `$-1\r\n`: what GET returns for a missing key.
    case nullBulkString
    /// A list of values, which may nest.
    case array([RESPValue])
    /// The "nil" array, `*-1\r\n`.
    case nullArray
    /// Key-value pairs, flattened: `[key1, value1, key2, value2, ...]`. RESP2
    /// has no map type, so it is sent as an array of twice the length; RESP3
    /// sends `%<pairs>\r\n` (see `RESPVersion`).
    case map([RESPValue])
    // @chapter 9 {
    /// Out-of-band data the server sends on its own: a pub/sub message, or
    /// a subscribe confirmation. A push frame (`>`) in RESP3; in RESP2 it
    /// is framed as an array, which is all RESP2 has.
    case push([RESPValue])
    // @}

    /// A simple string from text, such as `.simpleString(text: "PONG")`.
    package static func simpleString(text: String) -> RESPValue {
        .simpleString(Array(text.utf8))
    }

    /// An error from text, such as `.error(text: "ERR syntax error")`.
    public static func error(text: String) -> RESPValue {
        .error(Array(text.utf8))
    }

    /// A bulk string from text.
    package static func bulkString(text: String) -> RESPValue {
        .bulkString(Array(text.utf8))
    }

    /// `+OK\r\n`, the reply of every successful write.
    package static let ok = RESPValue.simpleString(text: "OK")
    // @chapter 8 {
    /// `+QUEUED\r\n`, the reply to a command queued inside MULTI.
    package static let queued = RESPValue.simpleString(text: "QUEUED")
    // @}
}

// MARK: - Encoding

extension RESPValue {
    /// The value as bytes on the wire.
    package var encoded: [UInt8] {
        var bytes: [UInt8] = []
        self.encode(into: &bytes)
        return bytes
    }
    // @chapter 9 {

    /// The bytes of this value in `version`.
    package func encoded(version: RESPVersion) -> [UInt8] {
        var bytes: [UInt8] = []
        self.encode(into: &bytes, version: version)
        return bytes
    }
    // @}

    /// Appends the value's wire form to `out`.
    ///
    /// Appending to one growing buffer (rather than returning a new array per
    /// value) lets a server collect the replies to ten pipelined commands and
    /// send them with a single `send`.
    ///
    /// - Parameter version: RESP2 (the default), or RESP3 for a client that
    ///   asked for it with `HELLO 3`. They differ only in nulls and maps here.
    package func encode(into out: inout [UInt8], version: RESPVersion = .resp2) {
        switch self {
        case .simpleString(let text):
            out.append(UInt8(ascii: "+"))
            RESPValue.appendLine(text, into: &out)
        case .error(let text):
            out.append(UInt8(ascii: "-"))
            RESPValue.appendLine(text, into: &out)
        case .integer(let value):
            out.append(UInt8(ascii: ":"))
            out.appendDecimal(value)
            out.appendCRLF()
        case .bulkString(let bytes):
            out.append(UInt8(ascii: "$"))
            out.appendDecimal(bytes.count)
            out.appendCRLF()
            out.append(contentsOf: bytes)
            out.appendCRLF()
        case .nullBulkString:
            out.append(contentsOf: version == .resp3 ? RESPValue.resp3NullBytes : RESPValue.nullBulkStringBytes)
        case .array(let elements):
            out.append(UInt8(ascii: "*"))
            out.appendDecimal(elements.count)
            out.appendCRLF()
            for element in elements {
                element.encode(into: &out, version: version)
            }
        case .nullArray:
            out.append(contentsOf: version == .resp3 ? RESPValue.resp3NullBytes : RESPValue.nullArrayBytes)
        case .map(let flattened):
            if version == .resp3 {
                out.append(UInt8(ascii: "%"))
                out.appendDecimal(flattened.count / 2)
            } else {
                out.append(UInt8(ascii: "*"))
                out.appendDecimal(flattened.count)
            }
            out.appendCRLF()
            for element in flattened {
                element.encode(into: &out, version: version)
            }
        // @chapter 9 {
        // snippet: push-encode
        case .push(let elements):
            out.append(version == .resp3 ? UInt8(ascii: ">") : UInt8(ascii: "*"))
            out.appendDecimal(elements.count)
            out.appendCRLF()
            for element in elements {
                element.encode(into: &out, version: version)
            }
        // end-snippet
        // @}
        }
    }

    /// Encodes a client request: an array of bulk strings, which is how
    /// every client (redis-cli included) sends a command.
    package static func request(_ arguments: [[UInt8]]) -> [UInt8] {
        RESPValue.array(arguments.map { .bulkString($0) }).encoded
    }

    /// Encodes a client request from text words: `request("ECHO", "hi")`.
    package static func request(_ words: String...) -> [UInt8] {
        request(words.map { Array($0.utf8) })
    }

    /// Appends a simple string or error line. A line may not contain CR or
    /// LF (they would end it early), so they become spaces, as Redis does.
    private static func appendLine(_ text: [UInt8], into out: inout [UInt8]) {
        for byte in text {
            out.append(byte == 13 || byte == 10 ? UInt8(ascii: " ") : byte)
        }
        out.appendCRLF()
    }

    static let nullBulkStringBytes: [UInt8] = Array("$-1\r\n".utf8)
    static let nullArrayBytes: [UInt8] = Array("*-1\r\n".utf8)
    static let resp3NullBytes: [UInt8] = Array("_\r\n".utf8)
    static let emptyArrayBytes: [UInt8] = Array("*0\r\n".utf8) // @chapter 7
}

/// The protocol version a connection speaks. Every connection starts with
/// RESP2; `HELLO 3` switches it to RESP3, which adds types such as maps and
/// a single null (`_\r\n`). redis-py 8 sends `HELLO 3` as it connects.
public enum RESPVersion: Int, Sendable {
    /// The classic protocol (the default).
    case resp2 = 2
    /// The protocol of Redis 6 and later, chosen with `HELLO 3`.
    case resp3 = 3
}

extension Array where Element == UInt8 {
    /// Appends `\r\n`, which ends every line of RESP. Two plain appends:
    /// `append(contentsOf: crlf)` would be a call, with a retain and a
    /// release of the shared `crlf` array, two or three times per reply.
    package mutating func appendCRLF() {
        self.append(13)
        self.append(10)
    }

    /// Appends `value` in decimal ASCII, without going through `String`.
    package mutating func appendDecimal(_ value: Int) {
        // Every reply's lengths and integers come through here, so it is hot.
        // The digits are made last to first, into 20 bytes on the stack (a
        // UInt64 has at most 20), then appended in one go. Dividing by the
        // constant 10 compiles to a multiplication.
        var magnitude = value.magnitude // Unsigned, so that Int.min does not overflow.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 21) { digits in
            var start = digits.count
            repeat {
                let (quotient, digit) = magnitude.quotientAndRemainder(dividingBy: 10)
                start -= 1
                digits[start] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: digit)
                magnitude = quotient
            } while magnitude > 0
            if value < 0 {
                start -= 1
                digits[start] = UInt8(ascii: "-")
            }
            self.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }
}
