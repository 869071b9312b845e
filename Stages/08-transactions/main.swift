// Stage 8: transactions, and the counters that need them.
//
// The rest of Redis's string family first: counters (INCR and friends,
// INCRBYFLOAT with C's long double), APPEND and the range commands, the
// multi-key MGET and MSET, and the old spellings of SET's options (SETNX,
// SETEX, GETSET...). Then MULTI/EXEC/WATCH, which make a read followed by
// a write one atomic step.
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
        // Counters and the rest of the string family.
        Incr.self, Decr.self, IncrBy.self, DecrBy.self, IncrByFloat.self,
        Append.self, StrLen.self, GetRange.self, SetRange.self,
        MGet.self, MSet.self, MSetNX.self,
        GetSet.self, GetDel.self, GetEx.self, SetNX.self, SetEx.self, PSetEx.self,
    ],
    jobs: [ActiveExpiry.job]
)
await server.run()
// end-snippet
