import Common
import Harness
import Foundation
import Synchronization

/// The server a gate talks to: our stage binary, any command a student
/// gives (a server in any language, or real `redis-server`), or a server
/// that is already running.
///
/// Chosen by environment variables, so the same gate runs against anything:
/// - `STAGE_SERVER='redis-server --port {port} --save ""'`: a command
///   template; `{port}` is replaced by a free port;
/// - `STAGE_ADDRESS=127.0.0.1:6379`: a server that is already running;
/// - neither: the stage's own binary, `StageNN --port {port}`, looked up in
///   `STAGE_BIN_DIR` or the package's `.build/debug`.
public final class ServerUnderTest {
    /// Where to connect.
    public let host: String
    /// The port the server listens on.
    public let port: Int
    /// What is being tested, for reports: the command or the address.
    public let label: String
    /// The process we started, or nil for a server that was already running.
    private let pid: Int32?
    /// The command as given, with `{port}` still in it (nil for a server
    /// that was already running).
    private var template: String?
    /// Where the started server's output goes, for failure messages.
    private let logFile: URL?
    /// Set once `stop()` has run.
    private var stopped = false
    /// Told about every passed step of clients opened with `connect`.
    public var observer: GateObserver?

    /// Wraps a server that is already running at `host:port`.
    public init(existingHost host: String, port: Int) {
        self.host = host
        self.port = port
        self.label = "\(host):\(port)"
        self.pid = nil
        self.logFile = nil
    }

    /// Starts `commandTemplate` (with `{port}` replaced by a free port) and
    /// waits until it accepts connections, at most `readyTimeout` seconds.
    public convenience init(command commandTemplate: String, readyTimeout: Double = 10) throws {
        // A free port is free only when we look: another process (a server
        // that a parallel scenario starts) may bind it before ours does. A
        // server that exits saying so is started again on another port.
        var attempt = 1
        while true {
            let port = try ServerUnderTest.freePort()
            let command = commandTemplate.replacingOccurrences(of: "{port}", with: String(port))
            let logFile = FileManager.default.temporaryDirectory
                .appendingPathComponent("gate-server-\(port)-\(UUID().uuidString.prefix(8)).log")
            let pid: Int32
            do {
                pid = try ChildProcess.spawn(shellCommand: command, outputPath: logFile.path)
            } catch {
                throw GateFailure(step: "start the server: \(command)", problem: "\(error)",
                                  hint: "Check the server command.", chapter: "Tutorials/01-bind-a-port.md#run-it")
            }
            let candidate = ServerUnderTest(pid: pid, port: port, command: command, logFile: logFile)
            candidate.template = commandTemplate
            do {
                try candidate.waitUntilAccepting(timeout: readyTimeout)
                self.init(taking: candidate)
                return
            } catch let failure as GateFailure {
                let lostThePort = !candidate.isRunning && candidate.recentOutput.lowercased().contains("in use")
                candidate.stop()
                guard lostThePort, attempt < 3 else { throw failure }
                attempt += 1
            }
        }
    }

    /// A server we just spawned, before it is known to accept.
    private init(pid: Int32, port: Int, command: String, logFile: URL) {
        self.pid = pid
        self.host = "127.0.0.1"
        self.port = port
        self.label = command
        self.logFile = logFile
    }

    /// Forgets the process without stopping it: another instance owns it now.
    private func disown() {
        self.stopped = true
    }

    /// Takes over `other`'s process, which `other` will then no longer stop.
    private convenience init(taking other: ServerUnderTest) {
        self.init(pid: other.pid!, port: other.port, command: other.label, logFile: other.logFile!)
        self.template = other.template
        other.disown()
    }

    deinit {
        self.stop()
    }

    /// True while the server process runs (always true for a server we did
    /// not start: we cannot see it, only connect to it).
    public var isRunning: Bool {
        guard let pid = self.pid, !self.stopped else { return self.pid == nil }
        return !ChildProcess.childHasExited(pid)
    }

    /// The process id of the server we started and have not stopped, or nil
    /// (a server that was already running): for scenarios that look at the
    /// process itself, such as its memory.
    public var processID: Int32? {
        self.stopped ? nil : self.pid
    }

    /// Opens a new client connection to the server.
    /// A refused connection to a server that still runs gets its output
    /// added (`Gate.run` adds it when the server has exited).
    public func connect(chapter: String) throws -> GateClient {
        do {
            let client = try GateClient(host: self.host, port: self.port, chapter: chapter)
            client.observer = self.observer
            return client
        } catch var failure as GateFailure {
            if self.pid != nil, self.isRunning {
                failure.problem = (failure.problem.map { $0 + ". " } ?? "") + "The server still runs; its output so far:\n" + self.recentOutput
            }
            throw failure
        }
    }

    /// The last lines the started server printed, for failure messages.
    public var recentOutput: String {
        guard let logFile = self.logFile, let data = try? Data(contentsOf: logFile) else { return "" }
        let text = String(decoding: data, as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(15).joined(separator: "\n")
    }

    /// Stops a server we started: SIGTERM, then SIGKILL after 2 seconds.
    public func stop() {
        guard let pid = self.pid, !self.stopped else { return }
        self.stopped = true
        if !ChildProcess.childHasExited(pid) {
            ChildProcess.sendSignal(to: pid)
            let deadline = Date().addingTimeInterval(2)
            var exited = false
            while !exited && Date() < deadline {
                sleepMilliseconds(2)
                exited = ChildProcess.childHasExited(pid)
            }
            if !exited {
                ChildProcess.sendSignal(to: pid, force: true)
                while !ChildProcess.childHasExited(pid) { sleepMilliseconds(2) }
            }
        }
        if let logFile = self.logFile { try? FileManager.default.removeItem(at: logFile) }
    }

    /// Polls until a connection succeeds, the process dies, or time is up.
    private func waitUntilAccepting(timeout: Double) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if !self.isRunning {
                throw GateFailure(
                    step: "start the server: \(self.label)",
                    problem: "the server exited before accepting connections. Its output:\n\(self.recentOutput)",
                    diagnosis: GateDiagnosis(.serverDidNotStart,
                        "The server didn't start: it exited before accepting connections. Its output is under problem."),
                    hint: "Does the server accept --port? Is the port already in use?",
                    chapter: "Tutorials/01-bind-a-port.md#run-it")
            }
            if let connection = try? TCPConnection(connectingTo: self.host, port: self.port) {
                // Nothing listens yet, and the kernel picked our port as the
                // probe's own: a TCP self-connect, which "succeeds" and holds
                // the port, so the server's bind then fails. Not a server.
                let selfConnected = Platform.localAddress(of: connection.fd).port == self.port
                connection.close()
                if selfConnected {
                    sleepMilliseconds(20)
                    continue
                }
                // Someone accepted; make sure it was our server, not another
                // process that took the port before ours could bind it.
                sleepMilliseconds(10)
                if self.isRunning { return }
                continue
            }
            sleepMilliseconds(20)
        }
        throw GateFailure(
            step: "start the server: \(self.label)",
            problem: "nothing accepted connections on port \(self.port) within \(timeout) s. Its output:\n\(self.recentOutput)",
            diagnosis: self.template.map { !$0.contains("{port}") } == true ? GateDiagnosis.missingPort(self.template!)
                : GateDiagnosis(.connectionRefused,
                    "Connection refused for \(timeout) s: the server runs but nothing listens on 127.0.0.1:\(self.port), the port it was given. "
                    + "Its output is under problem."),
            hint: "Does the server listen on the port it is given, on 127.0.0.1?",
            chapter: "Tutorials/01-bind-a-port.md#run-it")
    }

    /// A port for the next server: one outside the kernel's ephemeral
    /// range that nothing has bound right now.
    ///
    /// Ports from `bind(0)` came from the ephemeral range, and that range
    /// is shared with everything else the gates do:
    /// - the next `bind(0)` probe, of a scenario running in parallel, could
    ///   get the same port and listen on it for a moment, so this server's
    ///   readiness probe was answered by someone else's probe;
    /// - any client's `connect` could take it as its own local port, and the
    ///   server's `bind` then failed.
    ///
    /// Either way a scenario met "connection refused" from a server that ran
    /// (CI saw it twice). Below the ephemeral range only an explicit `bind`
    /// takes a port, and this process hands each one out in turn.
    package static func freePort() throws -> Int {
        let range = ServerUnderTest.portRange
        if !range.isEmpty {
            for _ in 0..<range.count {
                let port = ServerUnderTest.nextPortIndex.withLock { index in
                    defer { index += 1 }
                    return range.lowerBound + index % range.count
                }
                // A bind without listen: while it lasts, a connect to it is
                // refused, so no readiness probe can mistake it for a server.
                if Platform.canBind(host: "127.0.0.1", port: port) { return port }
            }
        }
        // The ephemeral range covers every port (a tuned machine): let the
        // kernel choose; the "in use" retry in `init(command:)` covers the race.
        let listener = try TCPListener(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        return listener.address.port
    }

    /// Up to 12,000 ports just below the kernel's ephemeral range, which
    /// starts at 32768 on Linux (`ip_local_port_range`) and 49152 on macOS.
    package static let portRange: Range<Int> = {
        var ephemeralLow = 32768
        if let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8),
           let first = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first,
           let low = Int(first) {
            ephemeralLow = low
        }
        let top = min(ephemeralLow, 32768)
        return max(1024, top - 12_000)..<top
    }()

    /// Where `freePort` looks next: a random start, so that two gate
    /// processes running side by side rarely try the same ports.
    private static let nextPortIndex = Lock<Int>(Int.random(in: 0..<12_000))
}
