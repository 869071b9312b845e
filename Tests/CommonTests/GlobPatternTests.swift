@testable import Common
import Testing

/// Redis's glob rules, checked against a table that real redis-server
/// 7.0.15 produced: each pattern below, given to `KEYS` on a server holding
/// exactly `texts` as keys, returned exactly the texts listed. (`KEYS *`
/// alone skips matching and returns the empty key too; a real match of
/// `*` against "" fails, as PUBLISH "" to a `*` subscriber shows.)
@Suite("Glob patterns, as Redis matches them")
struct GlobPatternTests {
    static let texts: [String] = ["", "a", "ab", "abc", "news.it", "news.", "NEWS.IT", "a*b", "a?b", "[x]", "x]", "\\", "a\\b", "-", "b-a", "aaaaaaaaaaab", "]", "^", "a-"]

    /// Pattern → the texts redis-server's KEYS returned for it.
    static let redisAnswers: [(pattern: String, matches: [String])] = [
        ("*", ["a", "ab", "abc", "news.it", "news.", "NEWS.IT", "a*b", "a?b", "[x]", "x]", "\\", "a\\b", "-", "b-a", "aaaaaaaaaaab", "]", "^", "a-"]),
        ("?", ["a", "\\", "-", "]", "^"]),
        ("a*", ["a", "ab", "abc", "a*b", "a?b", "a\\b", "aaaaaaaaaaab", "a-"]),
        ("*b", ["ab", "a*b", "a?b", "a\\b", "aaaaaaaaaaab"]),
        ("a?c", ["abc"]),
        ("news.*", ["news.it", "news."]),
        ("news.?t", ["news.it"]),
        ("[abc]", ["a"]),
        ("[^a]", ["\\", "-", "]", "^"]),
        ("[a-c]", ["a"]),
        ("[c-a]", ["a"]),
        ("[a-]", ["a", "]", "^"]),
        ("[\\]]", ["]"]),
        ("\\*", []),
        ("a\\*b", ["a*b"]),
        ("a*b", ["ab", "a*b", "a?b", "a\\b", "aaaaaaaaaaab"]),
        ("[", []),
        ("[a", ["a"]),
        ("ab[", []),
        ("\\", ["\\"]),
        ("a\\", []),
        ("*a*a*a*a*b", ["aaaaaaaaaaab"]),
        ("[^]", ["a", "\\", "-", "]", "^"]),
        ("[]]", []),
        ("[!a]", ["a"]),
        ("**", ["a", "ab", "abc", "news.it", "news.", "NEWS.IT", "a*b", "a?b", "[x]", "x]", "\\", "a\\b", "-", "b-a", "aaaaaaaaaaab", "]", "^", "a-"]),
        ("?*", ["a", "ab", "abc", "news.it", "news.", "NEWS.IT", "a*b", "a?b", "[x]", "x]", "\\", "a\\b", "-", "b-a", "aaaaaaaaaaab", "]", "^", "a-"]),
        ("*?", ["a", "ab", "abc", "news.it", "news.", "NEWS.IT", "a*b", "a?b", "[x]", "x]", "\\", "a\\b", "-", "b-a", "aaaaaaaaaaab", "]", "^", "a-"]),
        ("[x\\]]", ["]"]),
        ("N*", ["NEWS.IT"]),
        ("[a-c-e]", ["a", "-"]),
        ("[]", []),
        ("x]", ["x]"]),
        ("-", ["-"]),
        ("[-a]", ["a", "-"]),
        ("[a\\-c]", ["a", "-"]),
        ("a?", ["ab", "a-"]),
        ("??", ["ab", "x]", "a-"]),
        ("[^a-c]b", []),
    ]

    @Test("every pattern matches exactly the texts Redis matched", arguments: redisAnswers.indices)
    func matchesLikeRedis(_ index: Int) {
        let (pattern, expected) = Self.redisAnswers[index]
        let matched = Self.texts.filter { GlobPattern.matches(pattern: Array(pattern.utf8), Array($0.utf8), ignoringCase: false) }
        #expect(matched == expected,
                "pattern \(pattern.debugDescription): expected the texts \(expected), matched \(matched). Hint: follow Redis's stringmatchlen rule for rule (see GlobPattern's comment).")
    }

    @Test("a pattern never matches the empty text, not even *")
    func emptyText() {
        for pattern in ["*", "**", "?*", "[^a]"] {
            #expect(!GlobPattern.matches(pattern: Array(pattern.utf8), [], ignoringCase: false), "\(pattern) matched \"\"")
        }
    }

    @Test("case is ignored only when asked (CONFIG GET)")
    func caseFolding() {
        #expect(GlobPattern.matches(pattern: Array("MAX*".utf8), Array("maxclients".utf8), ignoringCase: true))
        #expect(!GlobPattern.matches(pattern: Array("MAX*".utf8), Array("maxclients".utf8), ignoringCase: false))
        #expect(GlobPattern.matches(pattern: Array("[L-N]axclients".utf8), Array("maxclients".utf8), ignoringCase: true))
    }

    @Test("stars that cannot match give up at once instead of trying every split", .timeLimit(.minutes(1)))
    func noExponentialBlowUp() {
        // 30 stars against 200 bytes that never end in b: without the
        // cut-off this tries on the order of 200^30 splits.
        let pattern = Array(String(repeating: "*a", count: 30).utf8) + Array("b".utf8)
        let text = [UInt8](repeating: UInt8(ascii: "a"), count: 200)
        // Without the cut-off this never finishes (the time limit fails it).
        #expect(!GlobPattern.matches(pattern: pattern, text, ignoringCase: false))
    }
}
