// @chapter 6
/// `TTL key` and `PTTL key`: how long a key has left to live.
///
/// Replies `-2` if the key does not exist, `-1` if it has no TTL, and
/// otherwise the time left: milliseconds for PTTL, and for TTL seconds
/// rounded to the nearest second, as Redis rounds them.
public struct TTL: Command, Equatable {
    public static let name = "ttl"
    public static let arity = 2
    public static let flags: CommandFlags = [.readOnly]

    /// The key.
    package var key: [UInt8]

    /// Parses `TTL key`.
    public init(parsing arguments: [[UInt8]]) {
        self.key = arguments[1]
    }

    /// The time left, in seconds.
    public func apply(to context: inout CommandContext) -> Outcome {
        .reply(TTL.timeLeft(of: self.key, in: context.store, inMilliseconds: false))
    }

    // snippet: ttl-apply
    /// The time left: milliseconds, or seconds rounded to the nearest.
    static func timeLeft(of key: [UInt8], in store: Store, inMilliseconds: Bool) -> RESPValue {
        store.withDatabase { database -> RESPValue in
            switch database.expiry(of: key) {
            case .missing: return .integer(-2)
            case .never: return .integer(-1)
            case .at(let time):
                let left = max(0, time - database.now)
                return .integer(Int(inMilliseconds ? left : (left + 500) / 1000))
            }
        }
    }
    // end-snippet
}

/// `PTTL key`: TTL in milliseconds.
public struct PTTL: Command, Equatable {
    public static let name = "pttl"
    public static let arity = 2
    public static let flags: CommandFlags = [.readOnly]

    /// The key.
    package var key: [UInt8]

    /// Parses `PTTL key`.
    public init(parsing arguments: [[UInt8]]) {
        self.key = arguments[1]
    }

    /// The time left, in milliseconds.
    public func apply(to context: inout CommandContext) -> Outcome {
        .reply(TTL.timeLeft(of: self.key, in: context.store, inMilliseconds: true))
    }
}
