@testable import Common

/// What a `RequestParser` made of a byte stream: the commands it returned,
/// the protocol error that ended the stream (the server would reply and
/// hang up), and how many bytes were left waiting for more.
struct ParsedRequests: Equatable {
    /// Every command `next()` returned, in order.
    var commands: [[[UInt8]]] = []
    /// The error that stopped parsing, if any.
    var error: ProtocolError?
    /// Bytes of an unfinished command still buffered at the end (0 after an
    /// error: the connection is gone).
    var bufferedByteCount = 0

    /// A readable summary for crash messages.
    var summary: String {
        let commands = self.commands.map { "[" + $0.map { shown($0) }.joined(separator: ", ") + "]" }
        return "commands: [\(commands.joined(separator: ", "))], error: \(self.error.map { "\($0)" } ?? "none"), buffered: \(self.bufferedByteCount)"
    }
}

/// The request parser's invariants:
/// - however the bytes are cut, the same commands and the same error come out;
/// - no command is empty (a dispatcher reads `arguments[0]`);
/// - a command, re-encoded the way clients send it (an array of bulk
///   strings) and parsed again, gives the same arguments;
/// - the memory the parser holds grows with the bytes it received, never
///   with a length or count the client merely announced.
enum RequestChecks {
    /// Runs the checks on `input` and returns what it parsed to, whole.
    static func run(on input: [UInt8], seed: UInt64) -> ParsedRequests {
        let whole = parse(input, at: [])
        // Past 64 KB the "too big" errors depend on how much was buffered
        // when the check ran, so on purpose (as in Redis) on the cuts too.
        // The fuzzer's -max_len keeps inputs far below that.
        if input.count <= RequestParser.maxInlineSize {
            for cuts in Chunkings.cuts(count: input.count, seed: seed) {
                let cut = parse(input, at: cuts)
                invariant(cut == whole, """
                    cutting the input at \(cuts.count > 4 ? "every byte" : "\(cuts)") changed what it parses to
                      input: \(shown(input))
                      whole: \(whole.summary)
                      cut:   \(cut.summary)
                    """)
            }
        }
        for command in whole.commands {
            invariant(!command.isEmpty, "the parser returned an empty command for \(shown(input))")
            let encoded = RESPValue.request(command)
            let again = parse(encoded, at: [])
            invariant(again == ParsedRequests(commands: [command]), """
                a command re-encoded as an array of bulk strings did not parse back to itself
                  command: \(ParsedRequests(commands: [command]).summary)
                  encoded: \(shown(encoded))
                  parsed:  \(again.summary)
                """)
        }
        return whole
    }

    /// Feeds `input` to a new parser in the pieces `cuts` makes, draining
    /// `next()` after each piece as a server does after each read, and
    /// checks the parser's memory after every step.
    static func parse(_ input: [UInt8], at cuts: [Int]) -> ParsedRequests {
        var parser = RequestParser()
        var result = ParsedRequests()
        var received = 0
        for piece in Chunkings.pieces(input, at: cuts) {
            parser.append(piece)
            received += piece.count
            checkMemory(of: parser, received: received, input: input)
            do {
                while let command = try parser.next() {
                    result.commands.append(command)
                    checkMemory(of: parser, received: received, input: input)
                }
            } catch {
                result.error = error
                return result
            }
            checkMemory(of: parser, received: received, input: input)
        }
        result.bufferedByteCount = parser.bufferedByteCount
        return result
    }

    /// The parser may hold at most about twice the bytes it received (an
    /// array doubles its capacity as it grows) plus a constant: never
    /// memory for a bulk length or element count that was only announced.
    /// (`*2000000000\r\n` may reserve 1,024 argument slots, no more.)
    static func checkMemory(of parser: RequestParser, received: Int, input: [UInt8]) {
        invariant(parser.bufferCapacity <= 2 * received + 64, """
            the parser's buffer has room for \(parser.bufferCapacity) bytes after receiving \(received)
              input: \(shown(input))
            """)
        invariant(parser.argumentsCapacity <= 2 * 1024 + 2 * received, """
            the parser reserved \(parser.argumentsCapacity) argument slots after receiving \(received) bytes
              input: \(shown(input))
            """)
    }
}
