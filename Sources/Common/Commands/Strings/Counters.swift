// @chapter 8
/// `INCR key`, `DECR key`, `INCRBY key increment`, `DECRBY key decrement`:
/// add to the integer a string holds, and reply with the new value.
///
/// Redis has no integer type: a counter is a string that spells a 64-bit
/// integer, strictly (`RequestParser.parseInteger`: no `+`, no spaces, no
/// leading zeros). A missing key counts as 0 and is created. The key keeps
/// its TTL: the value changes, the key stays (so a rate limiter's
/// `INCR` + `EXPIRE` window is not reset by every hit).
///
/// The errors, in Redis's order:
/// 1. INCRBY's and DECRBY's argument is read before the key, so
///    `INCRBY list abc` complains about `abc`, not about the list;
/// 2. `WRONGTYPE` for a key that holds another type;
/// 3. `value is not an integer or out of range` for a stored value that is
///    not an integer;
/// 4. `increment or decrement would overflow` when the sum leaves 64 bits.
///    Nothing is written then: the counter keeps its value.
public struct CounterRequest: Sendable, Equatable {
    /// The counter.
    package var key: [UInt8]
    /// What to add: 1 for INCR, -1 for DECR, the argument for INCRBY, its
    /// negation for DECRBY.
    package var increment: Int

    /// A request that adds `increment` to `key`.
    package init(key: [UInt8], increment: Int) {
        self.key = key
        self.increment = increment
    }

    /// Parses INCRBY's or DECRBY's argument, `negated` for DECRBY.
    ///
    /// DECRBY negates its argument into an increment, and the most negative
    /// 64-bit integer has no negation: Redis refuses it with its own text,
    /// `decrement would overflow`, whatever the key holds.
    package init(key: [UInt8], argument: [UInt8], negated: Bool) throws(CommandError) {
        guard let amount = RequestParser.parseInteger(argument) else { throw .notAnInteger }
        if negated && amount == Int.min { throw .decrementOverflow }
        self.init(key: key, increment: negated ? -amount : amount)
    }

    /// `value + increment`, or `increment or decrement would overflow`.
    static func add(_ increment: Int, to value: Int) throws(CommandError) -> Int {
        let (sum, overflow) = value.addingReportingOverflow(increment)
        guard !overflow else { throw .incrementOverflow }
        return sum
    }

    // snippet: counter-apply
    /// Reads, adds and writes back under one lock, so that two clients'
    /// INCRs never read the same value: every INCR counts.
    func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        let value = try context.store.withDatabase { database throws(CommandError) -> Int in
            // The bytes are changed in place, and a key that existed keeps
            // its TTL. Everything that can fail is checked before writing.
            try database.modifyString(self.key, creating: true) { bytes, existed throws(CommandError) -> Int in
                let current: Int
                if existed {
                    guard let stored = RequestParser.parseInteger(bytes) else { throw .notAnInteger }
                    current = stored
                } else {
                    current = 0
                }
                let sum = try CounterRequest.add(self.increment, to: current)
                bytes.removeAll(keepingCapacity: true)
                bytes.appendDecimal(sum)
                return sum
            }
        }
        return .reply(.integer(value))
    }
    // end-snippet
}

/// `INCR key`: add 1.
public struct Incr: Command, Equatable {
    public static let name = "incr"
    public static let arity = 2
    public static let flags: CommandFlags = [.write]

    /// The key and the increment, 1.
    package var request: CounterRequest

    public init(parsing arguments: [[UInt8]]) {
        self.request = CounterRequest(key: arguments[1], increment: 1)
    }

    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        try self.request.apply(to: &context)
    }
}

/// `DECR key`: subtract 1.
public struct Decr: Command, Equatable {
    public static let name = "decr"
    public static let arity = 2
    public static let flags: CommandFlags = [.write]

    /// The key and the increment, -1.
    package var request: CounterRequest

    public init(parsing arguments: [[UInt8]]) {
        self.request = CounterRequest(key: arguments[1], increment: -1)
    }

    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        try self.request.apply(to: &context)
    }
}

/// `INCRBY key increment`: add any 64-bit integer (negative too).
public struct IncrBy: Command, Equatable {
    public static let name = "incrby"
    public static let arity = 3
    public static let flags: CommandFlags = [.write]

    /// The key and the increment.
    package var request: CounterRequest

    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.request = try CounterRequest(key: arguments[1], argument: arguments[2], negated: false)
    }

    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        try self.request.apply(to: &context)
    }
}

/// `DECRBY key decrement`: subtract any 64-bit integer but the most
/// negative one (see `CounterRequest.init(key:argument:negated:)`).
public struct DecrBy: Command, Equatable {
    public static let name = "decrby"
    public static let arity = 3
    public static let flags: CommandFlags = [.write]

    /// The key and the negated decrement.
    package var request: CounterRequest

    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.request = try CounterRequest(key: arguments[1], argument: arguments[2], negated: true)
    }

    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        try self.request.apply(to: &context)
    }
}
