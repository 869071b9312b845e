// Stage 9: publish/subscribe, where one client's command writes to other
// connections.
//
// SUBSCRIBE puts a connection in a new mode: from then on it mostly
// listens. PUBLISH hands a message to every subscriber of a channel, and
// of every glob pattern that matches it (PSUBSCRIBE), by queueing it in
// each subscriber's outbox (Common/PubSub/PubSubHub.swift); each
// subscriber's own task writes it out. A subscriber that falls too far
// behind is disconnected by its outbox's limits, so that no publisher
// waits for it and the server's memory stays bounded.
import Common

// snippet: manifest
let server = Server(
    "Stage 09 (pub/sub)",
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
        // Publish/subscribe: channels, patterns, and what the hub knows.
        Subscribe.self, Unsubscribe.self, PSubscribe.self, PUnsubscribe.self, Publish.self,
        PubSubIntrospection.self, Quit.self, Reset.self,
    ],
    jobs: [ActiveExpiry.job]
)
await server.run()
// end-snippet
