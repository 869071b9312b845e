import Common
import Harness

/// The likely cause of a failed step, read from the bytes expected and
/// received (or from how the connection ended), as opposed to the step's own
/// hint, which is written for the mistake the step is about.
///
/// One wrong reply type, say ECHO answering `+hey\r\n`, fails every step
/// that echoes, each with its own hint ("ignore ASCII case", "split inline
/// commands", ...). The diagnosis names the real mistake in each of them,
/// and is shown first.
public struct GateDiagnosis: Sendable, Equatable {
    /// What kind of mistake: failures with the same kind are the same mistake.
    public enum Kind: String, Sendable {
        case simpleStringForBulkString = "simple-string-for-bulk-string"
        case bulkStringForSimpleString = "bulk-string-for-simple-string"
        case wrongIntegerType = "value-for-integer"
        case integerForString = "integer-for-string"
        case unknownCommand = "unknown-command"
        case errorForValue = "error-for-value"
        case valueForError = "value-for-error"
        case wrongType = "wrong-type"
        case notRESP = "not-resp"
        case connectionClosed = "connection-closed"
        case timedOut = "timed-out"
        case connectionRefused = "connection-refused"
        case serverDidNotStart = "server-did-not-start"
        case serverExited = "server-exited"
        case missingPort = "missing-port"
    }

    /// What kind of mistake it is.
    public var kind: Kind
    /// One or two sentences for the learner.
    public var text: String

    /// Creates a diagnosis.
    public init(_ kind: Kind, _ text: String) {
        self.kind = kind
        self.text = text
    }

    /// How the read of a reply ended, when it ended early.
    public enum Ending: Sendable {
        /// The server closed the connection.
        case closed
        /// Nothing (more) arrived before the deadline.
        case timedOut(seconds: Double)
    }

    /// The likely cause when `received` came back instead of `expected`, or
    /// nil when the bytes say nothing beyond the step's own hint (say, the
    /// right type with the wrong text, or replies that stop short).
    public static func compare(expected: [UInt8], received: [UInt8], ending: Ending? = nil) -> GateDiagnosis? {
        let wanted = replies(in: expected)
        let got = replies(in: received)
        for (index, want) in wanted.values.enumerated() {
            guard index < got.values.count else {
                // Every reply so far was right; then the bytes stopped.
                return stopped(afterReplies: index, partial: !got.rest.isEmpty || got.malformed, ending: ending,
                               malformedRest: got.malformed ? Array(got.rest) : nil, expected: want)
            }
            let have = got.values[index]
            if have != want {
                let where_ = wanted.values.count > 1 ? " (reply \(index + 1) of \(wanted.values.count))" : ""
                return compare(want, have, where: where_)
            }
        }
        return nil
    }

    /// The diagnosis when `have` came back instead of `want`.
    private static func compare(_ want: RESPValue, _ have: RESPValue, where place: String) -> GateDiagnosis? {
        let wantBytes = brief(want.encoded)
        let haveBytes = brief(have.encoded)
        switch (want, have) {
        case (.error, .error), (.simpleString, .simpleString), (.bulkString, .bulkString), (.integer, .integer):
            return nil // the right type; the step's own hint says what the text should be
        case (_, .error(let message)) where message.starts(with: Array("ERR unknown command".utf8)):
            let name = quotedName(in: message).map { "'\($0)'" } ?? "the command"
            return GateDiagnosis(.unknownCommand,
                "Unknown command\(place): the server answered \(haveBytes), so it does not know \(name) yet. "
                + "Add the command (its name matched ignoring ASCII case) and reply \(wantBytes).")
        case (.bulkString(let text), .simpleString(let got)):
            let same = text == got ? " The text is right, the type is not." : ""
            return GateDiagnosis(.simpleStringForBulkString,
                "A simple string came back where a bulk string was expected\(place): \(haveBytes) instead of \(wantBytes).\(same) "
                + "Encode the reply as $<length>\\r\\n<bytes>\\r\\n; +<text>\\r\\n is only for fixed status replies such as +PONG and +OK.")
        case (.simpleString, .bulkString):
            return GateDiagnosis(.bulkStringForSimpleString,
                "A bulk string came back where a simple string was expected\(place): \(haveBytes) instead of \(wantBytes). "
                + "Status replies such as +OK and +PONG are simple strings: +<text>\\r\\n.")
        case (.integer, .bulkString), (.integer, .simpleString):
            return GateDiagnosis(.wrongIntegerType,
                "A string came back where an integer was expected\(place): \(haveBytes) instead of \(wantBytes). "
                + "Counts, lengths and TTLs are integers: :<number>\\r\\n.")
        case (.bulkString, .integer), (.simpleString, .integer):
            return GateDiagnosis(.integerForString,
                "An integer came back where a string was expected\(place): \(haveBytes) instead of \(wantBytes).")
        case (_, .error):
            return GateDiagnosis(.errorForValue,
                "An error came back where a value was expected\(place): \(haveBytes) instead of \(wantBytes). "
                + "Which check in the server refused the command?")
        case (.error, _):
            return GateDiagnosis(.valueForError,
                "A value came back where an error was expected\(place): \(haveBytes) instead of \(wantBytes). "
                + "The server should have refused this command.")
        case (.array(let wants), .array(let haves)) where wants.count == haves.count:
            for (want, have) in zip(wants, haves) where want != have {
                return compare(want, have, where: place + " (in the array)")
            }
            return nil
        case (.array, .array), (.map, .map):
            return nil
        default:
            return GateDiagnosis(.wrongType,
                "\(kindName(have).capitalizedFirst) came back where \(kindName(want)) was expected\(place): \(haveBytes) instead of \(wantBytes).")
        }
    }

    /// The diagnosis when the right replies stopped after `count` of them.
    private static func stopped(afterReplies count: Int, partial: Bool, ending: Ending?,
                                malformedRest: [UInt8]?, expected: RESPValue) -> GateDiagnosis? {
        if let rest = malformedRest {
            var text = "The reply is not valid RESP: \(rest.prefix(60).escaped)"
            if rest.contains(10) && !rest.contains(13) {
                text += ". Lines end with \\r\\n, not \\n alone."
            } else if let first = rest.first, !"+-:$*%_#,".utf8.contains(first) {
                text += ". Every reply starts with a type byte: + - : $ or *."
            }
            return GateDiagnosis(.notRESP, text)
        }
        guard !partial else { return nil } // part of a reply: the step's hint is about framing
        switch ending {
        case .closed?:
            return count == 0 ? noReply(.closed) : GateDiagnosis(.connectionClosed,
                "The server closed the connection after \(count) right replies. Did it crash, or hang up after reading? "
                + "(If it exited, its output is under problem.)")
        case .timedOut?: return count == 0 ? noReply(ending!) : nil
        case nil: return nil
        }
    }

    /// The diagnosis when no byte of a reply came back.
    public static func noReply(_ ending: Ending) -> GateDiagnosis {
        switch ending {
        case .closed:
            GateDiagnosis(.connectionClosed,
                "The server closed the connection without replying. Did it crash, or hang up after reading? "
                + "(If it exited, its output is under problem.)")
        case .timedOut(let seconds):
            GateDiagnosis(.timedOut,
                "Timed out waiting for a reply: nothing came back within \(seconds) s. "
                + "Does the server answer this command at all, and write the reply out at once?")
        }
    }

    /// The diagnosis when a server command has no `{port}`.
    public static func missingPort(_ command: String) -> GateDiagnosis {
        GateDiagnosis(.missingPort,
            "A {port} is missing from the server command '\(command)': the tester starts the server on a free port it picks, "
            + "and puts that port where {port} is, e.g. `./my-server --port {port}`.")
    }

    /// The replies in `bytes`, then what is left: the unparsed bytes, and
    /// whether they are malformed (not just incomplete).
    private static func replies(in bytes: [UInt8]) -> (values: [RESPValue], rest: ArraySlice<UInt8>, malformed: Bool) {
        var parser = ReplyParser()
        parser.append(bytes)
        var values: [RESPValue] = []
        do {
            while let value = try parser.next() { values.append(value) }
        } catch {
            return (values, parser.unparsedBytes, true)
        }
        return (values, parser.unparsedBytes, false)
    }

    /// Escaped bytes, cut short: the failure shows them in full above.
    private static func brief(_ bytes: [UInt8]) -> String {
        bytes.count <= 48 ? bytes.escaped : bytes.prefix(24).escaped + "… (\(bytes.count) bytes)"
    }

    /// What a reply is, in words: "a bulk string".
    private static func kindName(_ value: RESPValue) -> String {
        switch value {
        case .simpleString: "a simple string"
        case .error: "an error"
        case .integer: "an integer"
        case .bulkString: "a bulk string"
        case .nullBulkString: "a nil bulk string ($-1)"
        case .array: "an array"
        case .nullArray: "a nil array (*-1)"
        case .map: "a map"
        case .push: "a push (>)"
        }
    }

    /// The first word between single quotes in an error message, such as
    /// FOO in `ERR unknown command 'FOO', with args ...`.
    private static func quotedName(in message: [UInt8]) -> String? {
        let parts = message.split(separator: UInt8(ascii: "'"), omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return nil }
        return Array(parts[1]).escaped
    }
}

extension String {
    /// The text with its first letter in upper case: "a bulk" -> "A bulk".
    fileprivate var capitalizedFirst: String {
        prefix(1).uppercased() + dropFirst()
    }
}
