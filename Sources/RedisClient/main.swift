// redis-client: a small redis-cli of our own, built on Common's RESP
// encoder and reply parser.
//
//   redis-client [-h host] [-p port] [command args...]
//
// With a command, it sends it, prints the reply as redis-cli does, and
// exits. Without one, it opens a prompt (`127.0.0.1:6379>`); arguments may
// be quoted as in redis-cli ("hello world", 'it\'s'); `quit`, `exit` or
// end of input (Ctrl-D) leaves.
import Common
import Harness

Platform.ignoreSIGPIPE()

/// Command-line options.
struct ClientOptions {
    var host = "127.0.0.1"
    var port = 6379
    var command: [String] = []
}

/// Parses `-h`, `-p` and the command words.
func parseOptions(_ arguments: [String]) -> ClientOptions {
    var options = ClientOptions()
    var index = 0
    while index < arguments.count {
        switch arguments[index] {
        case "-h" where index + 1 < arguments.count:
            options.host = arguments[index + 1]
            index += 2
        case "-p" where index + 1 < arguments.count:
            guard let port = Int(arguments[index + 1]) else { fail("redis-client: invalid port '\(arguments[index + 1])'", status: 2) }
            options.port = port
            index += 2
        case "--help":
            log("Usage: redis-client [-h host] [-p port] [command args...]")
            Platform.exit(0)
        default:
            options.command = Array(arguments[index...])
            index = arguments.count
        }
    }
    return options
}

/// A connection that sends commands and reads whole replies.
final class Client {
    let connection: TCPConnection
    var parser = ReplyParser()
    var buffer = [UInt8](repeating: 0, count: 16 * 1024)

    init(host: String, port: Int) throws {
        self.connection = try TCPConnection(connectingTo: host, port: port)
    }

    /// Sends one command and returns its reply, or nil if the server hung up.
    func send(_ arguments: [[UInt8]]) throws -> RESPValue? {
        try self.connection.write(RESPValue.request(arguments))
        while true {
            if let reply = try self.parser.next() { return reply }
            let count = try self.connection.read(into: &self.buffer)
            if count == 0 { return nil }
            self.parser.append(self.buffer[0..<count])
        }
    }
}

let options = parseOptions(Array(CommandLine.arguments.dropFirst()))
let client: Client
do {
    client = try Client(host: options.host, port: options.port)
} catch {
    fail("Could not connect to Redis at \(options.host):\(options.port): \(error)")
}

// One command from the command line: print its reply and exit.
if !options.command.isEmpty {
    guard let reply = try? client.send(options.command.map { Array($0.utf8) }) else {
        fail("Error: Server closed the connection")
    }
    log(ReplyFormatter.format(reply))
    if case .error = reply { Platform.exit(1) }
    Platform.exit(0)
}

// No command: the interactive prompt.
let prompt = "\(options.host):\(options.port)> "
let interactive = Platform.isTerminal(0)
while true {
    if interactive { Platform.writeStandardOutput(prompt) }
    guard let line = readLine() else { break }
    let words: [[UInt8]]
    do {
        words = try InlineCommand.split(Array(line.utf8))
    } catch {
        log("Invalid argument(s)")
        continue
    }
    if words.isEmpty { continue }
    if words.count == 1 && (words[0].equalsIgnoringASCIICase("quit") || words[0].equalsIgnoringASCIICase("exit")) { break }
    do {
        guard let reply = try client.send(words) else { fail("Error: Server closed the connection") }
        log(ReplyFormatter.format(reply))
    } catch {
        fail("Error: \(error)")
    }
}
