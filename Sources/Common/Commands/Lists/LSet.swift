// @chapter 7
/// `LSET key index element`: replaces the element at `index`.
///
/// Unlike the reading commands it does not forgive: `-ERR no such key`
/// without a list, `-ERR index out of range` past either end.
public struct LSet: Command {
    public static let name = "lset"
    public static let arity = 4
    public static let flags: CommandFlags = [.write]

    /// The list.
    package var key: [UInt8]
    /// The index, raw: Redis checks the key before parsing it.
    package var index: [UInt8]
    /// The new element.
    package var element: [UInt8]

    public init(parsing arguments: [[UInt8]]) {
        self.key = arguments[1]
        self.index = arguments[2]
        self.element = arguments[3]
    }

    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        try context.store.withDatabase { database throws(CommandError) in
            guard let count = try database.list(of: self.key)?.count else { throw .noSuchKey }
            let index = try ListIndexes.parse(self.index)
            guard let position = ListIndexes.position(index, count: count) else { throw .indexOutOfRange }
            try database.modifyList(self.key) { $0.replace(at: position, with: self.element) }
        }
        return .reply(.ok)
    }
}
