// Stage 3: ECHO.
//
// The server now parses real RESP and dispatches on the command name:
// PING and ECHO, in any letter case, with binary-safe arguments, inline
// commands for telnet users, and Redis's own error replies. The loop below
// is stage 2's; what changed is the command list, and the parser and
// errors in Common that chapter 3 builds.
import Common

Platform.ignoreSIGPIPE()
let options = ServerOptions.fromCommandLine()

// snippet: commands
// The commands this server understands: stage 2's PING, and ECHO.
let commands = CommandTable([Ping.self, Echo.self])
// end-snippet
let server = ServerState(options: options)

let listener: TCPListener
do {
    listener = try TCPListener(host: options.bindAddress, port: options.port)
} catch {
    fail("Could not listen on \(options.bindAddress):\(options.port): \(error)")
}
log("Stage 03 (ECHO) listening on \(listener.address)")

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
