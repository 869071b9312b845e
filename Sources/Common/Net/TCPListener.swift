// @chapter 1
/// A listening TCP socket: the "front door" of every stage's server.
///
/// Chapter 1 builds it: `socket`, `SO_REUSEADDR`, `bind`, `listen`, then
/// `accept` in a loop. Each accepted client becomes a `TCPConnection`.
public final class TCPListener: Sendable {
    /// The listening descriptor.
    package let fd: Int32
    /// Where the listener is bound. With `--port 0` this holds the port the
    /// kernel picked, which is why it is read back with `getsockname`.
    public let address: SocketAddress

    /// Binds `host:port` and starts listening.
    ///
    /// - Parameters:
    ///   - backlog: how many finished handshakes the kernel queues for us
    ///     while we are busy. Redis uses 511.
    public init(host: String, port: Int, backlog: Int32 = 511) throws {
        self.fd = try Platform.listeningSocket(host: host, port: port, backlog: backlog)
        self.address = Platform.localAddress(of: self.fd)
    }

    // snippet: accept
    /// Blocks until a client connects, then returns its connection.
    ///
    /// Transient failures (a client that gave up before we accepted it, a
    /// signal, running out of descriptors for a moment) are retried; any
    /// other failure is thrown.
    public func accept() throws -> TCPConnection {
        while true {
            let (clientFD, acceptErrno, peer) = Platform.accept(self.fd)
            if clientFD >= 0 {
                Platform.setNoDelay(clientFD)
                return TCPConnection(fd: clientFD, peer: peer)
            }
            // A client that gave up before we accepted it shows up as
            // ECONNABORTED (ECONNRESET on some systems): just take the next.
            if acceptErrno == Platform.Errno.interrupted || acceptErrno == Platform.Errno.connectionReset
                || acceptErrno == Platform.Errno.connectionAborted {
                continue
            }
            // Out of descriptors: the client waits in the kernel's queue.
            // Back off briefly and try again, rather than spin on the error.
            if acceptErrno == Platform.Errno.tooManyFiles || acceptErrno == Platform.Errno.tooManyFilesInSystem {
                Platform.sleep(milliseconds: 10)
                continue
            }
            throw SocketError("accept", errno: acceptErrno)
        }
    }
    // end-snippet

    /// Stops listening. New clients are refused from now on.
    public func close() {
        Platform.close(self.fd)
    }
}
