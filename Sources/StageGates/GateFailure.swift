import Common

/// Why a gate step failed, written for the learner who has to fix it: what
/// was sent, what was expected, what came back (escaped, so `\r\n` shows),
/// a one-line hint and the chapter section to read.
public struct GateFailure: Error, CustomStringConvertible, Sendable {
    /// What the step was checking, in a few words.
    public var step: String
    /// The bytes sent just before the failure, if any.
    public var sent: [UInt8]?
    /// The bytes expected back, if the step expected bytes.
    public var expected: [UInt8]?
    /// The bytes that did come back.
    public var received: [UInt8]?
    /// What happened instead, when it was not a wrong reply (a timeout, a
    /// refused connection, a closed socket).
    public var problem: String?
    /// The likely cause, read from the bytes (see `GateDiagnosis`): shown
    /// before the step's own hint, which assumes the step's own mistake.
    public var diagnosis: GateDiagnosis?
    /// A one-line suggestion of the likely mistake.
    public var hint: String
    /// The chapter section that explains the behaviour, such as
    /// `Tutorials/02-ping.md#one-read-is-not-one-command`.
    public var chapter: String

    /// Creates a failure report. Without a `diagnosis`, one is read from
    /// `expected` and `received` when both are given.
    public init(step: String, sent: [UInt8]? = nil, expected: [UInt8]? = nil, received: [UInt8]? = nil,
                problem: String? = nil, diagnosis: GateDiagnosis? = nil, hint: String, chapter: String) {
        self.diagnosis = diagnosis ?? expected.flatMap { expected in
            received.flatMap { GateDiagnosis.compare(expected: expected, received: $0) }
        }
        self.step = step
        self.sent = sent
        self.expected = expected
        self.received = received
        self.problem = problem
        self.hint = hint
        self.chapter = chapter
    }

    public var description: String {
        var lines = ["step:     \(self.step)"]
        if let sent = self.sent { lines.append("sent:     \(GateFailure.show(sent))") }
        if let expected = self.expected { lines.append("expected: \(GateFailure.show(expected))") }
        if let received = self.received { lines.append("received: \(received.isEmpty ? "(nothing)" : GateFailure.show(received))") }
        if let problem = self.problem { lines.append("problem:  \(problem)") }
        if let diagnosis = self.diagnosis { lines.append("cause:    \(diagnosis.text)") }
        lines.append("hint:     \(self.hint)")
        lines.append("read:     \(self.chapter)")
        return lines.joined(separator: "\n")
    }

    /// What to try first: the diagnosis when there is one, else the hint.
    public var firstAdvice: String {
        self.diagnosis?.text ?? self.hint
    }

    /// Escaped bytes, shortened in the middle when long (a 1 MB payload
    /// would drown the message).
    static func show(_ bytes: [UInt8]) -> String {
        guard bytes.count > 160 else { return bytes.escaped }
        return bytes.prefix(100).escaped + " … " + bytes.suffix(40).escaped + " (\(bytes.count) bytes)"
    }
}
