@testable import Common

extension Outcome {
    /// The one reply of `.reply`, or nil for any other outcome.
    var singleReply: RESPValue? {
        if case .reply(let reply) = self { return reply }
        return nil
    }
}

extension CommandTable {
    /// Stage 6's commands, as its manifest lists them.
    static let stage6 = CommandTable([
        Ping.self, Echo.self, SetCommand.self, Get.self, Del.self, Exists.self, DBSize.self, FlushAll.self,
        TypeCommand.self, ConfigGet.self, Hello.self, Expire.self, PExpire.self, ExpireAt.self, PExpireAt.self,
        Persist.self, TTL.self, PTTL.self, ExpireTime.self, PExpireTime.self,
    ])

    // TODO(stage 7): when the list commands exist in Common, drop the #if
    // (until then nothing defines STAGE07 for this target; try it with
    // `swift build --build-tests -Xswiftc -DSTAGE07`). The fuzzer's copy of
    // this list, Tests/Fuzz/RESPFuzzer/CommandChecks.swift, switches on by
    // itself: run-fuzz.sh defines STAGE07 once Stages/07-* exists.
    #if STAGE07
    /// Stage 7's commands, as its manifest lists them: stage 6's and the lists.
    static let stage7 = CommandTable([
        Ping.self, Echo.self, SetCommand.self, Get.self, Del.self, Exists.self, DBSize.self, FlushAll.self,
        TypeCommand.self, ConfigGet.self, Hello.self, Expire.self, PExpire.self, ExpireAt.self, PExpireAt.self,
        Persist.self, TTL.self, PTTL.self, ExpireTime.self, PExpireTime.self,
        LPush.self, RPush.self, LPushX.self, RPushX.self, LPop.self, RPop.self, LLen.self, LRange.self,
        LIndex.self, LSet.self, LInsert.self, LRem.self, LTrim.self, LPos.self, LMove.self, RPopLPush.self,
        LMPop.self, BLPop.self, BRPop.self, BLMove.self, BRPopLPush.self, BLMPop.self,
    ])
    #endif

    /// Runs `arguments` against `store` and returns the one reply.
    func reply(to arguments: [[UInt8]], store: Store) -> RESPValue? {
        var context = CommandContext(server: ServerState(store: store))
        return self.execute(arguments, in: &context).singleReply
    }
}
