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

/// The `key value [key value ...]` pairs of MSET and MSETNX, read in
/// place from the request: words 1 and 2, 3 and 4, ...
///
/// The request itself is kept, not copied into an array of pairs: MSET is
/// all arguments, and a copy would cost one allocation and a retain and a
/// release of every word, a third of MSET's time in a profile.
package struct KeyValuePairs: Sendable {
    /// The whole request, the command's name first.
    private let words: [[UInt8]]

    /// The pairs after the command's name. An odd number of words after
    /// it (a key without its value) is Redis's arity error, although the
    /// table's arity check (at least 3) has passed: Redis checks the pairs
    /// in the command itself, with the same text.
    init(_ arguments: [[UInt8]], command: String) throws(CommandError) {
        guard arguments.count % 2 == 1 else { throw .wrongArity(command) }
        self.words = arguments
    }

    /// Calls `body` with each pair, in order.
    ///
    /// Through the array's buffer, and borrowed: reading `words[index]`
    /// copies the word out, a retain and a release for each key and each
    /// value (a tenth of MSET's instructions in a profile).
    func forEach(_ body: (_ key: borrowing [UInt8], _ value: borrowing [UInt8]) -> Void) {
        self.words.withUnsafeBufferPointer { words in
            var index = 1
            while index < words.count {
                body(words[index], words[index + 1])
                index += 2
            }
        }
    }

    /// True if `predicate` holds for some pair's key.
    func containsKey(where predicate: ([UInt8]) -> Bool) -> Bool {
        var index = 1
        while index < self.words.count {
            if predicate(self.words[index]) { return true }
            index += 2
        }
        return false
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
    package var pairs: KeyValuePairs

    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.pairs = try KeyValuePairs(arguments, command: MSet.name)
    }

    public func apply(to context: inout CommandContext) -> Outcome {
        context.store.withDatabase { database in
            // In order: `MSET k 1 k 2` leaves 2, as two SETs would.
            self.pairs.forEach { key, value in database.set(key, value) }
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
    package var pairs: KeyValuePairs

    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.pairs = try KeyValuePairs(arguments, command: MSetNX.name)
    }

    public func apply(to context: inout CommandContext) -> Outcome {
        let written = context.store.withDatabase { database -> Bool in
            // All or nothing: check every key before writing any.
            guard !self.pairs.containsKey(where: { database.contains($0) }) else { return false }
            self.pairs.forEach { key, value in database.set(key, value) }
            return true
        }
        return .reply(.integer(written ? 1 : 0))
    }
}
