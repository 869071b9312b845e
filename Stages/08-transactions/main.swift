// Stage 7: lists, and clients that wait for them.
//
// A second type of value: a list of strings, packed into chunks so that a
// million short elements cost a million short entries, not a million heap
// objects (Common/Keyspace/QuickList.swift). Every list command of Redis 7,
// and the blocking pops: a client that BLPOPs an empty key waits, holding no
// thread, until another client pushes (Common/Blocking).
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
