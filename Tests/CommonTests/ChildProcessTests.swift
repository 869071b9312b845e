@testable import Common
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
}
