import StageGates
import Testing

/// The causes a failure names from the bytes expected and received, before
/// the step's own hint.
@Suite("gate diagnoses")
struct GateDiagnosisTests {
    static func kind(_ expected: String, _ received: String, ending: GateDiagnosis.Ending? = nil) -> GateDiagnosis.Kind? {
        GateDiagnosis.compare(expected: Array(expected.utf8), received: Array(received.utf8), ending: ending)?.kind
    }

    @Test("a wrong reply type is named", arguments: [
        ("$3\r\nhey\r\n", "+hey\r\n", GateDiagnosis.Kind.simpleStringForBulkString),
        ("+OK\r\n", "$2\r\nOK\r\n", .bulkStringForSimpleString),
        (":1\r\n", "$1\r\n1\r\n", .wrongIntegerType),
        (":1\r\n", "+1\r\n", .wrongIntegerType),
        ("$1\r\n1\r\n", ":1\r\n", .integerForString),
        ("+OK\r\n", "-ERR unknown command 'SET', with args beginning with: 'k' 'v' \r\n", .unknownCommand),
        ("+OK\r\n", "-ERR syntax error\r\n", .errorForValue),
        ("-ERR syntax error\r\n", "+OK\r\n", .valueForError),
        ("$-1\r\n", "$0\r\n\r\n", .wrongType),
        // In a pipeline, the first reply that differs counts.
        ("+PONG\r\n$1\r\na\r\n", "+PONG\r\n+a\r\n", .simpleStringForBulkString),
        // Inside an array.
        ("*1\r\n$1\r\na\r\n", "*1\r\n+a\r\n", .simpleStringForBulkString),
        ("+PONG\r\n", "PONG\r\n", .notRESP),
    ])
    func wrongType(expected: String, received: String, kind: GateDiagnosis.Kind) {
        #expect(Self.kind(expected, received) == kind)
    }

    @Test("the unknown command is named")
    func unknownCommandName() throws {
        let diagnosis = try #require(GateDiagnosis.compare(
            expected: Array(":1\r\n".utf8), received: Array("-ERR unknown command 'EXPIRE', with args beginning with: 'k' '1' \r\n".utf8)))
        #expect(diagnosis.text.contains("does not know 'EXPIRE'"), "\(diagnosis.text)")
        #expect(diagnosis.text.contains("Add the command"))
    }

    @Test("the right type with the wrong text is left to the step's hint")
    func sameType() {
        #expect(Self.kind("$3\r\nhey\r\n", "$3\r\nhex\r\n") == nil)
        #expect(Self.kind("-ERR wrong number of arguments for 'echo' command\r\n", "-ERR wrong args\r\n") == nil)
        #expect(Self.kind("+PONG\r\n", "+pong\r\n") == nil)
    }

    @Test("no reply: closed and timed out are told apart; a short reply is left to the step's hint")
    func noReply() {
        #expect(Self.kind("+PONG\r\n", "", ending: .closed) == .connectionClosed)
        #expect(Self.kind("+PONG\r\n", "", ending: .timedOut(seconds: 5)) == .timedOut)
        // One of three PONGs: framing, which the step's hint is about.
        #expect(Self.kind("+PONG\r\n+PONG\r\n+PONG\r\n", "+PONG\r\n", ending: .timedOut(seconds: 5)) == nil)
        #expect(Self.kind("$5\r\nhello\r\n", "$5\r\nhel", ending: .timedOut(seconds: 5)) == nil)
    }

    @Test("a failure shows the cause before the hint, and leads with it")
    func failureText() {
        let failure = GateFailure(step: "ECHO hey", sent: Array("*2\r\n$4\r\nECHO\r\n$3\r\nhey\r\n".utf8),
                                  expected: Array("$3\r\nhey\r\n".utf8), received: Array("+hey\r\n".utf8),
                                  hint: "Compare command names ignoring ASCII case.", chapter: "Tutorials/03-echo.md")
        let text = failure.description
        let cause = text.range(of: "cause:    A simple string came back where a bulk string was expected")
        let hint = text.range(of: "hint:     Compare command names")
        #expect(cause != nil && hint != nil && cause!.lowerBound < hint!.lowerBound, "\(text)")
        #expect(failure.firstAdvice.hasPrefix("A simple string came back"))
    }
}
