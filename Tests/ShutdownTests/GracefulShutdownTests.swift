import Common
import Harness
import Foundation
@testable import StageGates
import Testing

/// Graceful shutdown of the stages that run on a reactor (4 and up): on
/// SIGINT or SIGTERM a server stops accepting, finishes the replies it has
/// already computed, closes its clients, prints one line and exits 0 within
/// a second (Common/GracefulShutdown.swift).
///
/// These tests send signals to a process they started, so they run against
/// our own binaries only, never against STAGE_SERVER or STAGE_ADDRESS.
@Suite("Graceful shutdown on SIGINT and SIGTERM")
struct GracefulShutdownTests {
    /// Every stage with a reactor (4 and up), and both stop signals.
    static let reactorStages = Gate.stages.filter { $0 >= 4 }
    static let cases: [(stage: Int, signal: String)] = reactorStages.flatMap { stage in
        Platform.stopSignals.map { (stage, $0.name) }
    }

    /// How soon the server must exit after the signal, in milliseconds: one
    /// second, as promised. Under AddressSanitizer (`make test-asan`) the
    /// leak check that runs at exit adds 0.1–0.2 s, so it gets two.
    static let exitLimit: Int64 = ProcessInfo.processInfo.environment["ASAN_OPTIONS"] == nil ? 1_000 : 2_000

    /// Where the shutdown is explained, for failure messages.
    static let chapter = "Tutorials/04-concurrent-clients.md#graceful-shutdown"

    /// A reply big enough that the kernel's socket buffers cannot hold it:
    /// the server is still writing it when the signal comes.
    static let bigPayload = [UInt8](repeating: UInt8(ascii: "x"), count: 16 * 1024 * 1024)

    /// Starts stage `stage` on a free port and returns it with its process id.
    private func start(stage: Int) throws -> (ServerUnderTest, Int32) {
        // `ChildProcess.spawn` execs the command, so the pid is the server's own.
        let server = try ServerUnderTest(command: "\(try Gate.stageBinary(stage)) --port {port}")
        let pid = try #require(server.processID)
        return (server, pid)
    }

    /// The lines the server printed after "listening on ...".
    private func linesAfterStartup(_ server: ServerUnderTest) -> [String] {
        server.recentOutput.split(separator: "\n").map(String.init).filter { !$0.contains("listening on") }
    }

    @Test("finishes a reply in flight, closes idle clients, refuses new ones, says one line, exits 0",
          arguments: cases)
    func graceful(stage: Int, signal: String) throws {
        let (server, pid) = try self.start(stage: stage)
        defer { server.stop() }
        let idle = try server.connect(chapter: Self.chapter)
        try idle.roundTrip(b("PING\r\n"), expect: b("+PONG\r\n"), step: "an idle client's PING", hint: "")

        // A client whose 16 MB reply is computed but not yet read.
        let busy = try server.connect(chapter: Self.chapter)
        try busy.send(RESPValue.request([b("ECHO"), Self.bigPayload]))
        // Some of the reply arrives: the server has computed it.
        let first = self.readSome(busy)
        #expect(first.starts(with: b("$16777216\r\n").prefix(first.count)), "the reply began with \(GateFailure.show(first))")

        let number = try #require(Platform.stopSignals.first { $0.name == signal }).number
        let signalled = Platform.monotonicMilliseconds()
        ChildProcess.sendSignal(number, to: pid)

        // The listener closes at once, while the busy client still holds
        // the server up (the deadline is 0.9 s: check quickly).
        var refused = false
        for _ in 0..<50 where !refused {
            if (try? GateClient(host: server.host, port: server.port, chapter: Self.chapter, timeoutMilliseconds: 200)) == nil {
                refused = true
            } else {
                sleepMilliseconds(5)
            }
        }
        #expect(refused, "stage \(stage) still accepted connections after \(signal)")

        let (rest, closed) = self.readUntilClosed(busy)
        let whole = "$16777216\r\n".utf8.count + Self.bigPayload.count + 2
        #expect(first.count + rest == whole, "stage \(stage): the busy client got \(first.count + rest) bytes of its \(whole)-byte reply")
        #expect(closed, "stage \(stage): the busy client was not closed after its reply")
        try idle.expectClosed(step: "the idle client is closed after \(signal)",
                              hint: "On a stop signal, wake every idle client and close it.")

        let status = ChildProcess.waitForExit(pid, timeoutMilliseconds: 2_000)
        let elapsed = Platform.monotonicMilliseconds() - signalled
        #expect(status == 0, "stage \(stage) exit status after \(signal): \(status.map(String.init) ?? "still running")")
        #expect(elapsed < Self.exitLimit, "stage \(stage) took \(elapsed) ms to exit after \(signal)")
        // At least the idle and the busy client; the readiness probe and the
        // refused attempts may not have been noticed as gone yet.
        let lines = self.linesAfterStartup(server)
        #expect(lines.count == 1 && lines[0].hasPrefix("\(signal): stopped accepting, closed ") && lines[0].hasSuffix(" clients, bye."),
                "printed: \(lines)")
    }

    /// The first bytes that arrive on `client` (none after 5 s).
    private func readSome(_ client: GateClient) -> [UInt8] {
        if case .bytes(let bytes) = client.readSome(timeoutMilliseconds: 5_000) { return bytes }
        return []
    }

    /// Reads until the server closes `client` (or 2 s pass without a byte)
    /// and returns how many bytes came and whether it was closed. Cheaper
    /// than `GateClient.expect` for megabytes: no byte comparison.
    private func readUntilClosed(_ client: GateClient) -> (count: Int, closed: Bool) {
        var count = 0
        while true {
            switch client.readSome(timeoutMilliseconds: 2_000) {
            case .bytes(let bytes): count += bytes.count
            case .closed: return (count, true)
            case .timeout: return (count, false)
            }
        }
    }

    /// The first and the newest stage with a reactor.
    static let deadlineStages = Array(Set([reactorStages.first!, reactorStages.last!])).sorted()

    @Test("a client that never reads its reply cannot hold the server past the deadline", arguments: deadlineStages)
    func deadline(stage: Int) throws {
        let (server, pid) = try self.start(stage: stage)
        defer { server.stop() }
        let stuck = try server.connect(chapter: Self.chapter)
        try stuck.send(RESPValue.request([b("ECHO"), Self.bigPayload]))
        #expect(!self.readSome(stuck).isEmpty, "the 16 MB reply began")

        let signalled = Platform.monotonicMilliseconds()
        ChildProcess.sendSignal(to: pid)  // SIGTERM; the client reads nothing more
        let status = ChildProcess.waitForExit(pid, timeoutMilliseconds: 2_000)
        let elapsed = Platform.monotonicMilliseconds() - signalled
        #expect(status == 0, "exit status: \(status.map(String.init) ?? "still running after 2 s")")
        #expect(elapsed < Self.exitLimit, "took \(elapsed) ms")
        let lines = self.linesAfterStartup(server)
        #expect(lines.count == 1 && lines[0].hasPrefix("SIGTERM: stopped accepting; 1 of ")
                && lines[0].contains(" clients did not take their replies within 0.9 s"),
                "printed: \(lines)")
        stuck.close()
    }
}

/// Bytes from text.
private func b(_ text: String) -> [UInt8] { Array(text.utf8) }
