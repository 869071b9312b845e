// @chapter 5
// @before 6 {
// /// `SET key value [NX | XX] [GET]`.
// @}
// @chapter 6 {
/// `SET key value [NX | XX] [GET] [EX s | PX ms | EXAT s | PXAT ms | KEEPTTL]`.
// @}
///
/// Named `SetCommand` so that it does not hide Swift's own `Set` type.
///
/// Options are read the way Redis reads them: in any order, in any case,
/// repeats allowed, and `-ERR syntax error` for anything unknown or for a
// @before 6 {
// /// conflicting pair (NX with XX).
// @}
// @chapter 6 {
/// conflicting pair (NX with XX; two different expiry options). Chapter 5
/// teaches NX, XX and GET; chapter 6 adds the expiry options.
// @}
public struct SetCommand: Command, Equatable {
    public static let name = "set"
    public static let arity = -3
    public static let flags: CommandFlags = [.write]

    /// When to write.
    public enum Condition: Sendable, Equatable {
        /// Always (no option).
        case always
        /// Only if the key does not exist (`NX`).
        case ifMissing
        /// Only if the key exists (`XX`).
        case ifExists
    }
    // @chapter 6 {

    /// What happens to the key's time to live.
    public enum Expiry: Sendable, Equatable {
        /// The key lives forever; an old TTL is cleared.
        case none
        /// The old TTL stays (`KEEPTTL`).
        case keep
        /// Expire this many milliseconds from now (`EX`, `PX`).
        case after(milliseconds: Int64)
        /// Expire at this Unix time in milliseconds (`EXAT`, `PXAT`).
        case at(milliseconds: Int64)
    }
    // @}

    /// The key to write.
    package var key: [UInt8]
    /// The value to store.
    package var value: [UInt8]
    /// NX, XX, or neither.
    package var condition: Condition = .always
    /// `GET`: reply with the old value instead of `OK`.
    package var returnsOldValue = false
    // @chapter 6 {
    /// The TTL option.
    public var expiry: Expiry = .none
    // @}

    /// Parses SET's arguments and options.
    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.key = arguments[1]
        self.value = arguments[2]

        // snippet: set-options
        // @chapter 6 {
        // The expiry option seen so far, and the number that follows it.
        var expiryOption: [UInt8]?
        var expiryNumber: [UInt8] = []
        var keepTTL = false
        // @}
        var index = 3
        while index < arguments.count {
            let option = arguments[index]
            let hasNext = index + 1 < arguments.count // @chapter 6
            if option.equalsIgnoringASCIICase("NX") && self.condition != .ifExists {
                self.condition = .ifMissing
            } else if option.equalsIgnoringASCIICase("XX") && self.condition != .ifMissing {
                self.condition = .ifExists
            } else if option.equalsIgnoringASCIICase("GET") {
                self.returnsOldValue = true
            // @chapter 6 {
            } else if option.equalsIgnoringASCIICase("KEEPTTL") && expiryOption == nil {
                keepTTL = true
            } else if hasNext, !keepTTL, SetCommand.isExpiryOption(option),
                      expiryOption.map({ SetCommand.sameOption($0, option) }) ?? true {
                // The same option twice is allowed (the last one wins); two
                // different expiry options are a syntax error.
                expiryOption = option
                expiryNumber = arguments[index + 1]
                index += 1
            // @}
            } else {
                throw .syntaxError
            }
            index += 1
        }
        // end-snippet
        // @chapter 6 {

        // snippet: set-expiry-number
        if keepTTL { self.expiry = .keep }
        if let option = expiryOption {
            guard let number = RequestParser.parseInteger(expiryNumber) else { throw .notAnInteger }
            let inSeconds = option.equalsIgnoringASCIICase("EX") || option.equalsIgnoringASCIICase("EXAT")
            // Zero, negative, or too large to turn into milliseconds.
            guard number > 0, !inSeconds || number <= Int.max / 1000 else { throw .invalidExpireTime("set") }
            let milliseconds = Int64(inSeconds ? number * 1000 : number)
            let relative = option.equalsIgnoringASCIICase("EX") || option.equalsIgnoringASCIICase("PX")
            self.expiry = relative ? .after(milliseconds: milliseconds) : .at(milliseconds: milliseconds)
        }
        // end-snippet
        // @}
    }
    // @chapter 6 {

    /// True for EX, PX, EXAT and PXAT.
    private static func isExpiryOption(_ option: [UInt8]) -> Bool {
        option.equalsIgnoringASCIICase("EX") || option.equalsIgnoringASCIICase("PX")
            || option.equalsIgnoringASCIICase("EXAT") || option.equalsIgnoringASCIICase("PXAT")
    }

    /// True when two expiry options are the same one, whatever their case.
    private static func sameOption(_ first: [UInt8], _ second: [UInt8]) -> Bool {
        first.equalsIgnoringASCIICase(second)
    }
    // @}

    // snippet: set-apply
    /// Writes the key, all under one lock: the NX/XX check, the GET of the
    /// old value and the write happen with no other command in between.
    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        try context.store.withDatabase { database throws(CommandError) -> Outcome in
            // @chapter 6 {
            // The absolute expiry time, checked for overflow as Redis does.
            var deadline: Int64?
            switch self.expiry {
            case .after(let milliseconds):
                let (sum, overflow) = milliseconds.addingReportingOverflow(database.now)
                guard !overflow else { throw .invalidExpireTime("set") }
                deadline = sum
            case .at(let milliseconds):
                deadline = milliseconds
            case .none, .keep:
                break
            }
            // @}
            // snippet: set-write
            // SET ... GET of a key that holds another type is WRONGTYPE.
            let oldValue = self.returnsOldValue ? try database.string(of: self.key) : nil
            let oldReply = oldValue.map { RESPValue.bulkString($0) } ?? .nullBulkString
            // Look the key up again only when NX or XX needs to know.
            if self.condition != .always {
                let exists = self.returnsOldValue ? oldValue != nil : database.contains(self.key)
                if (self.condition == .ifMissing && exists) || (self.condition == .ifExists && !exists) {
                    return .reply(self.returnsOldValue ? oldReply : .nullBulkString)
                }
            }
            database.set(self.key, self.value, keepExpiry: self.expiry == .keep) // @chapter 6
            // @before 6 {
            // database.set(self.key, self.value)
            // @}
            // end-snippet
            // @chapter 6 {
            if let deadline {
                // A time already past is stored as it is: the key reads as
                // missing at once, and expiry deletes it (Redis does the same).
                database.setExpiry(self.key, at: deadline, deletingIfPast: false)
            }
            // @}
            return .reply(self.returnsOldValue ? oldReply : .ok)
        }
    }
    // end-snippet
}
