// @chapter 5
extension Database {
    // snippet: key
    /// A key of the database: its bytes, with short keys stored inline.
    ///
    /// Most keys are short (`user:1000`, `session:ab12`), and a `[UInt8]`
    /// costs a heap allocation of its own: 32 bytes of header plus the
    /// bytes, rounded up by malloc to 64 bytes for a 16-byte key. A key of
    /// at most 16 bytes is instead kept inside the dictionary's own slot,
    /// in two 64-bit words, the way Swift's `String` keeps up to 15 UTF-8
    /// bytes inline. With a million keys that saves 64 MB, and hashing or
    /// comparing two words needs no pointer to follow.
    ///
    /// Every key has exactly one form (inline if and only if it fits), so
    /// the synthesized `==` and `hash(into:)` of the enum are correct.
    enum Key: Hashable, Sendable {
        /// Up to 16 bytes, zero-padded, in two words, and the length.
        case inline(UInt64, UInt64, count: UInt8)
        /// A longer key, as the request's own array (no copy).
        case heap(Bytes)

        /// The most bytes kept inline.
        static let inlineCapacity = 16

        /// The key for `bytes`. (`borrowing`: an initializer otherwise
        /// takes its argument owned, and every lookup would pay a retain
        /// and a release of the request's array just to read it.)
        init(_ bytes: borrowing [UInt8]) {
            guard bytes.count <= Key.inlineCapacity else {
                self = .heap(Bytes(copy bytes))
                return
            }
            var words: (UInt64, UInt64) = (0, 0)
            withUnsafeMutableBytes(of: &words) { destination in
                bytes.withUnsafeBytes { destination.copyMemory(from: $0) }
            }
            self = .inline(words.0, words.1, count: UInt8(bytes.count))
        }

        /// The key's bytes, as a new array.
        var bytes: [UInt8] {
            switch self {
            case .heap(let long):
                return long.bytes
            case .inline(let first, let second, let count):
                var words = (first, second)
                return withUnsafeBytes(of: &words) { Array($0.prefix(Int(count))) }
            }
        }

        /// Hashes an inline key as its two words, with the length folded
        /// into the second. The synthesized hash would feed four values (the
        /// case, both words, the length), and every key lookup pays for each
        /// one. (Keys that differ only in trailing zero bytes may share a
        /// hash; `==` still tells them apart.)
        func hash(into hasher: inout Hasher) {
            switch self {
            case .inline(let first, let second, let count):
                hasher.combine(first)
                hasher.combine(second ^ (UInt64(count) << 56))
            case .heap(let long):
                long.hash(into: &hasher)
            }
        }
    }

    /// A long key's bytes, hashed as one block: `[UInt8]`'s own `Hashable`
    /// feeds the hasher one byte at a time, several times slower.
    struct Bytes: Hashable, Sendable {
        /// The key's bytes.
        var bytes: [UInt8]

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        func hash(into hasher: inout Hasher) {
            self.bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }
    // end-snippet
}
