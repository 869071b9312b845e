// @chapter 5
/// `FLUSHALL [ASYNC | SYNC]`: deletes every key.
///
/// Both modes free memory at once here; Redis's ASYNC frees it on a
/// background thread. Extra arguments are a syntax error, not an arity
/// error, as in Redis.
public struct FlushAll: Command, Equatable {
    public static let name = "flushall"
    public static let arity = -1
    public static let flags: CommandFlags = [.write]

    /// Parses `FLUSHALL [ASYNC | SYNC]`.
    public init(parsing arguments: [[UInt8]]) throws(CommandError) {
        switch arguments.count {
        case 1:
            break
        case 2 where arguments[1].equalsIgnoringASCIICase("ASYNC") || arguments[1].equalsIgnoringASCIICase("SYNC"):
            break
        default:
            throw .syntaxError
        }
    }

    /// Deletes everything.
    public func apply(to context: inout CommandContext) -> Outcome {
        context.store.withDatabase { $0.removeAll() }
        return .reply(.ok)
    }
}
