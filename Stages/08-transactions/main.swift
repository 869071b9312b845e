// Stage 8: transactions, and the counters they are usually shown with.
//
// MULTI queues a client's commands and EXEC runs them as one: no other
// client's command runs in between (Common/Keyspace/Store.swift's
// withExclusiveAccess). WATCH makes EXEC conditional: it runs only if none
// of the watched keys changed since (Common/Keyspace/Watches.swift). And the
// rest of the string family: INCR and its kin, APPEND, GETRANGE, MSET...
import Common

// snippet: manifest
let server = Server(
    "Stage 08 (transactions)",
    commands: [
        Ping.self, Echo.self,
        SetCommand.self, Get.self, Del.self, Exists.self, DBSize.self, FlushAll.self, TypeCommand.self,
        ConfigGet.self, Hello.self,
        Expire.self, PExpire.self, ExpireAt.self, PExpireAt.self, Persist.self,
        TTL.self, PTTL.self, ExpireTime.self, PExpireTime.self,
        // Lists: push and pop at both ends...
        LPush.self, RPush.self, LPushX.self, RPushX.self, LPop.self, RPop.self, LMPop.self,
        // ...read...
        LLen.self, LRange.self, LIndex.self, LPos.self,
        // ...edit in place...
        LSet.self, LInsert.self, LRem.self, LTrim.self,
        // ...move between lists...
        LMove.self, RPopLPush.self,
        // ...and wait for an element (Common/Blocking).
        BLPop.self, BRPop.self, BLMPop.self, BLMove.self, BRPopLPush.self,
        // Transactions: queue, then run as one; WATCH for optimistic locking.
        Multi.self, Exec.self, Discard.self, Watch.self, Unwatch.self,
    ],
    jobs: [ActiveExpiry.job]
)
await server.run()
// end-snippet
