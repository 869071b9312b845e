// @chapter 2
/// The commands one server understands, and the one place that turns a
/// request into a command's outcome.
///
/// A stage builds its table from a list of types, `CommandTable([Ping.self,
/// Echo.self])`. For every request the table then does, in Redis's order:
///
/// 1. find the command by name, ignoring ASCII case, with one hash lookup
///    (not a chain of string compares): else `-ERR unknown command`;
/// 2. check the number of arguments against the command's arity: else
///    `-ERR wrong number of arguments`;
/// 3. apply the rules that depend on the connection's state (subscribed
///    mode refuses most commands; inside MULTI commands are queued);
/// 4. parse, then apply, and turn a `CommandError` into its error reply.
///
/// Every command gets those errors byte for byte as Redis sends them, and
/// no command has to repeat them.
public struct CommandTable: Sendable {
    // snippet: entry
    /// One command as the table keeps it: its type, and the metadata the
    /// table checks before running it.
    ///
    /// `type.run(...)` goes through the type's witness table to `run`, a
    /// requirement of `Command`, compiled for that one type: the command's
    /// own code, specialized, with no existential box for the parsed
    /// command. An entry is two pointers and two numbers, so reading one,
    /// once per request, touches no reference count (a stored closure's
    /// context would be retained and released each time).
    struct Entry: Sendable {
        let type: any Command.Type
        let arity: Int
        let flags: CommandFlags

        /// The name in lowercase, for error replies.
        var name: String { self.type.name }

        init<C: Command>(_ type: C.Type) {
            self.type = type
            self.arity = C.arity
            self.flags = C.flags
        }
    }
    // end-snippet

    /// The entries, and the lowercase name of each, for the lookup.
    private let entries: [Entry]
    private let index: CommandIndex
    // @chapter 8 {
    /// Each entry's type if it has subcommands (CONFIG), for their check.
    private let containers: [(any ContainerCommand.Type)?]
    // @}

    /// A table of `commands`. A name given twice keeps the last type: a
    /// stage can replace a command of an earlier stage with its own.
    public init(_ commands: [any Command.Type]) {
        var entries: [Entry] = []
        var names: [CommandName] = []
        var containers: [(any ContainerCommand.Type)?] = [] // @chapter 8
        for command in commands {
            // @chapter 8 {
            containers.append(command as? any ContainerCommand.Type)
            // @}
            let entry = Entry(command)
            guard let key = CommandName(Array(entry.name.utf8)) else {
                preconditionFailure("command name '\(entry.name)' is longer than \(CommandName.capacity) bytes")
            }
            names.append(key)
            entries.append(entry)
        }
        self.entries = entries
        self.index = CommandIndex(names)
        self.containers = containers // @chapter 8
    }

    /// The lowercase names of the commands, in the order they were listed.
    package var names: [String] { self.entries.map(\.name) }

    // snippet: execute
    /// Runs one request (`arguments[0]` is the command's name) and returns
    /// what the client gets: the command's outcome, or an error reply.
    package func execute(_ arguments: [[UInt8]], in context: inout CommandContext) -> Outcome {
        // An empty request (`*0`, or a blank inline line) is ignored by the
        // parser before it gets here; be safe anyway.
        guard let name = arguments.first else { return .reply(CommandError.unknownCommand(arguments).reply) }
        guard let key = CommandName(name), let position = self.index.position(of: key) else {
            context.session.refusedWhileQueueing() // @chapter 8
            return .reply(CommandError.unknownCommand(arguments).reply)
        }
        let entry = self.entries[position]
        let arity = entry.arity
        if (arity > 0 && arguments.count != arity) || arguments.count < -arity {
            // @chapter 8 {
            // EXEC refused (`EXEC x`) ends the transaction, in or out of it,
            // as Redis's rejectCommand does.
            if entry.name == Exec.name { return .reply(Exec.refused(because: .wrongArity(entry.name), in: &context)) }
            context.session.refusedWhileQueueing()
            // @}
            return .reply(CommandError.wrongArity(entry.name).reply)
        }
        // @chapter 8 {
        // CONFIG GETX is refused here, not when it runs: inside MULTI it
        // poisons the transaction instead of being queued, as in Redis,
        // whose table knows every subcommand.
        if let container = self.containers[position] {
            do throws(CommandError) { try container.checkSubcommand(arguments) } catch {
                context.session.refusedWhileQueueing()
                return .reply(error.reply)
            }
        }
        // @}
        // @chapter 9 {
        // snippet: subscribed-mode
        // Subscribed mode (RESP2): only the pub/sub commands and PING may run.
        // (EXEC runs its queue without coming here: the queue was checked
        // as it was built.)
        if context.session.isSubscribed && context.session.version == .resp2
            && !entry.flags.contains(.allowedWhileSubscribed) {
            // A subcommand is named as Redis's table names it: 'config|get'.
            let refused = self.containers[position] == nil ? entry.name
                : entry.name + "|" + String(decoding: arguments[1].map(\.lowercasedASCII), as: UTF8.self)
            let refusal = CommandError.notAllowedWhileSubscribed(refused)
            // EXEC refused here too says EXECABORT, as rejectCommand does.
            if entry.name == Exec.name { return .reply(Exec.refused(because: refusal, in: &context)) }
            return .reply(refusal.reply)
        }
        // end-snippet
        // @}
        // @chapter 8 {
        // Inside MULTI: queue the command; EXEC runs the queue.
        if context.session.queuedCommands != nil && !entry.flags.contains(.notQueued) {
            context.session.queuedCommands!.append(entry.type, arguments: arguments)
            return .reply(.queued)
        }
        // @}
        do {
            return try entry.type.run(arguments, in: &context)
        } catch {
            return .reply(error.reply)
        }
    }
    // end-snippet
}

// snippet: command-name
/// A command name folded to lowercase and packed into three words, so that
/// finding a command costs one hash of 32 bytes and no allocation: the
/// request's own bytes are never copied into a lowercase `String`.
///
/// Redis's longest command name has 20 bytes; a longer name cannot be a
/// command, and `init` returns nil for it.
struct CommandName: Equatable, Sendable {
    /// The most bytes a name may have.
    static let capacity = 24

    private var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
    private var count: UInt8 = 0

    /// The folded name of `bytes`, or nil when it is too long. (The bytes
    /// are borrowed, not taken: no retain and release of the array.)
    init?(_ bytes: borrowing [UInt8]) {
        guard bytes.count <= CommandName.capacity else { return nil }
        self.count = UInt8(bytes.count)
        // Each byte is shifted into its word in a register. (Storing the
        // bytes one by one into `words` and then reading the words back
        // stalls the CPU, which cannot forward eight small stores to one
        // wide load: a profile showed half of this function's time there.)
        for offset in 0..<bytes.count {
            let shifted = UInt64(bytes[offset].lowercasedASCII) << (8 * (offset % 8))
            switch offset / 8 {
            case 0: self.words.0 |= shifted
            case 1: self.words.1 |= shifted
            default: self.words.2 |= shifted
            }
        }
    }
    // end-snippet

    static func == (left: CommandName, right: CommandName) -> Bool {
        left.count == right.count && left.words.0 == right.words.0
            && left.words.1 == right.words.1 && left.words.2 == right.words.2
    }

    /// A quick mix of the three words (multiply, shift, xor), for
    /// `CommandIndex`.
    var mixedHash: Int {
        var hash = self.words.0 &* 0x9E37_79B9_7F4A_7C15
        hash = (hash ^ (hash >> 29) ^ self.words.1) &* 0xBF58_476D_1CE4_E5B9
        hash = (hash ^ (hash >> 32) ^ self.words.2 ^ UInt64(self.count)) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: hash ^ (hash >> 31))
    }
}

/// The table's index, from a command's name to its entry: an open-addressing
/// hash table of its own, probed linearly.
///
/// Why not a `Dictionary`? It hashes with SipHash, which is built to
/// resist keys chosen by an attacker, and a profile of GET showed that hash
/// at about 8% of the server's time. The keys here are fixed when the
/// table is built; a client only looks names up, and cannot add one that
/// makes a chain longer, so a cheap mix is safe. (The keyspace, whose keys
/// clients do choose, keeps `Dictionary`'s seeded SipHash, as Redis keeps
/// SipHash for its keys.)
struct CommandIndex: Sendable {
    /// A power of two at least four times the number of names, so that
    /// chains stay short; nil marks an empty slot.
    private let slots: [(name: CommandName, position: Int)?]

    /// An index of `names`, where `names[i]`'s position is `i`; a name
    /// given twice finds its last position.
    init(_ names: [CommandName]) {
        var size = 16
        while size < 4 * names.count { size *= 2 }
        var slots = [(name: CommandName, position: Int)?](repeating: nil, count: size)
        for (position, name) in names.enumerated() {
            var slot = name.mixedHash & (size - 1)
            while let taken = slots[slot], taken.name != name { slot = (slot + 1) & (size - 1) }
            slots[slot] = (name, position)
        }
        self.slots = slots
    }

    /// The position of `name`, or nil if no command has it.
    func position(of name: CommandName) -> Int? {
        let mask = self.slots.count - 1
        var slot = name.mixedHash & mask
        while let candidate = self.slots[slot] {
            if candidate.name == name { return candidate.position }
            slot = (slot + 1) & mask
        }
        return nil
    }
}
