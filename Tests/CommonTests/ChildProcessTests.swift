@testable import Common
import Foundation
import Harness
import Testing

/// A server that the tests start must not inherit the test process's
/// sockets: if it does, a client socket the test closes stays open in the
/// child, no FIN or RST ever leaves, and the server under test never sees
/// that client hang up. (Gate 7's "a blocked client that disconnects is
/// forgotten" failed that way whenever a parallel scenario started its
/// server between the connect and the close.)
@Suite("Child processes")
struct ChildProcessTests {
    @Test("a child started while a client is connected does not keep the client's socket open")
    func childDoesNotInheritSockets() throws {
        let listener = try TCPListener(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        let client = try TCPConnection(connectingTo: "127.0.0.1", port: listener.address.port)
        let accepted = try listener.accept()

        // A child that outlives the close below by far.
        let child = try ChildProcess.spawn(shellCommand: "sleep 5", outputPath: "/dev/null")
        defer {
            ChildProcess.sendSignal(to: child, force: true)
            _ = ChildProcess.waitForExit(child, timeoutMilliseconds: 2_000)
        }

        client.close()
        // The close must reach the peer now, not when the child exits.
        let readable = Platform.waitUntilReady(accepted.fd, milliseconds: 1_000)
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = readable ? try accepted.read(into: &buffer) : -1
        #expect(readable && count == 0,
                "expected end of stream (recv → 0) within 1 s of the client's close; got \(readable ? "recv → \(count)" : "nothing: the socket is still open somewhere"). Hint: create sockets close-on-exec (FD_CLOEXEC), and have ChildProcess.spawn close inherited descriptors, so a spawned server cannot hold them.")
    }

    #if os(Linux)
    @Test("a child killed at its deadline takes the processes it started with it (its process group)")
    func deadlineKillsTheGroup() throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("grandchild-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        // Like stage-tester and the server it starts: a shell that starts
        // a long sleep and waits for it.
        let child = try ChildProcess.spawn(shellCommand: "sh -c 'sleep 60 & echo $! > \(pidFile); wait'",
                                           outputPath: "/dev/null", ownProcessGroup: true)
        var grandchild: Int32?
        for _ in 0..<200 where grandchild == nil {
            grandchild = (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if grandchild == nil { Platform.sleep(milliseconds: 10) }
        }
        let sleeper = try #require(grandchild, "the child never wrote its sleep's pid to \(pidFile)")
        defer { _ = kill(sleeper, SIGKILL) }

        #expect(ChildProcess.waitForExit(child, timeoutMilliseconds: 100, killingGroup: true) == nil,
                "the child should still be running at its deadline (it waits 60 s)")
        // SIGKILL is asynchronous: allow a moment. A zombie (state Z) has
        // died; only init has yet to reap it.
        func alive() -> Bool {
            guard let stat = try? String(contentsOfFile: "/proc/\(sleeper)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            return !stat[close...].hasPrefix(") Z")
        }
        var waited = 0
        while alive() && waited < 1_000 {
            Platform.sleep(milliseconds: 10)
            waited += 10
        }
        #expect(!alive(), "expected the child's own child (pid \(sleeper), `sleep 60`) killed with it; it is still running 1 s later. Hint: spawn with ownProcessGroup and kill -pid, the group, not only the child.")
    }
    #endif
}
