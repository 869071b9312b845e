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

    /// Runs `arguments` against `store` and returns the one reply.
    func reply(to arguments: [[UInt8]], store: Store) -> RESPValue? {
        var context = CommandContext(server: ServerState(store: store))
        return self.execute(arguments, in: &context).singleReply
    }
}
