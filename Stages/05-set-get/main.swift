// Stage 5: SET and GET on a shared store.
//
// Stage 4 served many clients, but each one lived alone: nothing one client
// did could be seen by another. Now they share one `Store`. A write by one
// client is visible to every other client at once, and Swift 6's strict
// concurrency checking proves that the sharing is free of data races.
import Common

Platform.ignoreSIGPIPE()
Platform.raiseOpenFileLimit()
let options = ServerOptions.fromCommandLine()

let reactor = Reactor()
reactor.start()

let listener: AsyncListener
do {
    listener = try AsyncListener(host: options.bindAddress, port: options.port, reactor: reactor,
                             maxClients: options.maxClients)
} catch {
    fail("Could not listen on \(options.bindAddress):\(options.port): \(error)")
}
log("Stage 05 (SET/GET) listening on \(listener.address), \(reactor.backend) reactor")

// snippet: store
// One store for the whole server. `Store` is a `Sendable` class that guards
// its data with a Mutex, so every client task may hold a reference to it.
let store = Store()
// end-snippet

// snippet: shutdown
// Ctrl-C (SIGINT) or `kill` (SIGTERM) shuts the server down gracefully: it
// stops accepting, lets each client take the replies already computed,
// closes them, prints one line and exits 0 (Common/GracefulShutdown.swift).
let shutdown = GracefulShutdown(reactor: reactor, listener: listener)
// end-snippet

// snippet: serve
// As in stage 4: a task per client, on the reactor's thread. Each task now
// passes the shared store to the commands it runs, and its own session
// (the protocol version chosen with HELLO) to the commands that need it.
await withTaskExecutorPreference(reactor) {
    await withDiscardingTaskGroup { group in
        while true {
            do {
                // nil: a shutdown has begun, and the listener is closed.
                guard let connection = try await listener.accept() else { break }
                group.addTask {
                    await serveClient(connection) { session, arguments in
                        Command.respond(to: arguments, store: store, session: &session)
                    }
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
