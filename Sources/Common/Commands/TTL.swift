/// `TTL key` and `PTTL key`: how long a key has left to live.
///
/// Replies `-2` if the key does not exist, `-1` if it has no TTL, and
/// otherwise the time left: milliseconds for PTTL, and for TTL seconds
/// rounded to the nearest second, as Redis rounds them.
public struct TTL: Sendable, Equatable {
    /// The key.
    public var key: [UInt8]
    /// True for PTTL (milliseconds), false for TTL (seconds).
    public var inMilliseconds: Bool

    /// Parses `TTL key` or `PTTL key`.
    public init(parsing arguments: [[UInt8]], inMilliseconds: Bool) throws(CommandError) {
        guard arguments.count == 2 else { throw .wrongArity(inMilliseconds ? "pttl" : "ttl") }
        self.key = arguments[1]
        self.inMilliseconds = inMilliseconds
    }

    // snippet: ttl-apply
    /// The time left.
    public func apply(to store: Store) -> RESPValue {
        store.withDatabase { database -> RESPValue in
            switch database.expiry(of: self.key) {
            case .missing: return .integer(-2)
            case .never: return .integer(-1)
            case .at(let time):
                let left = max(0, time - database.now)
                return .integer(Int(self.inMilliseconds ? left : (left + 500) / 1000))
            }
        }
    }
    // end-snippet
}
