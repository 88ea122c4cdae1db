import ArgumentParser
import Foundation
import Logging
import NIOCore
import S3Emulator
import ServiceLifecycle
import UnixSignals

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the S3 server.",
        discussion: """
            When the server accepts connections it prints one line to standard output, \
            `s3emu ready at http://HOST:PORT`, then logs one line per request to standard error. \
            SIGINT and SIGTERM finish in-flight requests and exit 0.
            """
    )

    @Option(help: "The address to listen on. Keep 127.0.0.1 unless other machines must reach the emulator.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on; 0 picks a free port (printed in the ready line).")
    var port = 9000

    @Option(name: .customLong("data-dir"), help: "Where buckets and objects are kept across restarts (SQLite metadata and blob files).")
    var dataDirectory = "./s3emu-data"

    @Flag(name: .customLong("in-memory"), help: "Keep everything in memory and a temporary directory removed at exit; ignores --data-dir.")
    var inMemory = false

    @Option(help: "The region the emulator answers for.")
    var region = "us-east-1"

    @Option(name: .customLong("domain"), help: "A base domain for virtual-hosted-style requests (BUCKET.DOMAIN); repeatable. localhost is always served.")
    var domains: [String] = []

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical. info logs one line per request.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard (0...65535).contains(port) else {
            throw ValidationError("--port must be between 0 and 65535, not \(port).")
        }
    }

    func run() async throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "s3emu")

        var configuration = EmulatorConfiguration()
        configuration.region = region
        configuration.domains = ["localhost"] + domains.filter { $0 != "localhost" }
        configuration.storage = inMemory ? .inMemory : .directory(dataDirectory)

        let emulator: S3Emulator
        do {
            emulator = try S3Emulator(configuration: configuration, logger: logger)
        } catch {
            throw CommandFailure("cannot open the data directory \(dataDirectory): \(error)")
        }
        let host = self.host
        let server = S3Server(emulator: emulator, host: host, port: port, logger: logger) { port in
            let displayHost = host.contains(":") ? "[\(host)]" : host
            FileHandle.standardOutput.write(Data("s3emu ready at http://\(displayHost):\(port)\n".utf8))
        }
        let group = ServiceGroup(
            configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        do {
            try await group.run()
        } catch let error as IOError {
            try? await emulator.shutdown()
            throw CommandFailure("cannot listen on \(host):\(port): \(error.description)")
        } catch {
            try? await emulator.shutdown()
            throw CommandFailure("\(error)")
        }
        try await emulator.shutdown()
    }
}

/// A failure reported as one line on standard error, with exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ message: String) {
        self.description = message
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
