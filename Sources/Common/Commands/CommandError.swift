// @chapter 2
/// A command that cannot run: the client gets an error reply and the
/// connection stays open (unlike a `ProtocolError`).
///
/// The texts are Redis 7's, byte for byte, because clients and tests match
/// on them.
public struct CommandError: Error, Equatable, Sendable {
    /// The error line without the leading `-`, such as `ERR syntax error`.
    package var message: [UInt8]

    /// An error with the given text, such as `ERR syntax error`.
    public init(_ text: String) {
        self.message = Array(text.utf8)
    }

    /// An error with the given bytes.
    public init(bytes: [UInt8]) {
        self.message = bytes
    }

    /// The reply to send: `-<message>\r\n`.
    public var reply: RESPValue {
        .error(self.message)
    }

    // snippet: command-errors
    /// `ERR wrong number of arguments for 'echo' command`. `name` is the
    /// command's lowercase name, whatever case the client used.
    package static func wrongArity(_ name: String) -> CommandError {
        CommandError("ERR wrong number of arguments for '\(name)' command")
    }

    /// `ERR unknown command 'FOO', with args beginning with: 'a' 'b' `.
    ///
    /// Redis builds this text with C's `%s`, so each part stops at a NUL
    /// byte; the name is cut to 128 bytes, and arguments are added, each cut
    /// to what still fits, while the list is under 128 bytes. Note the space
    /// after the last argument (and after the colon when there are none).
    package static func unknownCommand(_ arguments: [[UInt8]]) -> CommandError {
        /// The bytes up to the first NUL, at most `limit` of them.
        func cString(_ bytes: [UInt8], limit: Int) -> ArraySlice<UInt8> {
            bytes.upToNul.prefix(limit)
        }
        var text = Array("ERR unknown command '".utf8)
        text += cString(arguments.first ?? [], limit: 128)
        text += Array("', with args beginning with: ".utf8)
        var list: [UInt8] = []
        for argument in arguments.dropFirst() {
            guard list.count < 128 else { break }
            list.append(UInt8(ascii: "'"))
            list += cString(argument, limit: 128 - list.count + 1)
            list += Array("' ".utf8)
        }
        return CommandError(bytes: text + list)
    }
    // end-snippet

    // @chapter 5 {

    /// `ERR syntax error`, for options a command does not understand.
    package static let syntaxError = CommandError("ERR syntax error")
    // @}
    // @chapter 6 {

    /// `ERR value is not an integer or out of range`, for a number that is
    /// not a strict decimal integer (no `+`, no spaces, no leading zeros).
    package static let notAnInteger = CommandError("ERR value is not an integer or out of range")

    /// `ERR invalid expire time in 'set' command`: zero, negative, or so
    /// large that the time would overflow.
    package static func invalidExpireTime(_ name: String) -> CommandError {
        CommandError("ERR invalid expire time in '\(name)' command")
    }

    /// `ERR Unsupported option FOO`, for an EXPIRE option other than
    /// NX, XX, GT and LT.
    package static func unsupportedOption(_ option: [UInt8]) -> CommandError {
        CommandError(bytes: Array("ERR Unsupported option ".utf8) + option.upToNul)
    }
    // @}
    // @chapter 5 {

    /// `ERR unknown subcommand 'FOO'. Try CONFIG HELP.`
    package static func unknownSubcommand(_ subcommand: [UInt8], of command: String) -> CommandError {
        CommandError(bytes: Array("ERR unknown subcommand '".utf8) + subcommand.upToNul.prefix(128)
            + Array("'. Try \(command) HELP.".utf8))
    }

    /// `WRONGTYPE Operation against a key holding the wrong kind of value`:
    /// a string command on a list, or a list command on a string. Every
    /// typed read of the keyspace raises it through `Database`'s one check.
    package static let wrongType = CommandError("WRONGTYPE Operation against a key holding the wrong kind of value")
    // @}
    // @chapter 9 {

    /// A command other than the pub/sub ones on a RESP2 connection in
    /// subscribed mode.
    package static func notAllowedWhileSubscribed(_ name: String) -> CommandError {
        CommandError("ERR Can't execute '\(name)': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
    }
    // @}
    // @chapter 7 {

    /// LPOP's count, or another count that must not be negative.
    package static let mustBePositive = CommandError("ERR value is out of range, must be positive")
    /// LSET on a missing key.
    package static let noSuchKey = CommandError("ERR no such key")
    /// LSET past either end.
    package static let indexOutOfRange = CommandError("ERR index out of range")
    /// A blocking command's timeout that is not a number.
    package static let timeoutNotAFloat = CommandError("ERR timeout is not a float or out of range")
    /// A blocking command's timeout below zero (or too far away to count).
    package static let timeoutNegative = CommandError("ERR timeout is negative")
    // @}
    // @chapter 8 {

    /// INCR, DECR, INCRBY, DECRBY: the result would not fit in 64 bits.
    package static let incrementOverflow = CommandError("ERR increment or decrement would overflow")
    /// `DECRBY key -9223372036854775808`: the one decrement that cannot be
    /// negated into an increment (checked before the key is even read).
    package static let decrementOverflow = CommandError("ERR decrement would overflow")
    /// INCRBYFLOAT: the stored value or the increment is not a number that
    /// C's `strtold` reads whole (see `LongDouble`).
    package static let notAFloat = CommandError("ERR value is not a valid float")
    /// INCRBYFLOAT: the sum is infinite (or not a number).
    package static let nanOrInfinity = CommandError("ERR increment would produce NaN or Infinity")
    /// SETRANGE with a negative offset.
    package static let offsetOutOfRange = CommandError("ERR offset is out of range")
    /// APPEND or SETRANGE would make a string longer than 512 MB (Redis's
    /// `proto-max-bulk-len`, which the text names; not "512MB").
    package static let stringTooLong = CommandError("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
    // @}
}
