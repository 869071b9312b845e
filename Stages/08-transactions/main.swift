// Stage 8: transactions, and the counters they are usually shown with.
//
// MULTI queues a client's commands and EXEC runs them as one: no other
// client's command runs in between (Common/Keyspace/Store.swift's
// withExclusiveAccess). WATCH makes EXEC conditional: it runs only if none
// of the watched keys changed since (Common/Keyspace/Watches.swift). And
// the rest of Redis's string family: counters (INCR and friends,
// INCRBYFLOAT with C's long double), APPEND and the range commands, the
// multi-key MGET and MSET, and the old spellings of SET's options (SETNX,
// SETEX, GETSET...).
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
        LPush.self, RPush.self, LPushX.self, RPushX.self, LPop.self, RPop.self, LMPop.self,
        LLen.self, LRange.self, LIndex.self, LPos.self, LSet.self, LInsert.self, LRem.self, LTrim.self,
        LMove.self, RPopLPush.self, BLPop.self, BRPop.self, BLMPop.self, BLMove.self, BRPopLPush.self,
        // Counters and the rest of the string family.
        Incr.self, Decr.self, IncrBy.self, DecrBy.self, IncrByFloat.self,
        Append.self, StrLen.self, GetRange.self, SetRange.self,
        MGet.self, MSet.self, MSetNX.self,
        GetSet.self, GetDel.self, GetEx.self, SetNX.self, SetEx.self, PSetEx.self,
        // Transactions: queue, then run as one; WATCH for optimistic locking.
        Multi.self, Exec.self, Discard.self, Watch.self, Unwatch.self,
    ],
    jobs: [ActiveExpiry.job]
)
await server.run()
// end-snippet
