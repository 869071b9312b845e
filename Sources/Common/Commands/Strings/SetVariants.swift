// @chapter 8
/// The time argument of SETEX, PSETEX and GETEX's options, read as Redis
/// reads SET's `EX`/`PX`/`EXAT`/`PXAT` number: a strict integer (else
/// `value is not an integer or out of range`), above zero, and small
/// enough to become milliseconds and, if relative, to be added to now
/// (else `invalid expire time in '<command>' command`).
struct ExpiryArgument: Sendable, Equatable {
    /// The time in milliseconds: a TTL when `relative`, else a Unix time.
    var milliseconds: Int64
    /// From now (EX, PX, SETEX, PSETEX) or from 1970 (EXAT, PXAT).
    var relative: Bool

    /// Reads `number`, in seconds or milliseconds. `command` names the
    /// command in the error text (`setex`, `psetex`, `getex`).
    init(_ number: [UInt8], inSeconds: Bool, relative: Bool, command: String) throws(CommandError) {
        guard let amount = RequestParser.parseInteger(number) else { throw .notAnInteger }
        // Zero or negative, or too many seconds to count in milliseconds.
        guard amount > 0, !inSeconds || amount <= Int.max / 1000 else { throw .invalidExpireTime(command) }
        self.milliseconds = Int64(inSeconds ? amount * 1000 : amount)
        self.relative = relative
    }

    /// The Unix time in milliseconds at which the key expires, `now` being
    /// the command's time. A TTL that overflows when added to now is an
    /// invalid time too.
    func deadline(now: Int64, command: String) throws(CommandError) -> Int64 {
        guard self.relative else { return self.milliseconds }
        let (deadline, overflow) = self.milliseconds.addingReportingOverflow(now)
        guard !overflow else { throw .invalidExpireTime(command) }
        return deadline
    }
}

/// `SETNX key value`: SET only if the key does not exist (it may hold any
/// type): `:1` if it wrote, `:0` if not. The old spelling of `SET ... NX`,
/// with an integer reply instead of `+OK` or a null.
public struct SetNX: Command, Equatable {
    public static let name = "setnx"
    public static let arity = 3
    public static let flags: CommandFlags = [.write]

    /// The key.
    package var key: [UInt8]
    /// The value to store.
    package var value: [UInt8]

    public init(parsing arguments: [[UInt8]]) {
        self.key = arguments[1]
        self.value = arguments[2]
    }

    /// The check and the write under one lock: of two SETNX on one key,
    /// exactly one replies `:1` (the classic lock of Redis's early days).
    public func apply(to context: inout CommandContext) -> Outcome {
        let written = context.store.withDatabase { database -> Bool in
            guard !database.contains(self.key) else { return false }
            database.set(self.key, self.value)
            return true
        }
        return .reply(.integer(written ? 1 : 0))
    }
}

/// `SETEX key seconds value` and `PSETEX key milliseconds value`: SET with
/// a TTL, the old spelling of `SET key value EX seconds` (`PX`). The time
/// comes before the value. Like SET, they replace a value of any type.
public struct SetWithExpiryRequest: Sendable, Equatable {
    /// The key.
    package var key: [UInt8]
    /// The value.
    package var value: [UInt8]
    /// The TTL, checked.
    var expiry: ExpiryArgument
    /// `setex` or `psetex`, for the error text.
    var command: String

    /// Reads the arguments; the TTL is checked before anything else, as
    /// Redis does: `SETEX k 0 v` is `invalid expire time in 'setex' command`.
    init(parsing arguments: [[UInt8]], inSeconds: Bool, command: String) throws(CommandError) {
        self.key = arguments[1]
        self.expiry = try ExpiryArgument(arguments[2], inSeconds: inSeconds, relative: true, command: command)
        self.value = arguments[3]
        self.command = command
    }

    /// Writes the value and its deadline under one lock.
    func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        try context.store.withDatabase { database throws(CommandError) in
            let deadline = try self.expiry.deadline(now: database.now, command: self.command)
            database.set(self.key, self.value)
            database.setExpiry(self.key, at: deadline)
        }
        return .reply(.ok)
    }
}

/// `SETEX key seconds value`.
public struct SetEx: Command, Equatable {
    public static let name = "setex"
    public static let arity = 4
    public static let flags: CommandFlags = [.write]

    /// The key, the value and the TTL in seconds.
    package var request: SetWithExpiryRequest

    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.request = try SetWithExpiryRequest(parsing: arguments, inSeconds: true, command: SetEx.name)
    }

    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        try self.request.apply(to: &context)
    }
}

/// `PSETEX key milliseconds value`.
public struct PSetEx: Command, Equatable {
    public static let name = "psetex"
    public static let arity = 4
    public static let flags: CommandFlags = [.write]

    /// The key, the value and the TTL in milliseconds.
    package var request: SetWithExpiryRequest

    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.request = try SetWithExpiryRequest(parsing: arguments, inSeconds: false, command: PSetEx.name)
    }

    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        try self.request.apply(to: &context)
    }
}
