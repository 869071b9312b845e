// @chapter 6
/// `EXPIRE key seconds [NX | XX | GT | LT]` and
/// `PEXPIRE key milliseconds [NX | XX | GT | LT]`: set a key's time to live.
///
/// Replies `:1` if the TTL was set and `:0` if not (no such key, or the
/// condition failed). A time in the past, zero or negative included,
/// deletes the key at once and replies `:1`, as in Redis.
public struct ExpireRequest: Sendable, Equatable {
    /// The unit of the number, which also names the command.
    public enum Unit: Sendable {
        /// `EXPIRE`: seconds.
        case seconds
        /// `PEXPIRE`: milliseconds.
        case milliseconds

        /// The command's name, for error texts.
        var commandName: String { self == .seconds ? "expire" : "pexpire" }
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
    /// The TTL in `unit`s from now, as given (may be negative).
    package var amount: Int
    /// Seconds or milliseconds.
    package var unit: Unit
    /// NX, XX, GT, LT, or none of them.
    package var conditions = Conditions()

    /// Parses the command. Like Redis, the options are checked before the
    /// number, so `EXPIRE k abc FOO` complains about FOO.
    public init(parsing arguments: [[UInt8]], unit: Unit) throws(CommandError) {
        self.key = arguments[1]
        self.unit = unit
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
        // Turning seconds into milliseconds must not overflow.
        if unit == .seconds && (amount > Int.max / 1000 || amount < Int.min / 1000) {
            throw .invalidExpireTime(unit.commandName)
        }
        self.amount = amount
    }

    // snippet: expire-apply
    /// Sets the TTL under one lock.
    public func apply(to store: Store) -> RESPValue {
        store.withDatabase { database -> RESPValue in
            let milliseconds = Int64(self.unit == .seconds ? self.amount * 1000 : self.amount)
            // "When", as an absolute time; it must not overflow either.
            let (deadline, overflow) = milliseconds.addingReportingOverflow(database.now)
            guard !overflow else {
                return CommandError.invalidExpireTime(self.unit.commandName).reply
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

    /// The parsed request, shared with PEXPIRE.
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

    /// The parsed request, shared with EXPIRE.
    package var request: ExpireRequest

    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.request = try ExpireRequest(parsing: arguments, unit: .milliseconds)
    }

    public func apply(to context: inout CommandContext) -> Outcome {
        .reply(self.request.apply(to: context.store))
    }
}
