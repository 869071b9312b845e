// @chapter 8
/// `GETSET key value`: SET that replies with the old value (a null if
/// there was none). The old spelling of `SET key value GET`: `WRONGTYPE`
/// if the key holds another type, and the key's TTL is cleared, as a plain
/// SET clears it.
public struct GetSet: Command, Equatable {
    public static let name = "getset"
    public static let arity = 3
    public static let flags: CommandFlags = [.write]

    /// The key.
    package var key: [UInt8]
    /// The new value.
    package var value: [UInt8]

    public init(parsing arguments: [[UInt8]]) {
        self.key = arguments[1]
        self.value = arguments[2]
    }

    /// Reads and writes under one lock: no other write comes in between.
    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        let old = try context.store.withDatabase { database throws(CommandError) -> [UInt8]? in
            // The read checks the type: a list is WRONGTYPE, not replaced.
            let old = try database.string(of: self.key)
            // No `keepExpiry`: GETSET is a SET, and a SET clears the TTL.
            database.set(self.key, self.value)
            return old
        }
        return .reply(old.map { .bulkString($0) } ?? .nullBulkString)
    }
}

/// `GETDEL key`: GET, then delete the key. A null if there was none;
/// `WRONGTYPE` (and nothing deleted) if it holds another type.
public struct GetDel: Command, Equatable {
    public static let name = "getdel"
    public static let arity = 2
    public static let flags: CommandFlags = [.write]

    /// The key.
    package var key: [UInt8]

    public init(parsing arguments: [[UInt8]]) {
        self.key = arguments[1]
    }

    /// One lock: of two clients that GETDEL one key, one gets the value.
    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        let value = try context.store.withDatabase { database throws(CommandError) -> [UInt8]? in
            guard let value = try database.string(of: self.key) else { return nil }
            database.remove(self.key)
            return value
        }
        return .reply(value.map { .bulkString($0) } ?? .nullBulkString)
    }
}

/// `GETEX key [EX seconds | PX milliseconds | EXAT unix-seconds |
/// PXAT unix-milliseconds | PERSIST]`: GET, and change the key's TTL on
/// the way. Without an option it is GET (and leaves the TTL alone).
///
/// The options are read as SET reads its own: any case; one kind of time
/// only (`EX 1 PX 2` is a syntax error, `EX 1 EX 2` is not: the last one
/// wins); PERSIST with no time; SET's NX, XX, GET and KEEPTTL are syntax
/// errors here. A time's number, though, is checked only after the key is
/// found to be a string: `GETEX missing EX abc` is a null, `GETEX list EX
/// abc` is `WRONGTYPE`, as in Redis.
public struct GetEx: Command, Equatable {
    public static let name = "getex"
    public static let arity = -2
    public static let flags: CommandFlags = [.write]

    /// The four ways to give a time.
    package enum TimeOption: Sendable, Equatable {
        case ex, px, exat, pxat

        /// The option `word` names, in any case, or nil. `word` is what
        /// comes before a NUL byte, if it has one (see `init(parsing:)`).
        init?(_ word: ArraySlice<UInt8>) {
            if word.equalsIgnoringASCIICase("EX") { self = .ex }
            else if word.equalsIgnoringASCIICase("PX") { self = .px }
            else if word.equalsIgnoringASCIICase("EXAT") { self = .exat }
            else if word.equalsIgnoringASCIICase("PXAT") { self = .pxat }
            else { return nil }
        }
    }

    /// The key.
    package var key: [UInt8]
    /// The time option and its number as given, if any.
    package var time: (option: TimeOption, number: [UInt8])?
    /// `PERSIST`: remove the TTL.
    package var persist = false

    /// Reads the options (not the number: see above).
    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.key = arguments[1]
        var index = 2
        while index < arguments.count {
            // Redis compares options as C strings, which end at a NUL byte:
            // `EX\0abc` is EX to Redis, and so it is here.
            let word = arguments[index].upToNul
            let hasNext = index + 1 < arguments.count
            if word.equalsIgnoringASCIICase("PERSIST") && self.time == nil {
                // PERSIST may come twice, but not with a time.
                self.persist = true
            } else if let option = TimeOption(word), hasNext, !self.persist, self.time.map({ $0.option == option }) ?? true {
                // A time option with its number: the same option again
                // replaces it; another one (or one with no number left,
                // `GETEX k EX`) falls through to the syntax error.
                self.time = (option, arguments[index + 1])
                index += 1
            } else {
                throw .syntaxError
            }
            index += 1
        }
    }

    /// GETEX compares the option and the number (a tuple is not Equatable).
    public static func == (left: GetEx, right: GetEx) -> Bool {
        left.key == right.key && left.persist == right.persist
            && left.time?.option == right.time?.option && left.time?.number == right.time?.number
    }

    /// Reads the key, then changes its TTL, under one lock.
    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        let value = try context.store.withDatabase { database throws(CommandError) -> [UInt8]? in
            // Missing: a null, whatever the options say. Another type: WRONGTYPE.
            guard let value = try database.string(of: self.key) else { return nil }
            if let (option, number) = self.time {
                // Only now is the number read: its errors come after the type's.
                let expiry = try ExpiryArgument(number, inSeconds: option == .ex || option == .exat,
                                                relative: option == .ex || option == .px, command: GetEx.name)
                // A Unix time already past deletes the key (after it has been
                // read: the reply is still the value). setExpiry does both.
                database.setExpiry(self.key, at: try expiry.deadline(now: database.now, command: GetEx.name))
            } else if self.persist {
                database.removeExpiry(self.key)
            }
            return value
        }
        return .reply(value.map { .bulkString($0) } ?? .nullBulkString)
    }
}
