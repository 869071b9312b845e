// Stage 5: SET and GET on a shared store.
//
// Stage 4 served many clients, but each one lived alone: nothing one client
// did could be seen by another. Now they share one keyspace (`Store`, in
// Common/Keyspace). A write by one client is visible to every other client
// at once, and Swift 6's strict concurrency checking proves that the
// sharing is free of data races.
//
// CONFIG GET and HELLO are here for the tools: redis-benchmark asks for
// `save` and `appendonly` at startup, and redis-py 8 opens every
// connection with `HELLO 3`.
import Common

// snippet: manifest
let server = Server(
    "Stage 05 (SET/GET)",
    commands: [
        Ping.self, Echo.self,
        // The keyspace: strings, shared by every client.
        SetCommand.self, Get.self, Del.self, Exists.self, DBSize.self, FlushAll.self, TypeCommand.self,
        // For clients and tools.
        ConfigGet.self, Hello.self,
    ]
)
await server.run()
// end-snippet
