// @chapter 6
/// `EXPIRE key seconds [NX | XX | GT | LT]` and
/// `PEXPIRE key milliseconds [NX | XX | GT | LT]`: set a key's time to live;
/// `EXPIREAT key unix-seconds [...]` and `PEXPIREAT key unix-milliseconds
/// [...]`: the same with an absolute Unix time.
///
/// Replies `:1` if the TTL was set and `:0` if not (no such key, or the
/// condition failed). A time in the past, zero or negative included,
/// deletes the key at once and replies `:1`, as in Redis.
public struct ExpireRequest: Sendable, Equatable {
    /// The unit of the number.
    public enum Unit: Sendable {
        /// `EXPIRE`, `EXPIREAT`: seconds.
        case seconds
        /// `PEXPIRE`, `PEXPIREAT`: milliseconds.
        case milliseconds
    }

    /// What the number counts from.
    public enum Base: Sendable {
        /// `EXPIRE`, `PEXPIRE`: a time to live, from now.
        case now
        /// `EXPIREAT`, `PEXPIREAT`: a Unix time, from 1970.
        case unixEpoch
    }

    // snippet: conditions
    /// Conditions on the key's current TTL (Redis 7). XX may be combined
    /// with GT or LT; then both must hold.
    public struct Conditions: Sendable, Equatable {
        /// `NX`: only if the key has no TTL.
        package var ifNoExpiry = false
        /// `XX`: only if the key has a TTL.
        package var ifHasExpiry = false
        /// `GT`: only if the new time is later (no TTL counts as infinite).
        package var ifLater = false
        /// `LT`: only if the new time is earlier (no TTL counts as infinite).
        package var ifEarlier = false

        /// Whether a key whose TTL is `current` may get the time `new`.
        func allow(current: Database.Expiry, new: Int64) -> Bool {
            let currentTime: Int64? = if case .at(let time) = current { time } else { nil }
            if self.ifNoExpiry && currentTime != nil { return false }
            if self.ifHasExpiry && currentTime == nil { return false }
            if self.ifLater && (currentTime == nil || new <= currentTime!) { return false }
            if self.ifEarlier, let currentTime, new >= currentTime { return false }
            return true
        }
    }
    // end-snippet

    /// The key.
    package var key: [UInt8]
    /// The number as given, in `unit`s from `base` (may be negative).
    package var amount: Int
    /// Seconds or milliseconds.
    package var unit: Unit
    /// From now, or from 1970.
    package var base: Base
    /// NX, XX, GT, LT, or none of them.
    package var conditions = Conditions()

    /// The command's name, for error texts.
    var commandName: String {
        switch (self.unit, self.base) {
        case (.seconds, .now): "expire"
        case (.milliseconds, .now): "pexpire"
        case (.seconds, .unixEpoch): "expireat"
        case (.milliseconds, .unixEpoch): "pexpireat"
        }
    }

    /// Parses the command. Like Redis, the options are checked before the
    /// number, so `EXPIRE k abc FOO` complains about FOO.
    public init(parsing arguments: [[UInt8]], unit: Unit, base: Base = .now) throws(CommandError) {
        self.key = arguments[1]
        self.unit = unit
        self.base = base
        for option in arguments.dropFirst(3) {
            if option.equalsIgnoringASCIICase("NX") { self.conditions.ifNoExpiry = true }
            else if option.equalsIgnoringASCIICase("XX") { self.conditions.ifHasExpiry = true }
            else if option.equalsIgnoringASCIICase("GT") { self.conditions.ifLater = true }
            else if option.equalsIgnoringASCIICase("LT") { self.conditions.ifEarlier = true }
            else { throw .unsupportedOption(option) }
        }
        let c = self.conditions
        if c.ifNoExpiry && (c.ifHasExpiry || c.ifLater || c.ifEarlier) {
            throw CommandError("ERR NX and XX, GT or LT options at the same time are not compatible")
        }
        if c.ifLater && c.ifEarlier { throw CommandError("ERR GT and LT options at the same time are not compatible") }
        guard let amount = RequestParser.parseInteger(arguments[2]) else { throw .notAnInteger }
        self.amount = amount
        // Turning seconds into milliseconds must not overflow.
        if unit == .seconds && (amount > Int.max / 1000 || amount < Int.min / 1000) {
            throw .invalidExpireTime(self.commandName)
        }
    }

    // snippet: expire-apply
    /// Sets the TTL under one lock.
    public func apply(to store: Store) -> RESPValue {
        store.withDatabase { database -> RESPValue in
            let milliseconds = Int64(self.unit == .seconds ? self.amount * 1000 : self.amount)
            // "When", as an absolute time; adding now must not overflow
            // either. (EXPIREAT and PEXPIREAT add nothing.)
            let base = self.base == .now ? database.now : 0
            let (deadline, overflow) = milliseconds.addingReportingOverflow(base)
            guard !overflow else {
                return CommandError.invalidExpireTime(self.commandName).reply
            }
            let current = database.expiry(of: self.key)
            if current == .missing { return .integer(0) }
            guard self.conditions.allow(current: current, new: deadline) else { return .integer(0) }
            database.setExpiry(self.key, at: deadline)
            return .integer(1)
        }
    }
    // end-snippet
}

/// `EXPIRE key seconds [NX | XX | GT | LT]`.
public struct Expire: Command, Equatable {
    public static let name = "expire"
    public static let arity = -3
    public static let flags: CommandFlags = [.write]

    /// The parsed request, shared with PEXPIRE, EXPIREAT and PEXPIREAT.
    package var request: ExpireRequest

    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.request = try ExpireRequest(parsing: arguments, unit: .seconds)
    }

    public func apply(to context: inout CommandContext) -> Outcome {
        .reply(self.request.apply(to: context.store))
    }
}

/// `PEXPIRE key milliseconds [NX | XX | GT | LT]`.
public struct PExpire: Command, Equatable {
    public static let name = "pexpire"
    public static let arity = -3
    public static let flags: CommandFlags = [.write]

    /// The parsed request, shared with EXPIRE, EXPIREAT and PEXPIREAT.
    package var request: ExpireRequest

    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.request = try ExpireRequest(parsing: arguments, unit: .milliseconds)
    }

    public func apply(to context: inout CommandContext) -> Outcome {
        .reply(self.request.apply(to: context.store))
    }
}

/// `EXPIREAT key unix-seconds [NX | XX | GT | LT]`: EXPIRE with an absolute
/// time. A time already past deletes the key, as with EXPIRE.
public struct ExpireAt: Command, Equatable {
    public static let name = "expireat"
    public static let arity = -3
    public static let flags: CommandFlags = [.write]

    /// The parsed request, shared with EXPIRE, PEXPIRE and PEXPIREAT.
    package var request: ExpireRequest

    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.request = try ExpireRequest(parsing: arguments, unit: .seconds, base: .unixEpoch)
    }

    public func apply(to context: inout CommandContext) -> Outcome {
        .reply(self.request.apply(to: context.store))
    }
}

/// `PEXPIREAT key unix-milliseconds [NX | XX | GT | LT]`: PEXPIRE with an
/// absolute time.
public struct PExpireAt: Command, Equatable {
    public static let name = "pexpireat"
    public static let arity = -3
    public static let flags: CommandFlags = [.write]

    /// The parsed request, shared with EXPIRE, PEXPIRE and EXPIREAT.
    package var request: ExpireRequest

    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.request = try ExpireRequest(parsing: arguments, unit: .milliseconds, base: .unixEpoch)
    }

    public func apply(to context: inout CommandContext) -> Outcome {
        .reply(self.request.apply(to: context.store))
    }
}
