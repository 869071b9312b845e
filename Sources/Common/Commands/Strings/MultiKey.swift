// @chapter 8
/// `MGET key [key ...]`: the value of every key, in order, as one array.
///
/// A key that is missing, or that holds another type, is a null in the
/// array: MGET never answers `WRONGTYPE` (one list among a hundred keys
/// must not cost the client the other 99 values).
public struct MGet: Command, Equatable {
    public static let name = "mget"
    public static let arity = -2
    public static let flags: CommandFlags = [.readOnly]

    /// The keys, in the order asked (a key may come twice).
    package var keys: [[UInt8]]

    public init(parsing arguments: [[UInt8]]) {
        self.keys = Array(arguments.dropFirst())
    }

    /// Reads every key under one lock: the values are one moment's.
    public func apply(to context: inout CommandContext) -> Outcome {
        let values = context.store.withDatabase { database -> [RESPValue] in
            self.keys.map { key in
                // `value(of:)`, not `string(of:)`: another type is no error
                // here, just a null.
                if case .string(let bytes)? = database.value(of: key) { return .bulkString(bytes) }
                return .nullBulkString
            }
        }
        return .reply(.array(values))
    }
}

/// The `key value [key value ...]` pairs of MSET and MSETNX.
enum KeyValuePairs {
    /// The pairs after the command's name. An odd number of words after
    /// it (a key without its value) is Redis's arity error, although the
    /// table's arity check (at least 3) has passed: Redis checks the pairs
    /// in the command itself, with the same text.
    static func parse(_ arguments: [[UInt8]], command: String) throws(CommandError) -> [(key: [UInt8], value: [UInt8])] {
        guard arguments.count % 2 == 1 else { throw .wrongArity(command) }
        // Words 1 and 2, 3 and 4, ...: the pairs, keys first.
        return stride(from: 1, to: arguments.count, by: 2).map { (arguments[$0], arguments[$0 + 1]) }
    }
}

/// `MSET key value [key value ...]`: SET of several keys at once, all of
/// them under one lock (no client sees half of them written). Replaces
/// values of any type and clears TTLs, as SET does. Always `+OK`.
public struct MSet: Command {
    public static let name = "mset"
    public static let arity = -3
    public static let flags: CommandFlags = [.write]

    /// The pairs, in order: a key given twice ends with its last value.
    package var pairs: [(key: [UInt8], value: [UInt8])]

    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.pairs = try KeyValuePairs.parse(arguments, command: MSet.name)
    }

    public func apply(to context: inout CommandContext) -> Outcome {
        context.store.withDatabase { database in
            // In order: `MSET k 1 k 2` leaves 2, as two SETs would.
            for pair in self.pairs { database.set(pair.key, pair.value) }
        }
        return .reply(.ok)
    }
}

/// `MSETNX key value [key value ...]`: MSET only if none of the keys
/// exists (of any type); `:1` if it wrote them all, `:0` if it wrote none.
/// One lock for the check and the writes: two MSETNX over the same keys
/// cannot both win.
public struct MSetNX: Command {
    public static let name = "msetnx"
    public static let arity = -3
    public static let flags: CommandFlags = [.write]

    /// The pairs, in order.
    package var pairs: [(key: [UInt8], value: [UInt8])]

    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.pairs = try KeyValuePairs.parse(arguments, command: MSetNX.name)
    }

    public func apply(to context: inout CommandContext) -> Outcome {
        let written = context.store.withDatabase { database -> Bool in
            // All or nothing: check every key before writing any.
            guard !self.pairs.contains(where: { database.contains($0.key) }) else { return false }
            for pair in self.pairs { database.set(pair.key, pair.value) }
            return true
        }
        return .reply(.integer(written ? 1 : 0))
    }
}
