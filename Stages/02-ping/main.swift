// Stage 2: PING.
//
// The server now reads what a client sends and answers every PING with
// +PONG. The hard part is not PONG: it is knowing where one command ends,
// because TCP delivers a stream of bytes, not one message per read.
import Common

Platform.ignoreSIGPIPE()
let options = ServerOptions.fromCommandLine()

// snippet: commands
// The commands this server understands. The table finds a command by
// name (in any letter case), checks its arity, and answers anything else
// with Redis's own error (Common/Commands/CommandTable.swift).
let commands = CommandTable([Ping.self])
// end-snippet
let server = ServerState(options: options)

let listener: TCPListener
do {
    listener = try TCPListener(host: options.bindAddress, port: options.port)
} catch {
    fail("Could not listen on \(options.bindAddress):\(options.port): \(error)")
}
log("Stage 02 (PING) listening on \(listener.address)")

// snippet: serve
// One client at a time: while we serve this client, the next one waits in
// the kernel's accept queue. Stage 4 removes that limit.
while true {
    do {
        let connection = try listener.accept()
        // Read, parse, reply until the client hangs up (Common/Server/ServeOneClient.swift).
        serveOneClient(connection, commands: commands, server: server)
    } catch {
        log("accept failed: \(error)")
    }
}
// end-snippet
