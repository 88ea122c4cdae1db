import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore
import NIOPosix
import S3Emulator
import ServiceLifecycle
import UnixSignals

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the S3 server.",
        discussion: """
            When the server accepts connections it prints one line to standard output, \
            `s3emu ready at http://HOST:PORT` (https:// with --tls-cert), then logs one line per request to standard error. \
            SIGINT and SIGTERM finish in-flight requests and exit 0.

            Credentials: the root user's access key is, in order of precedence, --access-key / \
            --secret-key, then the environment variables S3EMU_ACCESS_KEY / S3EMU_SECRET_KEY, then \
            rootCredentials in the --config file, then `test` / `test`. Each of the two is resolved \
            on its own; an empty environment variable counts as unset. IAM users, groups and \
            buckets to create at start are declared in the --config file (a JSON document; see \
            the README's "Configuration file" section).

            A start-up failure (a bad configuration file, an unusable data directory, a port in \
            use) prints one line, `s3emu: …`, to standard error and exits with status 1.
            """
    )

    @Option(help: "The address to listen on. Keep 127.0.0.1 unless other machines must reach the emulator.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on; 0 picks a free port (printed in the ready line).")
    var port = 9000

    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp(
            "Where buckets and objects are kept across restarts (SQLite metadata and blob files); created if missing.",
            valueName: "directory"
        )
    )
    var dataDirectory = "./s3emu-data"

    @Flag(name: .customLong("in-memory"), help: "Keep everything in memory and a temporary directory removed at exit; ignores --data-dir.")
    var inMemory = false

    @Option(help: "The region the emulator answers for; requests signed for another region are refused.")
    var region = "us-east-1"

    @Option(name: .customLong("domain"), help: "A base domain for virtual-hosted-style requests (BUCKET.DOMAIN); repeatable. localhost is always served.")
    var domains: [String] = []

    @Option(
        name: .customLong("config"),
        help: ArgumentHelp(
            "A JSON configuration file: account id, root credentials, IAM users and groups with their access keys and policies, and buckets to create at start (with policy, CORS rules, Block Public Access, object ownership). Validated in full at start.",
            valueName: "file"
        )
    )
    var configFile: String?

    @Option(
        name: .customLong("access-key"),
        help: ArgumentHelp(
            "The root user's access key id. Overrides S3EMU_ACCESS_KEY and the config file's rootCredentials; default test.",
            valueName: "id"
        )
    )
    var accessKey: String?

    @Option(
        name: .customLong("secret-key"),
        help: ArgumentHelp(
            "The root user's secret access key. Overrides S3EMU_SECRET_KEY and the config file's rootCredentials; default test. Prefer the environment variable: arguments are visible to other users in `ps`.",
            valueName: "secret"
        )
    )
    var secretKey: String?

    @Option(
        name: .customLong("account-id"),
        help: ArgumentHelp(
            "The 12-digit AWS account id that owns every bucket (in ARNs and policies). Overrides the config file's accountId; default 123456789012.",
            valueName: "id"
        )
    )
    var accountID: String?

    @Option(
        name: .customLong("tls-cert"),
        help: ArgumentHelp(
            "Serve HTTPS (only) with this PEM certificate chain, server certificate first; needs --tls-key. Requests then carry aws:SecureTransport = true.",
            valueName: "file"
        )
    )
    var tlsCertificate: String?

    @Option(
        name: .customLong("tls-key"),
        help: ArgumentHelp("The unencrypted PEM private key of --tls-cert.", valueName: "file")
    )
    var tlsKey: String?

    @Option(
        name: .customLong("request-timeout"),
        help: ArgumentHelp(
            "How long to wait for a client that sends nothing, default 20 (about S3's). A request body that stalls this long, or trickles in at under 1 KiB per period, is answered 400 RequestTimeout and the connection closed; a download the client stops reading for this long, and a connection that completes no request head within twice this time (idle, or a head half-sent), are closed.",
            valueName: "seconds"
        )
    )
    var requestTimeout = 20.0

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical. info logs one line per request; debug adds the signature trace.")
    var logLevel: Logger.Level = .info

    /// The environment variable that supplies the root access key id.
    static let accessKeyVariable = "S3EMU_ACCESS_KEY"
    /// The environment variable that supplies the root secret access key.
    static let secretKeyVariable = "S3EMU_SECRET_KEY"

    func validate() throws {
        guard (0...65535).contains(port) else {
            throw ValidationError("--port must be between 0 and 65535, not \(port).")
        }
        if (tlsCertificate == nil) != (tlsKey == nil) {
            throw ValidationError("--tls-cert and --tls-key go together: give both or neither.")
        }
        guard requestTimeout > 0, requestTimeout <= 3600 else {
            throw ValidationError("--request-timeout must be more than 0 and at most 3600 seconds, not \(requestTimeout).")
        }
    }

    func run() async throws {
        limitMallocArenas()
        // Tasks run on the NIO event loops that serve the connections, not on a separate
        // cooperative pool: no thread hop between a request's I/O and its handler (GET 1 KiB:
        // 113 → 72-83 µs of CPU; docs/benchmarks.md). Blocking disk and SQLite writes already run
        // on the server's own I/O threads. Only the serving process does this; the
        // EmulatorHarness leaves its test process's executor alone.
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        do {
            try await serve()
            LogLineWriter.standardError.flush()
        } catch {
            LogLineWriter.standardError.flush()
            FileHandle.standardError.write(Data("s3emu: \(error.description)\n".utf8))
            throw ExitCode.failure
        }
    }

    private func serve() async throws(StartupFailure) {
        let configuration = try emulatorConfiguration(environment: ProcessInfo.processInfo.environment)
        var certificate: ServerCertificate?
        if let tlsCertificate, let tlsKey {
            do {
                certificate = try ServerCertificate(certificatePath: tlsCertificate, privateKeyPath: tlsKey)
            } catch {
                throw StartupFailure(error.description)
            }
        }

        let level = logLevel
        // The log timestamps call localtime_r, which re-reads /etc/localtime (a stat) unless TZ is
        // set; ":/etc/localtime" is the same zone, read once.
        setenv("TZ", ":/etc/localtime", 0)
        // Batched: one write(2) per few milliseconds of lines, not one per request (LogLineWriter).
        LoggingSystem.bootstrap { label in
            var handler = BatchedLogHandler(label: label, writer: .standardError)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "s3emu")

        if !inMemory {
            try prepareDataDirectory()
        }
        let emulator: S3Emulator
        do {
            emulator = try S3Emulator(configuration: configuration, logger: logger)
        } catch {
            if inMemory {
                throw StartupFailure("cannot create the in-memory store: \(Self.reason(error))")
            }
            throw StartupFailure("cannot open the data directory \(dataDirectory): \(Self.reason(error))")
        }
        let host = self.host
        let port = self.port
        let scheme = certificate == nil ? "http" : "https"
        let idleTimeout = Int64((requestTimeout * 2).rounded(.up))
        let server = S3Server(
            emulator: emulator, host: host, port: port, idleTimeoutSeconds: idleTimeout, certificate: certificate, logger: logger
        ) { port in
            let displayHost = host.contains(":") ? "[\(host)]" : host
            FileHandle.standardOutput.write(Data("s3emu ready at \(scheme)://\(displayHost):\(port)\n".utf8))
        }
        let group = ServiceGroup(
            configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        var failure: StartupFailure?
        do {
            try await group.run()
        } catch let error as IOError {
            failure = StartupFailure("cannot listen on \(host):\(port): \(String(cString: strerror(error.errnoCode)))")
        } catch let error as SocketAddressError {
            failure = StartupFailure("cannot listen on \(host):\(port): \(Self.reason(error))")
        } catch {
            failure = StartupFailure(Self.reason(error))
        }
        do {
            try await emulator.shutdown()
        } catch {
            failure = failure ?? StartupFailure("shutting down: \(Self.reason(error))")
        }
        if let failure {
            throw failure
        }
    }

    /// The emulator's configuration from the options, the environment and the config file.
    func emulatorConfiguration(environment: [String: String]) throws(StartupFailure) -> EmulatorConfiguration {
        var configuration = EmulatorConfiguration()
        configuration.region = region
        configuration.domains = ["localhost"] + domains.filter { $0 != "localhost" }
        configuration.storage = inMemory ? .inMemory : .directory(dataDirectory)
        configuration.requestTimeout = .milliseconds(Int64(requestTimeout * 1000))

        var file = ConfigurationFile()
        let fileName = configFile ?? "(no --config file)"
        do {
            if let configFile {
                file = try ConfigurationFile.load(path: configFile)
            }
            file.apply(to: &configuration)

            func nonEmpty(_ name: String) -> String? {
                environment[name].flatMap { $0.isEmpty ? nil : $0 }
            }
            var rootKeySource = file.rootCredentials == nil ? "the default" : "rootCredentials.accessKeyId"
            if let id = accessKey ?? nonEmpty(Self.accessKeyVariable) {
                let source = accessKey != nil ? "--access-key" : Self.accessKeyVariable
                if let problem = ConfigurationFile.problem(accessKeyId: id) {
                    throw StartupFailure("\(source): \(problem)")
                }
                configuration.rootCredentials.accessKeyId = id
                rootKeySource = source
            }
            if let secret = secretKey ?? nonEmpty(Self.secretKeyVariable) {
                if let problem = ConfigurationFile.problem(secretAccessKey: secret) {
                    throw StartupFailure("\(secretKey != nil ? "--secret-key" : Self.secretKeyVariable): \(problem)")
                }
                configuration.rootCredentials.secretAccessKey = secret
            }
            try file.checkRootAccessKeyId(configuration.rootCredentials.accessKeyId, source: rootKeySource, file: fileName)
            if let accountID {
                if let problem = ConfigurationFile.problem(accountID: accountID) {
                    throw StartupFailure("--account-id: \(problem)")
                }
                configuration.accountID = accountID
            }
        } catch let error as ConfigurationFileError {
            throw StartupFailure(error.description)
        } catch let error as StartupFailure {
            throw error
        } catch {
            throw StartupFailure(Self.reason(error))
        }
        return configuration
    }

    /// Creates the data directory if missing and checks that it is a writable directory, so
    /// that the usual faults read as the system's reason (`Permission denied`, `Not a directory`)
    /// rather than a storage error.
    private func prepareDataDirectory() throws(StartupFailure) {
        let path = dataDirectory
        if let code = Self.makeDirectory(path) {
            throw StartupFailure("cannot open the data directory \(path): \(String(cString: strerror(code)))")
        }
        guard access(path, W_OK | X_OK) == 0 else {
            throw StartupFailure("cannot open the data directory \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// `mkdir -p`: nil when `path` is (now) a directory, else the `errno` that stopped it.
    private static func makeDirectory(_ path: String) -> Int32? {
        if mkdir(path, 0o755) == 0 {
            return nil
        }
        var code = errno
        if code == ENOENT {
            let parent = (path as NSString).deletingLastPathComponent
            if !parent.isEmpty, parent != path, let parentCode = makeDirectory(parent) {
                return parentCode
            }
            if mkdir(path, 0o755) == 0 {
                return nil
            }
            code = errno
        }
        if code == EEXIST {
            var status = stat()
            guard stat(path, &status) == 0 else { return errno }
            return (status.st_mode & S_IFMT) == S_IFDIR ? nil : ENOTDIR
        }
        return code
    }

    /// One line saying why an operation failed: the system's words for a system call's errno
    /// (`Permission denied`), else the error's own description.
    static func reason(_ error: any Error) -> String {
        let text: String
        if let error = error as? IOError {
            text = String(cString: strerror(error.errnoCode))
        } else if let code = posixCode(of: error as NSError) {
            text = String(cString: strerror(code))
        } else if error is CocoaError {
            text = (error as NSError).localizedDescription
        } else {
            text = String(describing: error)
        }
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// The POSIX error code of a Foundation error, or of the error beneath it.
    private static func posixCode(of error: NSError) -> Int32? {
        if error.domain == NSPOSIXErrorDomain {
            return Int32(truncatingIfNeeded: error.code)
        }
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError {
            return posixCode(of: underlying)
        }
        return nil
    }
}

/// A start-up failure, reported as one line on standard error (`s3emu: <description>`) with
/// exit status 1.
struct StartupFailure: Error, CustomStringConvertible {
    let description: String

    init(_ message: String) {
        self.description = message
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// glibc gives every thread that allocates its own malloc arena and keeps freed memory in it;
/// with NIO's event loops and the I/O thread pool that multiplies a streamed body's transient
/// buffers into resident memory (a 1 GiB GET peaked above 100 MiB). Two arenas keep it flat.
private func limitMallocArenas() {
    #if canImport(Glibc)
    // mallopt is not in Swift's Glibc module; M_ARENA_MAX is -8 in glibc's <malloc.h>.
    typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    let mArenaMax: Int32 = -8
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
    _ = unsafeBitCast(symbol, to: Mallopt.self)(mArenaMax, 2)
    #endif
}
