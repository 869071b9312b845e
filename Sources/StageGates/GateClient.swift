import Common
import Harness
import Foundation
import Synchronization

/// A client that gates use to talk to the server under test.
///
/// Every read has a deadline, so a server that never answers fails the
/// step instead of hanging the test run. Failures are thrown as
/// `GateFailure`s that show the bytes involved.
public final class GateClient {
    /// The underlying connection.
    let connection: TCPConnection
    /// How long a read waits for the server, in milliseconds.
    public var timeoutMilliseconds: Int32
    /// Bytes received but not yet matched by an `expect` step.
    private var pending: [UInt8] = []
    /// The last bytes sent, for failure messages.
    private var lastSent: [UInt8] = []
    /// The chapter section failures point at, set by the scenario.
    let chapter: String
    /// Told about every step that passed, for a runner that prints them.
    var observer: GateObserver?
    /// Background senders writing to this connection (see `trickle`): they
    /// are stopped before the descriptor is closed, so that they never
    /// write into a later connection that reuses its number.
    private var trickles: [Trickle] = []

    /// Connects to the server. Fails the step if the connection is refused.
    public init(host: String, port: Int, chapter: String, timeoutMilliseconds: Int32 = 5_000) throws {
        self.chapter = chapter
        self.timeoutMilliseconds = timeoutMilliseconds
        do {
            self.connection = try TCPConnection(connectingTo: host, port: port)
        } catch {
            throw GateFailure(
                step: "connect to \(host):\(port)", problem: "\(error)",
                diagnosis: GateDiagnosis(.connectionRefused,
                    "Connection refused: nothing listens on \(host):\(port) any more. Did the server stop accepting, or exit?"),
                hint: "Is the server listening on the port it was given (--port)?", chapter: chapter)
        }
    }

    /// The connection's descriptor, for scenarios that need raw control.
    public var fd: Int32 { self.connection.fd }

    /// Sends bytes in one write.
    public func send(_ bytes: [UInt8], hint: String = "The server closed the connection unexpectedly.") throws {
        self.lastSent = bytes
        do {
            try self.connection.write(bytes)
        } catch {
            throw GateFailure(step: "send", sent: bytes, problem: "\(error)",
                              diagnosis: GateDiagnosis(.connectionClosed, "The server closed the connection before this request could be sent."),
                              hint: hint, chapter: self.chapter)
        }
    }

    /// Sends bytes as separate writes, pausing between them so that the
    /// server sees them in separate reads (TCP_NODELAY is on).
    public func send(inPieces pieces: [[UInt8]], pauseMilliseconds: Int = 30) throws {
        for (index, piece) in pieces.enumerated() {
            try self.send(piece)
            if index < pieces.count - 1 { sleepMilliseconds(pauseMilliseconds) }
        }
        self.lastSent = pieces.flatMap { $0 }
    }

    /// Sends `request` and checks that exactly `reply` comes back.
    public func roundTrip(_ request: [UInt8], expect reply: [UInt8], step: String, hint: String) throws {
        try self.send(request)
        try self.expect(reply, step: step, hint: hint)
    }

    /// Reads until `expected.count` bytes have arrived and checks them.
    ///
    /// Fails early if the bytes stop matching, or after the timeout if too
    /// few arrive (the message then says what did arrive).
    public func expect(_ expected: [UInt8], step: String, hint: String) throws {
        try self.receive(expected, step: step, hint: hint)
        self.observer?.stepPassed(GateStep(step: step, sent: self.lastSent, expected: expected, received: expected))
    }

    /// Checks that exactly `expected` arrives, no sooner than `earliest` and
    /// no later than `latest` milliseconds after `start`, a reading of
    /// `Platform.monotonicMilliseconds()` taken just before the request was
    /// sent: for replies that must wait, such as a blocking pop's timeout.
    /// Waits at most half a second past `latest`, so that a reply that never
    /// comes fails soon. Returns how many milliseconds the reply took.
    @discardableResult
    public func expect(_ expected: [UInt8], arrivingBetween earliest: Int64, and latest: Int64, since start: Int64,
                       step: String, hint: String) throws -> Int64 {
        let savedTimeout = self.timeoutMilliseconds
        defer { self.timeoutMilliseconds = savedTimeout }
        self.timeoutMilliseconds = Int32(clamping: max(1, latest + 500 - (Platform.monotonicMilliseconds() - start)))
        do {
            try self.receive(expected, step: step, hint: hint)
        } catch var failure as GateFailure {
            failure.problem = (failure.problem.map { $0 + "; " } ?? "")
                + "the reply was due between \(earliest) and \(latest) ms after the request"
            throw failure
        }
        let elapsed = Platform.monotonicMilliseconds() - start
        guard elapsed >= earliest, elapsed <= latest else {
            let when = elapsed < earliest ? "too early" : "too late"
            throw GateFailure(step: step, sent: self.lastSent, expected: expected, received: expected,
                              problem: "the right reply, but \(when): it came \(elapsed) ms after the request, "
                                  + "and is due between \(earliest) and \(latest) ms", hint: hint, chapter: self.chapter)
        }
        self.observer?.stepPassed(GateStep(step: step, sent: self.lastSent, expected: expected, received: expected,
                                           note: "received \(GateStep.show(expected)) after \(elapsed) ms (due between \(earliest) and \(latest) ms)"))
        return elapsed
    }

    /// Reads until `expected.count` bytes have arrived and checks them, as
    /// `expect` does, without telling the observer.
    private func receive(_ expected: [UInt8], step: String, hint: String) throws {
        var received = self.pending
        self.pending = []
        var problem: String?
        var ending: GateDiagnosis.Ending?
        while received.count < expected.count {
            // Stop as soon as the reply went wrong, after a short wait to
            // collect the rest of the wrong reply for the message.
            if !expected.starts(with: received) {
                received += self.readAvailable(waitMilliseconds: 100, limit: expected.count * 2 + 256)
                break
            }
            let chunk = self.readSome(timeoutMilliseconds: self.timeoutMilliseconds)
            switch chunk {
            case .bytes(let bytes): received += bytes
            case .timeout:
                problem = "no more bytes within \(Double(self.timeoutMilliseconds) / 1000) s"
                ending = .timedOut(seconds: Double(self.timeoutMilliseconds) / 1000)
            case .closed:
                problem = "the server closed the connection"
                ending = .closed
            }
            if problem != nil { break }
        }
        guard received.count >= expected.count, received.starts(with: expected) else {
            throw GateFailure(step: step, sent: self.lastSent, expected: expected, received: received, problem: problem,
                              diagnosis: GateDiagnosis.compare(expected: expected, received: received, ending: ending),
                              hint: hint, chapter: self.chapter)
        }
        self.pending = Array(received[expected.count...])
    }

    /// Checks that nothing more arrives within `milliseconds`: catches a
    /// server that sends extra replies (say, one per read).
    public func expectNothingMore(step: String, hint: String, milliseconds: Int32 = 150) throws {
        let extra = self.pending + self.readAvailable(waitMilliseconds: milliseconds, limit: 4096)
        self.pending = []
        guard extra.isEmpty else {
            throw GateFailure(step: step, sent: self.lastSent, expected: [], received: extra,
                              problem: "unexpected extra bytes", hint: hint, chapter: self.chapter)
        }
        self.observer?.stepPassed(GateStep(step: step, sent: nil, expected: nil, received: [], note: "nothing more arrived"))
    }

    /// Checks that the server closes the connection (after any pending
    /// reply), within the timeout.
    public func expectClosed(step: String, hint: String) throws {
        var extra = self.pending
        self.pending = []
        while true {
            switch self.readSome(timeoutMilliseconds: self.timeoutMilliseconds) {
            case .closed:
                self.observer?.stepPassed(GateStep(step: step, sent: nil, expected: nil, received: extra, note: "the server closed the connection"))
                return
            case .bytes(let bytes):
                extra += bytes
                if extra.count > 64 * 1024 {
                    throw GateFailure(step: step, sent: self.lastSent, received: extra,
                                      problem: "the server kept sending instead of closing", hint: hint, chapter: self.chapter)
                }
            case .timeout:
                throw GateFailure(step: step, sent: self.lastSent, received: extra,
                                  problem: "the connection was still open after \(Double(self.timeoutMilliseconds) / 1000) s",
                                  hint: hint, chapter: self.chapter)
            }
        }
    }

    /// Reads one whole RESP reply, whatever it is.
    public func readReply(step: String, hint: String) throws -> RESPValue {
        var parser = ReplyParser()
        parser.append(self.pending)
        self.pending = []
        while true {
            do {
                if let value = try parser.next() {
                    self.pending = Array(parser.unparsedBytes)
                    self.observer?.stepPassed(GateStep(step: step, sent: self.lastSent, expected: nil, received: value.encoded))
                    return value
                }
            } catch {
                throw GateFailure(step: step, sent: self.lastSent, received: Array(parser.unparsedBytes),
                                  problem: "\(error)", hint: hint, chapter: self.chapter)
            }
            let ending: GateDiagnosis.Ending
            switch self.readSome(timeoutMilliseconds: self.timeoutMilliseconds) {
            case .bytes(let bytes):
                parser.append(bytes)
                continue
            case .timeout: ending = .timedOut(seconds: Double(self.timeoutMilliseconds) / 1000)
            case .closed: ending = .closed
            }
            let received = Array(parser.unparsedBytes)
            throw GateFailure(step: step, sent: self.lastSent, received: received, problem: "no complete reply arrived",
                              diagnosis: received.isEmpty ? GateDiagnosis.noReply(ending) : nil,
                              hint: hint, chapter: self.chapter)
        }
    }

    /// Starts sending `bytes` one at a time from a background thread, with
    /// a pause of `pauseMilliseconds` between two bytes, as a very slow
    /// client would (slowloris), and returns at once. Meanwhile the scenario
    /// talks to other clients; it reads this one's reply only after
    /// `Trickle.wait()`.
    public func trickle(_ bytes: [UInt8], pauseMilliseconds: Int) -> Trickle {
        Platform.ignoreSIGPIPE()
        self.lastSent = bytes
        let trickle = Trickle(total: bytes.count)
        self.trickles.append(trickle)
        let fd = self.fd
        let thread = Thread {
            for (index, byte) in bytes.enumerated() {
                if index > 0 && trickle.pauseOrStop(milliseconds: pauseMilliseconds) {
                    trickle.finish(errno: ECANCELED)
                    return
                }
                var sendErrno: Int32 = 0
                var sent = -1
                repeat {
                    (sent, sendErrno) = withUnsafeBytes(of: byte) { sendOnce(fd, $0.baseAddress!, 1) }
                } while sent < 0 && sendErrno == Platform.Errno.interrupted
                guard sent == 1 else {
                    trickle.finish(errno: sendErrno)
                    return
                }
                trickle.sentOneByte()
            }
            trickle.finish(errno: nil)
        }
        thread.start()
        return trickle
    }

    /// How `sendWithoutBlocking` ended.
    public enum UnreadSendOutcome: Sendable, Equatable {
        /// The server took every byte.
        case sentAll
        /// The server took nothing for the stall time (or the time limit
        /// passed): it stopped reading, as back-pressure should make it.
        case serverStoppedReading
        /// The server closed or reset the connection.
        case closedByServer
    }

    /// Sends `unit` `count` times, as one long pipeline, and never reads a
    /// reply; the call itself never blocks, so a server that stops reading
    /// cannot hang the gate.
    ///
    /// The socket is made non-blocking. Whenever the kernel refuses more
    /// bytes (the server is not reading, so every buffer on the way is
    /// full), `whileBlocked` runs, at most every 100 ms: the scenario checks
    /// other clients there. Sending stops when everything was sent, when the
    /// server took nothing for `stallMilliseconds`, when `limitMilliseconds`
    /// have passed, or when the server hung up. Returns the bytes sent and
    /// how it ended.
    public func sendWithoutBlocking(repeating unit: [UInt8], count: Int, step: String,
                                    stallMilliseconds: Int64 = 1_000, limitMilliseconds: Int64 = 8_000,
                                    whileBlocked: () throws -> Void = {}) throws -> (sent: Int, outcome: UnreadSendOutcome) {
        // A server that hangs up makes our next send fail with EPIPE; that
        // must be an error here, not a SIGPIPE that ends the test process.
        Platform.ignoreSIGPIPE()
        _ = Platform.setNonBlocking(self.fd)
        self.lastSent = unit
        // Send about 64 KB per call: `unit`, repeated.
        let chunk = Array(repeatElement(unit, count: max(1, 64 * 1024 / max(1, unit.count))).joined())
        let total = unit.count * count
        var sent = 0
        let start = Platform.monotonicMilliseconds()
        var lastProgress = start
        var lastCheck = start - 1_000
        var outcome = UnreadSendOutcome.sentAll
        sending: while sent < total {
            let offset = sent % chunk.count
            let length = min(chunk.count - offset, total - sent)
            let (accepted, sendErrno) = chunk.withUnsafeBytes { raw in sendOnce(self.fd, raw.baseAddress! + offset, length) }
            let now = Platform.monotonicMilliseconds()
            if accepted > 0 {
                sent += accepted
                lastProgress = now
                if now - start >= limitMilliseconds { outcome = .serverStoppedReading; break sending }
                continue
            }
            switch sendErrno {
            case Platform.Errno.interrupted:
                continue
            case Platform.Errno.again, Platform.Errno.wouldBlock:
                if now - lastProgress >= stallMilliseconds || now - start >= limitMilliseconds {
                    outcome = .serverStoppedReading
                    break sending
                }
                if now - lastCheck >= 100 {
                    lastCheck = now
                    try whileBlocked()
                }
                _ = Platform.waitUntilReady(self.fd, forWriting: true, milliseconds: 50)
            default:
                outcome = .closedByServer
                break sending
            }
        }
        let megabytes = String(format: "%.1f", Double(sent) / 1_048_576)
        let how = switch outcome {
        case .sentAll: "the server took all of it"
        case .serverStoppedReading: "then the server stopped reading"
        case .closedByServer: "then the server hung up"
        }
        self.observer?.stepPassed(GateStep(step: step, sent: unit, expected: nil, received: [],
                                           note: "sent \(megabytes) MB of \(count) × this, reading nothing; \(how)"))
        return (sent, outcome)
    }

    /// Closes the connection politely (FIN).
    public func close() {
        self.stopTrickles()
        self.connection.close()
    }

    /// Closes the connection with a reset (RST), as a crashed client would.
    public func reset() {
        self.stopTrickles()
        Platform.closeWithReset(self.connection.fd)
        self.connection.abandonDescriptor()
    }

    /// Stops the background senders and waits until they are done.
    private func stopTrickles() {
        for trickle in self.trickles {
            trickle.stop()
            _ = trickle.wait()
        }
        self.trickles = []
    }

    deinit {
        // Before `connection` closes the descriptor.
        self.stopTrickles()
    }

    /// What one timed read produced.
    enum ReadResult {
        case bytes([UInt8])
        case timeout
        case closed
    }

    /// One read, waiting at most `timeoutMilliseconds` for data.
    func readSome(timeoutMilliseconds: Int32) -> ReadResult {
        guard Platform.waitUntilReady(self.connection.fd, milliseconds: timeoutMilliseconds) else { return .timeout }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        guard let count = try? self.connection.read(into: &buffer), count > 0 else { return .closed }
        return .bytes(Array(buffer[0..<count]))
    }

    /// Everything that arrives within `waitMilliseconds`, up to `limit` bytes.
    func readAvailable(waitMilliseconds: Int32, limit: Int) -> [UInt8] {
        var collected: [UInt8] = []
        while collected.count < limit, case .bytes(let bytes) = self.readSome(timeoutMilliseconds: waitMilliseconds) {
            collected += bytes
        }
        return collected
    }
}

/// Bytes being sent slowly by a background thread (see `GateClient.trickle`).
public final class Trickle: Sendable {
    /// How many bytes there are to send.
    public let total: Int
    /// How many have been sent so far.
    private let sent = Atomic<Int>(0)
    /// Set once the thread is done: nil when every byte went out, or the
    /// errno of the send that failed.
    private let outcome = Lock<Int32??>(nil)
    /// Signalled once when the thread is done.
    private let done = DispatchSemaphore(value: 0)
    /// Signalled to make the thread stop before its next byte.
    private let stopping = DispatchSemaphore(value: 0)

    /// Creates the record for `total` bytes.
    init(total: Int) {
        self.total = total
    }

    /// How many bytes have been sent so far.
    public var bytesSent: Int { self.sent.load(ordering: .acquiring) }

    /// True once the thread has sent every byte, or failed.
    public var isFinished: Bool { self.outcome.withLock { $0 != nil } }

    /// Asks the thread to stop before its next byte.
    func stop() {
        self.stopping.signal()
    }

    /// Called by the thread between two bytes: sleeps `milliseconds`, or
    /// less if asked to stop. Returns true when it must stop.
    func pauseOrStop(milliseconds: Int) -> Bool {
        if self.stopping.wait(timeout: .now() + .milliseconds(milliseconds)) == .success {
            self.stopping.signal() // stay stopped
            return true
        }
        return false
    }

    /// Called by the thread after each byte.
    func sentOneByte() {
        self.sent.add(1, ordering: .releasing)
    }

    /// Called by the thread when it is done: `errno` is nil on success.
    func finish(errno: Int32?) {
        self.outcome.withLock { $0 = .some(errno) }
        self.done.signal()
    }

    /// Waits for the thread to finish; returns nil if every byte was sent,
    /// or the errno of the send that failed (`ECANCELED` if it was stopped).
    public func wait() -> Int32? {
        self.done.wait()
        self.done.signal() // so that a second wait returns too
        return self.outcome.withLock { $0 ?? nil }
    }
}

/// One step of a scenario that passed, as shown by a verbose runner.
public struct GateStep: Sendable {
    /// What the step checked.
    public var step: String
    /// The bytes sent for it, if any.
    public var sent: [UInt8]?
    /// The bytes expected, when the step expected exact bytes.
    public var expected: [UInt8]?
    /// The bytes received.
    public var received: [UInt8]
    /// What happened, when it was not a reply (a close, a silence).
    public var note: String?

    /// Creates a step record.
    public init(step: String, sent: [UInt8]?, expected: [UInt8]?, received: [UInt8], note: String? = nil) {
        self.step = step
        self.sent = sent
        self.expected = expected
        self.received = received
        self.note = note
    }

    /// Escaped bytes, shortened when long.
    public static func show(_ bytes: [UInt8]) -> String {
        GateFailure.show(bytes)
    }
}

/// Receives the steps of scenarios as they pass.
public protocol GateObserver: AnyObject {
    /// Called after each step that passed.
    func stepPassed(_ step: GateStep)
}

/// Sleeps the calling thread. Gates use short sleeps only to make TCP
/// deliver bytes in separate reads.
public func sleepMilliseconds(_ milliseconds: Int) {
    Platform.sleep(milliseconds: milliseconds)
}

/// One `send(2)` with no flags: the bytes sent (or -1) and errno, read at
/// once. Its callers in `GateClient` ignore SIGPIPE first, so that a
/// server that hung up costs an `EPIPE`, not the test process.
private func sendOnce(_ fd: Int32, _ base: UnsafeRawPointer, _ count: Int) -> (Int, Int32) {
    let sent = send(fd, base, count, 0)
    return (sent, errno)
}
