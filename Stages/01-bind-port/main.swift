// Stage 1: bind a port.
//
// A server's first job is to exist on the network: claim a TCP port and let
// clients connect to it. This stage does only that. It accepts each client,
// logs it and hangs up; it does not speak Redis yet.
import Common

// A client that vanishes while we write must not kill the server.
Platform.ignoreSIGPIPE()

// --port and --bind, with Redis's defaults: 127.0.0.1:6379.
let options = ServerOptions.fromCommandLine()

// snippet: listen
// socket + bind + listen. If another server already has the port, say so
// and stop: there is nothing useful to do without it.
let listener: TCPListener
do {
    listener = try TCPListener(host: options.bindAddress, port: options.port)
} catch {
    fail("Could not listen on \(options.bindAddress):\(options.port): \(error)")
}
log("Stage 01 (bind a port) listening on \(listener.address)")
// end-snippet

// snippet: accept-loop
// Accept clients forever. `accept` sleeps until a client has connected,
// then hands us a new socket for that one client.
while true {
    do {
        let connection = try listener.accept()
        log("Accepted a client from \(connection.peer)")
        // Nothing to say yet: hang up. Stage 2 will read what the client sent.
        connection.close()
    } catch {
        log("accept failed: \(error)")
    }
}
// end-snippet
