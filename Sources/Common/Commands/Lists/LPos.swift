// @chapter 7
/// `LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]`: the
/// index of matches (as LINDEX counts them).
///
/// RANK picks the n-th match (negative: counting from the tail, and the
/// scan goes that way); COUNT asks for an array of up to that many matches
/// (0: all); MAXLEN compares at most that many elements. Without COUNT the
/// reply is one index or a null; with it, an array.
public struct LPos: Command {
    public static let name = "lpos"
    public static let arity = -3
    public static let flags: CommandFlags = [.readOnly]

    /// The list.
    package var key: [UInt8]
    /// What to look for.
    package var element: [UInt8]
    /// Which match comes first in the reply: 1 the first from the head,
    /// -1 the first from the tail.
    package var rank = 1
    /// COUNT, if given (0 means every match).
    package var count: Int?
    /// How many elements to compare at most; 0 means no limit.
    package var maxLength = 0

    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.key = arguments[1]
        self.element = arguments[2]
        var index = 3
        while index < arguments.count {
            let option = arguments[index]
            // Every option takes a value: one without is a syntax error.
            guard index + 1 < arguments.count else { throw .syntaxError }
            let value = arguments[index + 1]
            if option.equalsIgnoringASCIICase("rank") {
                guard let rank = RequestParser.parseInteger(value) else { throw .notAnInteger }
                guard rank != 0 else { throw LPos.rankIsZero }
                self.rank = rank
            } else if option.equalsIgnoringASCIICase("count") {
                self.count = try parseNonNegative(value, else: CommandError("ERR COUNT can't be negative"))
            } else if option.equalsIgnoringASCIICase("maxlen") {
                self.maxLength = try parseNonNegative(value, else: CommandError("ERR MAXLEN can't be negative"))
            } else {
                throw .syntaxError
            }
            index += 2
        }
    }

    /// RANK 0, which means nothing.
    static let rankIsZero = CommandError(
        "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
            + "or use negative to start from the end of the list")

    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        let positions = try context.store.withDatabase { database throws(CommandError) -> [Int]? in
            guard let list = try database.list(of: self.key) else { return nil }
            // Redis 7.0 negates a negative rank to scan from the tail; the
            // most negative number stays negative (C overflow), so every
            // match ranks and COUNT never stops the scan. (Redis 7.2
            // refuses that rank instead.)
            if self.rank == Int.min {
                return list.positions(of: self.element, rank: -1, count: 0, maxLength: self.maxLength)
            }
            return list.positions(of: self.element, rank: self.rank, count: self.count ?? 1, maxLength: self.maxLength)
        }
        if self.count != nil {
            return .reply(.array((positions ?? []).map { .integer($0) }))
        }
        return .reply(positions?.first.map { .integer($0) } ?? .nullBulkString)
    }
}
