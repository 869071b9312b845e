// Stage 4: concurrent clients.
//
// Stages 1–3 served one client at a time: a second redis-cli waited until
// the first one quit. Now every client gets its own task, the way a Go
// server gives each client a goroutine. The tasks run on a reactor: an
// event loop that suspends a task whose socket has nothing to read and
// resumes it when the kernel says data arrived, so no thread ever sleeps
// inside `recv`. PING and ECHO behave exactly as in stage 3.
//
// What chapter 4 builds lives in Common: the reactor (Common/Reactor), the
// non-blocking connection (Common/Net/AsyncConnection.swift), the serve
// loop (Common/Server/ServeClient.swift), and the runner that ties them
// together with --maxclients and graceful shutdown on Ctrl-C
// (Common/Server/Server.swift).
import Common

// snippet: manifest
let server = Server(
    "Stage 04 (concurrent clients)",
    commands: [Ping.self, Echo.self]
)
await server.run()
// end-snippet
