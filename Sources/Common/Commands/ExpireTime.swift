// @chapter 6
/// `EXPIRETIME key` and `PEXPIRETIME key` (Redis 7.0): when a key expires.
///
/// Replies `-2` if the key does not exist, `-1` if it has no TTL, and
/// otherwise the absolute Unix time of its expiry: milliseconds for
/// PEXPIRETIME, and for EXPIRETIME seconds rounded to the nearest second,
/// as Redis rounds TTL (`PEXPIREAT k 1999999999500` gives `EXPIRETIME` =
/// `2000000000`).
public struct ExpireTime: Command, Equatable {
    public static let name = "expiretime"
    public static let arity = 2
    public static let flags: CommandFlags = [.readOnly]

    /// The key.
    package var key: [UInt8]

    /// Parses `EXPIRETIME key`.
    public init(parsing arguments: [[UInt8]]) {
        self.key = arguments[1]
    }

    /// The expiry time, in Unix seconds.
    public func apply(to context: inout CommandContext) -> Outcome {
        .reply(ExpireTime.expiryTime(of: self.key, in: context.store, inMilliseconds: false))
    }

    // snippet: expiretime-apply
    /// The expiry time: Unix milliseconds, or seconds rounded to the nearest.
    static func expiryTime(of key: [UInt8], in store: Store, inMilliseconds: Bool) -> RESPValue {
        store.withDatabase { database -> RESPValue in
            switch database.expiry(of: key) {
            case .missing: return .integer(-2)
            case .never: return .integer(-1)
            case .at(let time):
                let time = max(0, time)
                // (time + 500) / 1000 without overflowing near Int64.max
                // (PEXPIREAT k 9223372036854775807 is allowed).
                return .integer(Int(inMilliseconds ? time : time / 1000 + (time % 1000 + 500) / 1000))
            }
        }
    }
    // end-snippet
}

/// `PEXPIRETIME key`: EXPIRETIME in milliseconds.
public struct PExpireTime: Command, Equatable {
    public static let name = "pexpiretime"
    public static let arity = 2
    public static let flags: CommandFlags = [.readOnly]

    /// The key.
    package var key: [UInt8]

    /// Parses `PEXPIRETIME key`.
    public init(parsing arguments: [[UInt8]]) {
        self.key = arguments[1]
    }

    /// The expiry time, in Unix milliseconds.
    public func apply(to context: inout CommandContext) -> Outcome {
        .reply(ExpireTime.expiryTime(of: self.key, in: context.store, inMilliseconds: true))
    }
}
