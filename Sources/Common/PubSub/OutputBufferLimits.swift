// @chapter 9
/// Redis's `client-output-buffer-limit pubsub <hard> <soft> <seconds>`:
/// how far a subscriber may fall behind before it is disconnected.
///
/// A subscriber that reads slower than messages arrive makes its outbox
/// grow. Waiting for it would slow every publisher, and keeping it all
/// would let one idle client fill the server's memory, so Redis cuts it:
/// at once past the hard limit, or after `softSeconds` above the soft one.
/// The default is Redis's: 32 MB, and 8 MB for 60 seconds.
public struct OutputBufferLimits: Sendable, Equatable {
    /// Pending bytes that cut the client at once (0: no limit).
    package var hardBytes = 32 * 1024 * 1024
    /// Pending bytes that cut it if they last `softSeconds` (0: no limit).
    package var softBytes = 8 * 1024 * 1024
    /// How long the soft limit may be exceeded.
    package var softSeconds = 60

    public init() {}

    package init(hardBytes: Int, softBytes: Int, softSeconds: Int) {
        self.hardBytes = hardBytes
        self.softBytes = softBytes
        self.softSeconds = softSeconds
    }

    /// Reads Redis's syntax, `pubsub 32mb 8mb 60`: a class (only `pubsub`
    /// here), two sizes with an optional unit (b, k, kb, m, mb, g, gb; case
    /// ignored), and seconds. Nil if it is not that.
    package init?(parsing text: String) {
        let words = text.split(separator: " ").map { $0.lowercased() }
        guard words.count == 4, words[0] == "pubsub",
              let hard = OutputBufferLimits.bytes(words[1]), let soft = OutputBufferLimits.bytes(words[2]),
              let seconds = Int(words[3]), seconds >= 0
        else { return nil }
        self.init(hardBytes: hard, softBytes: soft, softSeconds: seconds)
    }

    /// `8mb` → 8,388,608; `100` → 100. Redis's `memtoull` units.
    private static func bytes(_ word: String) -> Int? {
        let units: [(suffix: String, factor: Int)] = [
            ("gb", 1 << 30), ("mb", 1 << 20), ("kb", 1 << 10), ("g", 1_000_000_000), ("m", 1_000_000), ("k", 1_000), ("b", 1),
        ]
        for unit in units where word.hasSuffix(unit.suffix) {
            guard let number = Int(word.dropLast(unit.suffix.count)), number >= 0 else { return nil }
            return number.multipliedReportingOverflow(by: unit.factor).overflow ? nil : number * unit.factor
        }
        guard let number = Int(word), number >= 0 else { return nil }
        return number
    }
}
