// @chapter 0
import Foundation

/// The command-line options every stage's server accepts.
///
/// ```
/// StageNN [--port N] [--bind ADDR] [--help]
/// ```
/// `--port 0` asks the kernel for a free port; the startup line prints it.
public struct ServerOptions: Sendable, Equatable {
    /// The TCP port, 6379 by default (Redis's own).
    public var port: Int = 6379
    /// The address to bind, 127.0.0.1 by default: only this machine can
    /// connect. Pass `--bind 0.0.0.0` to accept clients from the network.
    public var bindAddress: String = "127.0.0.1"
    /// The most clients served at once, as Redis's `maxclients` (default
    /// 10,000). One more is told `-ERR max number of clients reached` and
    /// disconnected. Stages 1–3 serve one client at a time and ignore it.
    package var maxClients: Int = 10_000

    // @chapter 4 {
    /// The reactor's readiness API: epoll on Linux, poll elsewhere; the
    /// environment variable REACTOR_BACKEND=poll picks poll (for testing
    /// the macOS backend on Linux).
    package var reactorBackend: Reactor.Backend = .platformDefault
    /// Where client tasks run: on the reactor thread, or (REACTOR_TASKS=pool,
    /// to measure the other design) on Swift's global pool.
    package var taskPlacement: Reactor.TaskPlacement = .reactorThread
    /// The most bytes other clients' messages may wait for one client (its
    /// `Outbox`) before it is disconnected: Redis's pub/sub
    /// `client-output-buffer-limit` hard limit, 32 MB.
    package var outboxLimit = 32 * 1024 * 1024
    // @}
    // @chapter 9 {
    /// How far a subscriber may fall behind (`--client-output-buffer-limit`).
    package var pubsubLimits = OutputBufferLimits()
    // @}

    /// The defaults: 127.0.0.1:6379.
    public init() {}

    /// The defaults, listening on `port` (0: any free port).
    public init(port: Int) {
        self.port = port
    }

    /// True when only this machine can connect (127.0.0.0/8, ::1, localhost).
    package var isLoopbackOnly: Bool {
        self.bindAddress.hasPrefix("127.") || self.bindAddress == "::1" || self.bindAddress == "localhost"
    }

    /// The help text, naming the program.
    package static func usage(program: String) -> String {
        """
        Usage: \(program) [--port N] [--bind ADDR] [--maxclients N] [--help]

          --port N         TCP port to listen on (default 6379; 0 picks a free port)
          --bind ADDR      address to bind (default 127.0.0.1; 0.0.0.0 for all interfaces)
          --maxclients N   most clients at once, from stage 4 on (default 10000)
          --client-output-buffer-limit 'pubsub HARD SOFT SECONDS'
                           when a slow subscriber is cut, from stage 9 on
                           (default 'pubsub 32mb 8mb 60', as Redis)
          --help           print this help and exit
        """
    }

    /// Why a command line could not be parsed.
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        /// `--help` was given: print the usage and exit 0.
        case helpRequested
        /// An option that is not known.
        case unknownOption(String)
        /// An option given as the last word, with no value after it.
        case missingValue(String)
        /// A port that is not a number from 0 to 65535.
        case invalidPort(String)
        /// A client limit that is not a positive number.
        case invalidMaxClients(String)
        case invalidOutputBufferLimit(String) // @chapter 9

        public var description: String {
            switch self {
            case .helpRequested: return "help requested"
            case .unknownOption(let option): return "unknown option '\(option)'"
            case .missingValue(let option): return "option '\(option)' needs a value"
            case .invalidPort(let value): return "invalid port '\(value)': expected a number from 0 to 65535"
            case .invalidMaxClients(let value): return "invalid maxclients '\(value)': expected a number of at least 1"
            // @chapter 9 {
            case .invalidOutputBufferLimit(let value):
                return "invalid client-output-buffer-limit '\(value)': expected 'pubsub HARD SOFT SECONDS', such as 'pubsub 32mb 8mb 60'"
            // @}
            }
        }
    }

    /// Parses the words after the program name.
    package static func parse(_ arguments: [String]) throws(ParseError) -> ServerOptions {
        var options = ServerOptions()
        var index = 0
        /// The word after `arguments[index]`, or a `missingValue` error.
        func value(for option: String) throws(ParseError) -> String {
            index += 1
            guard index < arguments.count else { throw .missingValue(option) }
            return arguments[index]
        }
        while index < arguments.count {
            let option = arguments[index]
            switch option {
            case "--port", "-p":
                let text = try value(for: option)
                guard let port = Int(text), (0...65535).contains(port) else { throw .invalidPort(text) }
                options.port = port
            case "--bind":
                options.bindAddress = try value(for: option)
            case "--maxclients":
                let text = try value(for: option)
                guard let limit = Int(text), limit >= 1 else { throw .invalidMaxClients(text) }
                options.maxClients = limit
            // @chapter 9 {
            case "--client-output-buffer-limit":
                let text = try value(for: option)
                guard let limits = OutputBufferLimits(parsing: text) else { throw .invalidOutputBufferLimit(text) }
                options.pubsubLimits = limits
            // @}
            case "--help", "-h":
                throw .helpRequested
            default:
                throw .unknownOption(option)
            }
            index += 1
        }
        return options
    }

    /// Parses `CommandLine.arguments`. Prints the usage and exits on `--help`
    /// (status 0) or on a bad option (status 2), as command-line tools do.
    public static func fromCommandLine() -> ServerOptions {
        let program = CommandLine.arguments.first.map { $0.split(separator: "/").last.map(String.init) ?? $0 } ?? "server"
        do {
            // @before 4 {
            // let options = try parse(Array(CommandLine.arguments.dropFirst()))
            // @}
            var options = try parse(Array(CommandLine.arguments.dropFirst())) // @chapter 4
            // @chapter 4 {
            let environment = ProcessInfo.processInfo.environment
            if let name = environment["REACTOR_BACKEND"], !name.isEmpty {
                guard let backend = Reactor.Backend(rawValue: name) else {
                    fail("REACTOR_BACKEND must be one of: \(Reactor.Backend.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                options.reactorBackend = backend
            }
            options.taskPlacement = Reactor.TaskPlacement(rawValue: environment["REACTOR_TASKS"] ?? "") ?? .reactorThread
            // @}
            if !options.isLoopbackOnly {
                // Redis's protected mode refuses such clients; we only warn.
                log("WARNING: listening on \(options.bindAddress), not only on this machine. This server has no password: anyone who can reach the port can read and change its data.")
            }
            return options
        } catch .helpRequested {
            log(usage(program: program))
            Platform.exit(0)
        } catch {
            fail("\(program): \(error)\n\n\(usage(program: program))", status: 2)
        }
    }
}
