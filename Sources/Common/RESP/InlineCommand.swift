// @chapter 3
/// Splits an inline command line into words, as Redis does.
///
/// Inline commands exist for humans: `telnet localhost 6379`, then type
/// `ECHO "hello world"`. The rules are those of Redis's `sdssplitargs`:
/// - words are separated by spaces, tabs, CR, LF (and, between words, any
///   other whitespace);
/// - `"double quotes"` allow spaces and the escapes `\n \r \t \b \a \\ \"`
///   and `\xHH`;
/// - `'single quotes'` take everything literally except `\'`;
/// - a closing quote must be followed by a space or the end of the line,
///   otherwise the line is rejected as "unbalanced quotes".
public enum InlineCommand {
    /// The words of `line`, or `ProtocolError.unbalancedQuotes`.
    package static func split<Line: Collection>(_ line: Line) throws(ProtocolError) -> [[UInt8]] where Line.Element == UInt8 {
        // Most lines are plain words (`PING`, `SET k v`, redis-benchmark's
        // PING_INLINE): with no quote and no NUL, none of the rules below
        // applies but the separators, so each word is copied once, at its
        // size, rather than byte by byte into a copy of the line.
        if !line.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'") || $0 == 0 }) {
            return plainWords(line)
        }
        // Redis handles the line as a C string: a NUL byte ends it. (The
        // request parser never passes a line with a NUL, since Redis's search
        // for the newline stops there too; other callers might.)
        let bytes = Array(line.upToNul)
        var words: [[UInt8]] = []
        var index = 0
        let end = bytes.count
        /// The byte at `i`, or 0 past the end (the C string's terminator).
        func byte(at i: Int) -> UInt8 { i < end ? bytes[i] : 0 }

        while true {
            while index < end && isWhitespace(bytes[index]) { index += 1 }
            if index == end { return words }

            var word: [UInt8] = []
            var inDoubleQuotes = false
            var inSingleQuotes = false
            var done = false
            while !done {
                let current = byte(at: index)
                if inDoubleQuotes {
                    if current == UInt8(ascii: "\\") && byte(at: index + 1) == UInt8(ascii: "x"),
                       let high = hexValue(byte(at: index + 2)), let low = hexValue(byte(at: index + 3)) {
                        word.append(high << 4 | low)
                        index += 3
                    } else if current == UInt8(ascii: "\\") && index + 1 < end {
                        index += 1
                        word.append(unescape(bytes[index]))
                    } else if current == UInt8(ascii: "\"") {
                        if index + 1 < end && !isWhitespace(bytes[index + 1]) { throw .unbalancedQuotes }
                        done = true
                    } else if index >= end {
                        throw .unbalancedQuotes
                    } else {
                        word.append(current)
                    }
                } else if inSingleQuotes {
                    if current == UInt8(ascii: "\\") && byte(at: index + 1) == UInt8(ascii: "'") {
                        index += 1
                        word.append(UInt8(ascii: "'"))
                    } else if current == UInt8(ascii: "'") {
                        if index + 1 < end && !isWhitespace(bytes[index + 1]) { throw .unbalancedQuotes }
                        done = true
                    } else if index >= end {
                        throw .unbalancedQuotes
                    } else {
                        word.append(current)
                    }
                } else {
                    switch current {
                    case UInt8(ascii: " "), 10, 13, 9, 0:
                        done = true
                    case UInt8(ascii: "\""):
                        inDoubleQuotes = true
                    case UInt8(ascii: "'"):
                        inSingleQuotes = true
                    default:
                        word.append(current)
                    }
                }
                if index < end { index += 1 }
            }
            words.append(word)
        }
    }

    /// C's `isspace`: space, \t, \n, \v, \f, \r.
    /// The words of a line without quotes or NUL bytes.
    ///
    /// The same separators as `split`: any whitespace before a word, and a
    /// word ends at a space, tab, CR or LF (a vertical tab or form feed
    /// inside a word belongs to it, as in `sdssplitargs`).
    private static func plainWords<Line: Collection>(_ line: Line) -> [[UInt8]] where Line.Element == UInt8 {
        var words: [[UInt8]] = []
        var start = line.startIndex
        while true {
            while start != line.endIndex && isWhitespace(line[start]) { line.formIndex(after: &start) }
            if start == line.endIndex { return words }
            var end = start
            while end != line.endIndex && !endsWord(line[end]) { line.formIndex(after: &end) }
            words.append(Array(line[start..<end]))
            start = end
        }
    }

    /// True for the bytes that end an unquoted word: space, tab, CR, LF.
    private static func endsWord(_ byte: UInt8) -> Bool {
        byte == 32 || byte == 9 || byte == 13 || byte == 10
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 32 || (9...13).contains(byte)
    }

    /// The value of one hexadecimal digit, or nil.
    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The byte a backslash escape inside double quotes stands for.
    private static func unescape(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "n"): return 10
        case UInt8(ascii: "r"): return 13
        case UInt8(ascii: "t"): return 9
        case UInt8(ascii: "b"): return 8
        case UInt8(ascii: "a"): return 7
        default: return byte
        }
    }
}
