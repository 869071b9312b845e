// Stage 4: concurrent clients.
//
// Stages 1–3 served one client at a time: a second redis-cli waited until
// the first one quit. Now every client gets its own task, the way a Go
// server gives each client a goroutine. The tasks run on a reactor: an
// event loop that suspends a task whose socket has nothing to read and
// resumes it when the kernel says data arrived, so no thread ever sleeps
// inside `recv`. PING and ECHO behave exactly as in stage 3.
import Common

Platform.ignoreSIGPIPE()
// Each client costs a file descriptor; the usual default of 1024 is too low.
Platform.raiseOpenFileLimit()
let options = ServerOptions.fromCommandLine()

// snippet: reactor
// The reactor: one thread that waits for socket readiness (epoll on Linux,
// poll elsewhere; REACTOR_BACKEND=poll picks poll) and runs client tasks.
let reactor = Reactor()
reactor.start()
// end-snippet

let listener: AsyncListener
do {
    listener = try AsyncListener(host: options.bindAddress, port: options.port, reactor: reactor,
                             maxClients: options.maxClients)
} catch {
    fail("Could not listen on \(options.bindAddress):\(options.port): \(error)")
}
log("Stage 04 (concurrent clients) listening on \(listener.address), \(reactor.backend) reactor")

// snippet: shutdown
// Ctrl-C (SIGINT) or `kill` (SIGTERM) shuts the server down gracefully: it
// stops accepting, lets each client take the replies already computed,
// closes them, prints one line and exits 0 (Common/GracefulShutdown.swift).
let shutdown = GracefulShutdown(reactor: reactor, listener: listener)
// end-snippet

// snippet: serve
// Accept clients until a shutdown begins, and give each one its own child
// task. The task group owns them all; a discarding group forgets each task
// when it ends, so finished clients cost nothing. The executor preference
// makes every client task run on the reactor's thread: resuming one after
// `epoll_wait` then needs no hop to another thread. (This accept loop
// itself is top-level code, so it stays on the main actor: one hop per new
// client.)
await withTaskExecutorPreference(reactor) {
    await withDiscardingTaskGroup { group in
        while true {
            do {
                // nil: a shutdown has begun, and the listener is closed.
                guard let connection = try await listener.accept() else { break }
                group.addTask {
                    await serveClient(connection, respond: Command.respond(to:))
                }
            } catch {
                log("accept failed: \(error)")
            }
        }
    }
}
// Every client task has ended: print one line and exit 0.
shutdown.finish()
// end-snippet
