// @chapter 4
import Synchronization

/// A Redis server on a reactor: what every stage from 4 on runs.
///
/// A stage says *what* its server is: a title, the commands it knows, and
/// the jobs that run beside the clients (active expiry). The runner does
/// the rest, the same way for every stage:
///
/// 1. binds the port (`--port`, `--bind`) and starts the reactor thread;
/// 2. accepts clients up to `--maxclients`, each in its own task on the
///    reactor, serving it with `serveClient`;
/// 3. runs the background jobs on the reactor too, between client commands;
/// 4. on SIGINT or SIGTERM, or `shutdown()` in-process, shuts down
///    gracefully (Common/Server/GracefulShutdown.swift) and returns.
public final class Server: Sendable {
    /// The line that starts the log, such as "Stage 06 (expiry)".
    package let title: String
    /// The commands the server understands.
    public let commands: CommandTable
    /// What the clients share.
    package let state: ServerState
    /// The jobs that run beside the clients.
    private let jobs: [BackgroundJob]
    /// The event loop that every client task runs on.
    private let reactor: Reactor
    /// Whether SIGINT and SIGTERM shut the server down (a stage's binary)
    /// or are left alone (a server inside a test process).
    private let handlesSignals: Bool

    /// A server titled `title` that understands `commands`, configured by
    /// `state.options` (the command line, by default).
    public init(_ title: String, commands: [any Command.Type], jobs: [BackgroundJob] = [],
                state: ServerState = ServerState(options: .fromCommandLine()), handlesSignals: Bool = true) {
        self.title = title
        self.commands = CommandTable(commands)
        self.state = state
        self.jobs = jobs
        self.handlesSignals = handlesSignals
        self.reactor = Reactor(backend: state.options.reactorBackend, taskPlacement: state.options.taskPlacement)
    }

    /// Listens on the configured address and serves clients until a
    /// shutdown; then returns. A port that cannot be had ends the process
    /// with a message, as `redis-server` does.
    public func run() async {
        do {
            try await self.run(onListening: { _ in })
        } catch {
            fail("Could not listen on \(self.state.options.bindAddress):\(self.state.options.port): \(error)")
        }
    }

    /// `run()`, telling `onListening` where the server listens (with the
    /// real port when asked for port 0) before the first client is accepted.
    package func run(onListening: (SocketAddress) -> Void) async throws {
        // snippet: start
        Platform.ignoreSIGPIPE()
        // Each client costs a file descriptor; the usual default of 1024 is too low.
        Platform.raiseOpenFileLimit()
        self.reactor.start()
        let options = self.state.options
        let listener = try AsyncListener(host: options.bindAddress, port: options.port, reactor: self.reactor,
                                         maxClients: options.maxClients, outboxLimit: options.outboxLimit)
        // end-snippet
        // snippet: shutdown
        // Ready to be stopped before anyone can know that the server
        // listens: a SIGTERM or `shutdown()` right after a client's first
        // connect is never lost.
        let shutdown = GracefulShutdown(reactor: self.reactor, listener: listener, exitsAtDeadline: self.handlesSignals)
        if self.handlesSignals { shutdown.handleSignals() }
        self.shutdownHandle.withLock { $0 = shutdown }
        log("\(self.title) listening on \(listener.address), \(self.reactor.backend) reactor")
        onListening(listener.address)
        // end-snippet

        // snippet: serve
        // Accept clients until a shutdown begins, and give each one its own
        // child task. The executor preference makes every task run on the
        // reactor's thread: resuming one after `epoll_wait` then needs no
        // hop to another thread. A discarding group forgets each task when
        // it ends, so finished clients cost nothing.
        await withTaskExecutorPreference(self.reactor) {
            await withDiscardingTaskGroup { group in
                // Background jobs (active expiry) stop with the server.
                let jobs = self.jobs.map { job in
                    Task(executorPreference: self.reactor) { [state = self.state] in await job.run(state) }
                }
                defer { for job in jobs { job.cancel() } }
                while true {
                    do {
                        // nil: a shutdown has begun, and the listener is closed.
                        guard let connection = try await listener.accept() else { break }
                        group.addTask {
                            await serveClient(connection, commands: self.commands, server: self.state)
                        }
                    } catch {
                        log("accept failed: \(error)")
                    }
                }
            }
        }
        // end-snippet
        // Every client task has ended: one line says how it went.
        shutdown.finish()
    }

    /// Begins a graceful shutdown, as SIGTERM does: for tests, and for a
    /// SHUTDOWN command. Does nothing before the server listens.
    package func shutdown() {
        self.shutdownHandle.withLock { $0 }?.begin(signal: "shutdown")
    }

    /// The running server's shutdown, once it listens.
    private let shutdownHandle = Lock<GracefulShutdown?>(nil)
}

/// A job that runs beside the clients for the life of a server, on the
/// reactor thread, such as active expiry. It is cancelled at shutdown.
public struct BackgroundJob: Sendable {
    /// What the job does, for the log.
    package let name: String
    /// The job's body: runs until cancelled.
    let run: @Sendable (ServerState) async -> Void

    /// A job named `name` that runs `body` with the server's shared state.
    public init(_ name: String, _ body: @escaping @Sendable (ServerState) async -> Void) {
        self.name = name
        self.run = body
    }
}
