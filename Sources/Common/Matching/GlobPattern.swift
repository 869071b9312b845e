// @chapter 5
/// Redis's glob matching, rule for rule: what `CONFIG GET`, `PSUBSCRIBE`
/// and `PUBSUB CHANNELS` (and a later `KEYS` or `SCAN MATCH`) mean by a
/// pattern.
///
/// - `*` matches any run of bytes, `?` any one byte;
/// - `[abc]` one of these, `[^abc]` any other, `[a-z]` a range (`[z-a]`
///   is the same range), `\]` a literal inside brackets;
/// - `\x` matches `x` itself, so `\*` is a star.
///
/// Redis's quirks are kept, because patterns must match what they match
/// there: a pattern never matches the empty string (not even `*`); an
/// unclosed `[` ends the pattern; a trailing `\` is a literal backslash.
///
/// A star is tried at every position, which is exponential for patterns
/// like `*a*a*a*a*b` unless cut short: once the rest of the pattern after a
/// star failed from every position, no earlier star can do better by
/// matching more, so the whole match fails at once (Redis 7.0.15 does the
/// same since CVE-2022-36021).
package enum GlobPattern {
    /// True if `text` matches `pattern`; ASCII case is ignored if asked.
    package static func matches(pattern: [UInt8], _ text: [UInt8], ignoringCase: Bool) -> Bool {
        var gaveUp = false
        return pattern.withUnsafeBufferPointer { pattern in
            text.withUnsafeBufferPointer { text in
                match(pattern, 0, text, 0, ignoringCase, &gaveUp)
            }
        }
    }

    private static func match(_ pattern: UnsafeBufferPointer<UInt8>, _ p: Int, _ text: UnsafeBufferPointer<UInt8>, _ t: Int,
                              _ ignoringCase: Bool, _ gaveUp: inout Bool) -> Bool {
        @inline(__always) func fold(_ byte: UInt8) -> UInt8 { ignoringCase ? byte.lowercasedASCII : byte }
        var p = p, t = t
        // Both must have bytes left: Redis stops as soon as either ends.
        while p < pattern.count && t < text.count {
            switch pattern[p] {
            // snippet: glob-star
            case UInt8(ascii: "*"):
                while p + 1 < pattern.count && pattern[p + 1] == UInt8(ascii: "*") { p += 1 }
                if p + 1 == pattern.count { return true }
                while t < text.count {
                    if match(pattern, p + 1, text, t, ignoringCase, &gaveUp) { return true }
                    if gaveUp { return false }
                    t += 1
                }
                gaveUp = true
                return false
            // end-snippet
            case UInt8(ascii: "?"):
                break
            case UInt8(ascii: "["):
                p += 1
                let negated = p < pattern.count && pattern[p] == UInt8(ascii: "^")
                if negated { p += 1 }
                var found = false
                while true {
                    if p + 1 < pattern.count && pattern[p] == UInt8(ascii: "\\") {
                        p += 1
                        if pattern[p] == text[t] { found = true }
                    } else if p < pattern.count && pattern[p] == UInt8(ascii: "]") {
                        break
                    } else if p >= pattern.count {
                        // No `]`: the class ends with the pattern.
                        p -= 1
                        break
                    } else if p + 2 < pattern.count && pattern[p + 1] == UInt8(ascii: "-") {
                        var low = fold(pattern[p]), high = fold(pattern[p + 2])
                        if low > high { swap(&low, &high) }
                        if low <= fold(text[t]) && fold(text[t]) <= high { found = true }
                        p += 2
                    } else if fold(pattern[p]) == fold(text[t]) {
                        found = true
                    }
                    p += 1
                }
                if negated { found.toggle() }
                guard found else { return false }
            case UInt8(ascii: "\\") where p + 1 < pattern.count:
                p += 1
                guard fold(pattern[p]) == fold(text[t]) else { return false }
            default:
                guard fold(pattern[p]) == fold(text[t]) else { return false }
            }
            p += 1
            t += 1
            if t == text.count {
                // The text is used up: only stars may remain.
                while p < pattern.count && pattern[p] == UInt8(ascii: "*") { p += 1 }
                break
            }
        }
        return p == pattern.count && t == text.count
    }
}
