// @chapter 8
/// The longest string Redis lets APPEND and SETRANGE make: 512 MB, its
/// default `proto-max-bulk-len` (the largest bulk string a client may send).
enum StringLimit {
    /// 512 MB, in bytes.
    static let maximumLength = 512 * 1024 * 1024

    /// Throws `string exceeds maximum allowed size` unless `length` plus
    /// `added` is at most 512 MB. Checked as Redis does, with the sum's
    /// overflow counted as too long (SETRANGE's offset may be huge).
    static func check(_ length: Int, adding added: Int) throws(CommandError) {
        let (total, overflow) = length.addingReportingOverflow(added)
        guard !overflow, total <= maximumLength else { throw .stringTooLong }
    }
}

/// `APPEND key value`: add bytes at the end of a string; reply with the
/// new length. A missing key is created with `value`, as SET would.
///
/// The string grows in place (`Database.modifyString`), so appending is
/// amortized O(1) per byte, and a key built from many small APPENDs costs
/// what it holds. The key keeps its TTL.
public struct Append: Command, Equatable {
    public static let name = "append"
    public static let arity = 3
    public static let flags: CommandFlags = [.write]

    /// The key.
    package var key: [UInt8]
    /// The bytes to add.
    package var value: [UInt8]

    public init(parsing arguments: [[UInt8]]) {
        self.key = arguments[1]
        self.value = arguments[2]
    }

    /// Appends under one lock: `WRONGTYPE` for another type, and the
    /// 512 MB limit for an existing string (a new one is only as long as
    /// one argument, which the protocol already limits).
    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        let length = try context.store.withDatabase { database throws(CommandError) -> Int in
            try database.modifyString(self.key, creating: true) { bytes, existed throws(CommandError) -> Int in
                if existed { try StringLimit.check(bytes.count, adding: self.value.count) }
                bytes += self.value
                return bytes.count
            }
        }
        return .reply(.integer(length))
    }
}

/// `STRLEN key`: the length of a string in bytes; `:0` for a missing key.
public struct StrLen: Command, Equatable {
    public static let name = "strlen"
    public static let arity = 2
    public static let flags: CommandFlags = [.readOnly]

    /// The key.
    package var key: [UInt8]

    public init(parsing arguments: [[UInt8]]) {
        self.key = arguments[1]
    }

    /// Bytes, not characters: `é` is 2.
    public func apply(to context: inout CommandContext) throws(CommandError) -> Outcome {
        let length = try context.store.withDatabase { database throws(CommandError) in
            try database.string(of: self.key)?.count ?? 0
        }
        return .reply(.integer(length))
    }
}
