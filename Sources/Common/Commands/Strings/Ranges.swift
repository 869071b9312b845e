// @chapter 8
/// `GETRANGE key start end`: the bytes from `start` through `end`, both
/// inclusive, negative indexes counting from the end (-1 is the last byte).
/// The empty bulk string `$0` for a missing key or an empty range.
///
/// It clamps like LRANGE, with one quirk of Redis 7.0 kept on purpose: an
/// `end` that is still negative after counting from the end becomes 0
/// instead of making the range empty, so `GETRANGE k 0 -100` of `hello` is
/// `h`. (Only when both indexes are negative and `start` is after `end` is
/// the range empty at once: `GETRANGE k -1 -5` is empty.)
public struct GetRange: Command, Equatable {
    public static let name = "getrange"
    public static let arity = 4
    public static let flags: CommandFlags = [.readOnly]

    /// The key.
    package var key: [UInt8]
    /// The first and last index, as given.
    package var start: Int, end: Int

    /// Parses the indexes first: `GETRANGE list x 1` complains about `x`,
    /// not about the list.
    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.key = arguments[1]
        guard let start = RequestParser.parseInteger(arguments[2]),
              let end = RequestParser.parseInteger(arguments[3]) else { throw .notAnInteger }
        self.start = start
        self.end = end
    }

    /// The positions of `start...end` in a string of `length` bytes, by
    /// Redis's rules (see above); empty when there is nothing to reply.
    package static func range(start: Int, end: Int, length: Int) -> Range<Int> {
        if start < 0 && end < 0 && start > end { return 0..<0 }
        // `length + index` cannot overflow: the index is negative.
        var first = start < 0 ? length + start : start
        var last = end < 0 ? length + end : end
        first = max(first, 0)
        last = max(last, 0)
        last = min(last, length - 1)
        guard first <= last, length > 0 else { return 0..<0 }
        return first..<(last + 1)
    }

    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        let part = try context.store.withDatabase { database throws(CommandError) -> [UInt8] in
            guard let bytes = try database.string(of: self.key) else { return [] }
            return Array(bytes[GetRange.range(start: self.start, end: self.end, length: bytes.count)])
        }
        return .reply(.bulkString(part))
    }
}

/// `SETRANGE key offset value`: overwrite the bytes from `offset` on with
/// `value`, padding with zero bytes when the string is shorter; reply with
/// the new length. A missing key is created (all zeros before `offset`).
///
/// What Redis checks, in order: the offset is an integer (`value is not
/// an integer or out of range`), not negative (`offset is out of range`);
/// then the key's type; then the 512 MB limit on `offset` plus the value's
/// length. An empty value writes nothing and skips the limit: it replies
/// the current length, `:0` for a missing key, which it does *not* create.
/// The key keeps its TTL.
public struct SetRange: Command, Equatable {
    public static let name = "setrange"
    public static let arity = 4
    public static let flags: CommandFlags = [.write]

    /// The key.
    package var key: [UInt8]
    /// Where the value goes, 0 or more.
    package var offset: Int
    /// The bytes written there.
    package var value: [UInt8]

    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        self.key = arguments[1]
        guard let offset = RequestParser.parseInteger(arguments[2]) else { throw .notAnInteger }
        guard offset >= 0 else { throw .offsetOutOfRange }
        self.offset = offset
        self.value = arguments[3]
    }

    /// Writes in place, under one lock.
    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        let length = try context.store.withDatabase { database throws(CommandError) -> Int in
            // `creating` is false for an empty value: nothing to write, no key.
            try database.modifyString(self.key, creating: !self.value.isEmpty, touching: !self.value.isEmpty) { bytes, _ throws(CommandError) -> Int in
                guard !self.value.isEmpty else { return bytes.count }
                try StringLimit.check(self.offset, adding: self.value.count)
                let end = self.offset + self.value.count
                if bytes.count < end { bytes += repeatElement(0, count: end - bytes.count) }
                bytes.replaceSubrange(self.offset..<end, with: self.value)
                return bytes.count
            }
        }
        return .reply(.integer(length))
    }
}
