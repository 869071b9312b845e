// Stage 6: key expiry.
//
// Keys may now carry a time to live (SET ... EX/PX/EXAT/PXAT, EXPIRE,
// PEXPIRE, EXPIREAT, PEXPIREAT; read with TTL, PTTL, EXPIRETIME and
// PEXPIRETIME). An expired key is never returned (passive expiry: every read
// checks the time), and a background job deletes expired keys that nobody
// reads (active expiry), the way Redis does ten times a second.
import Common

// snippet: manifest
let server = Server(
    "Stage 06 (expiry)",
    commands: [
        Ping.self, Echo.self,
        SetCommand.self, Get.self, Del.self, Exists.self, DBSize.self, FlushAll.self, TypeCommand.self,
        ConfigGet.self, Hello.self,
        // A key's time to live.
        Expire.self, PExpire.self, ExpireAt.self, PExpireAt.self, Persist.self,
        TTL.self, PTTL.self, ExpireTime.self, PExpireTime.self,
    ],
    // Every 100 ms, sample keys with a TTL and delete the expired ones
    // (Common/Keyspace/ActiveExpiry.swift).
    jobs: [ActiveExpiry.job]
)
await server.run()
// end-snippet
