public import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// s3emu as a test fixture: a real S3 endpoint on `127.0.0.1`, running inside the test process,
/// isolated per harness and torn down in milliseconds.
///
/// ```swift
/// final class UploadTests: XCTestCase {
///     var s3: EmulatorHarness!
///
///     override func setUp() async throws {
///         var configuration = EmulatorConfiguration()
///         configuration.buckets = [BucketSeed(name: "uploads")]
///         s3 = try await EmulatorHarness.start(configuration)
///     }
///
///     override func tearDown() async throws {
///         try await s3.shutdown()
///     }
///
///     func testUpload() async throws {
///         let client = MyS3Client(endpoint: s3.endpoint, region: s3.region,
///                                 accessKeyId: s3.credentials.accessKeyId, secretAccessKey: s3.credentials.secretAccessKey)
///         try await client.put("hello", key: "greeting.txt", bucket: "uploads")
///         XCTAssertEqual(try await s3.object(bucket: "uploads", key: "greeting.txt")?.data, Data("hello".utf8))
///         XCTAssertEqual(s3.requests.map(\.operation), ["PutObject"])
///     }
/// }
/// ```
///
/// Any number of harnesses may run at once in one process; each has its own port, storage,
/// clock and request log. Call ``shutdown()`` when done (or use ``withEmulator(_:options:_:)``).
public final class EmulatorHarness: Sendable {
    /// The emulator behind the endpoint, for what the harness does not wrap.
    ///
    /// ```swift
    /// let response = await s3.emulator.handle(S3Request(method: "GET", rawPath: "/"))
    /// ```
    public let emulator: S3Emulator
    /// The configuration the emulator runs with: the one given to ``start(_:options:)``, with
    /// the harness's clock and request log installed and an access key for every user that had none.
    ///
    /// ```swift
    /// XCTAssertEqual(s3.configuration.users.map(\.name), ["steve"])
    /// ```
    public let configuration: EmulatorConfiguration
    /// The base URL of the server, `http://127.0.0.1:<port>` (`https://` with
    /// ``Options/certificate``); use it with path-style addressing.
    ///
    /// ```swift
    /// let url = s3.endpoint.appendingPathComponent("photos/cat.jpg")
    /// ```
    public let endpoint: URL
    /// The port the server listens on (picked by the system).
    ///
    /// ```swift
    /// print("s3emu on port \(s3.port)")
    /// ```
    public let port: Int
    /// The region the emulator answers for and signatures must name (`us-east-1` unless configured).
    ///
    /// ```swift
    /// let signer = SigV4Signer(accessKeyId: s3.credentials.accessKeyId, secretAccessKey: s3.credentials.secretAccessKey, region: s3.region)
    /// ```
    public let region: String
    /// The root user's access key (`test` / `test` unless configured).
    ///
    /// ```swift
    /// setenv("AWS_ACCESS_KEY_ID", s3.credentials.accessKeyId, 1)
    /// setenv("AWS_SECRET_ACCESS_KEY", s3.credentials.secretAccessKey, 1)
    /// ```
    public let credentials: AccessKey
    /// The emulator's clock; move it to test expiry and time skew.
    ///
    /// ```swift
    /// s3.clock.advance(by: 3600)
    /// ```
    public let clock: HarnessClock

    private let log: RequestLog
    private let lifecycle: Lifecycle

    private init(
        emulator: S3Emulator, configuration: EmulatorConfiguration, port: Int, secure: Bool, clock: HarnessClock,
        log: RequestLog, lifecycle: Lifecycle
    ) {
        self.emulator = emulator
        self.configuration = configuration
        self.port = port
        // The literal is well formed for any port number.
        self.endpoint = URL(string: "\(secure ? "https" : "http")://127.0.0.1:\(port)") ?? URL(fileURLWithPath: "/")
        self.region = configuration.region
        self.credentials = configuration.rootCredentials
        self.clock = clock
        self.log = log
        self.lifecycle = lifecycle
    }

    /// Starts an emulator and its HTTP server on `127.0.0.1` at a free port, and returns once
    /// the server accepts connections.
    ///
    /// ```swift
    /// let s3 = try await EmulatorHarness.start()
    /// defer { Task { try await s3.shutdown() } }
    ///
    /// var configuration = EmulatorConfiguration()
    /// configuration.users = [IAMUser(name: "steve", policies: ["rw": policyJSON])]
    /// configuration.buckets = [BucketSeed(name: "photos")]
    /// let seeded = try await EmulatorHarness.start(configuration, options: .init(clock: .manual()))
    /// ```
    /// - Parameters:
    ///   - configuration: what the `--config` file and the command line set: storage, region,
    ///     users, groups and their policies, buckets with their policies, CORS rules and Block
    ///     Public Access. Users without access keys get a generated one (``credentials(forUser:)``).
    ///     An ``EmulatorConfiguration/onRequest`` you set is still called, before the harness logs.
    ///   - options: the harness's own settings: clock, logging, directory removal.
    /// - Throws: when the configuration is invalid or the server cannot listen.
    public static func start(
        _ configuration: EmulatorConfiguration = EmulatorConfiguration(), options: Options = Options()
    ) async throws -> EmulatorHarness {
        var configuration = configuration
        let clock: HarnessClock
        switch options.clock {
        case .system: clock = HarnessClock(base: configuration.clock)
        case .manual(let start): clock = HarnessClock(base: configuration.clock, manualStart: start)
        }
        configuration.clock = clock
        let log = RequestLog()
        let callerHook = configuration.onRequest
        configuration.onRequest = { record in
            callerHook?(record)
            log.append(record)
        }
        for index in configuration.users.indices where configuration.users[index].accessKeys.isEmpty {
            configuration.users[index].accessKeys = [AccessKey.generated()]
        }

        let logger = options.logger ?? Logger(label: "s3emu.harness", factory: { _ in SwiftLogNoOpLogHandler() })
        let emulator = try S3Emulator(configuration: configuration, logger: logger)
        let ready = ReadySignal()
        let server = S3Server(
            emulator: emulator, host: "127.0.0.1", port: 0, idleTimeoutSeconds: options.idleTimeoutSeconds,
            certificate: options.certificate, logger: logger
        ) { port in
            ready.succeed(port)
        }
        var groupConfiguration = ServiceGroupConfiguration(services: [server], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = options.gracefulShutdownTimeout
        let group = ServiceGroup(configuration: groupConfiguration)
        let running = Task {
            do {
                try await group.run()
                ready.fail(HarnessError.serverStopped)
            } catch {
                ready.fail(error)
                throw error
            }
        }
        let port: Int
        do {
            port = try await ready.wait()
        } catch {
            running.cancel()
            _ = try? await running.value
            try? await emulator.shutdown()
            throw error
        }
        let removedDirectory: String?
        if options.removesStorageDirectoryAtShutdown, case .directory(let path) = configuration.storage {
            removedDirectory = path
        } else {
            removedDirectory = nil
        }
        let lifecycle = Lifecycle(group: group, running: running, emulator: emulator, removedDirectory: removedDirectory)
        return EmulatorHarness(
            emulator: emulator, configuration: configuration, port: port, secure: options.certificate != nil, clock: clock,
            log: log, lifecycle: lifecycle
        )
    }

    /// Runs `body` with a started harness and shuts it down afterwards, whether `body` returns or throws.
    ///
    /// ```swift
    /// try await EmulatorHarness.withEmulator { s3 in
    ///     try await s3.createBucket("photos")
    ///     let (_, response) = try await URLSession.shared.data(from: try s3.presignedURL(method: "HEAD", bucket: "photos", key: nil))
    ///     XCTAssertEqual((response as? HTTPURLResponse)?.statusCode, 200)
    /// }
    /// ```
    public static func withEmulator<Result>(
        _ configuration: EmulatorConfiguration = EmulatorConfiguration(),
        options: Options = Options(),
        _ body: (EmulatorHarness) async throws -> Result
    ) async throws -> Result {
        let harness = try await start(configuration, options: options)
        let result: Result
        do {
            result = try await body(harness)
        } catch {
            try? await harness.shutdown()
            throw error
        }
        try await harness.shutdown()
        return result
    }

    /// Stops the server gracefully (in-flight requests finish, idle connections close; anything
    /// still running after ``Options/gracefulShutdownTimeout`` is cancelled), then the emulator's
    /// I/O threads, and removes in-memory storage. Calling it again, even concurrently, waits for
    /// the same shutdown.
    ///
    /// ```swift
    /// override func tearDown() async throws {
    ///     try await s3.shutdown()
    /// }
    /// ```
    public func shutdown() async throws {
        try await lifecycle.shutdown()
    }

    /// True once ``shutdown()`` has been called.
    ///
    /// ```swift
    /// XCTAssertFalse(s3.isShutDown)
    /// ```
    public var isShutDown: Bool {
        lifecycle.isShutDown
    }

    /// Every request the server answered, in the order their responses were decided, each with its
    /// operation, principal, status, error code and authorization decision. A request is in the
    /// log before its response reaches the client.
    ///
    /// ```swift
    /// let puts = s3.requests.filter { $0.operation == "PutObject" }
    /// XCTAssertEqual(puts.count, 1)
    /// XCTAssertEqual(puts.first?.principal, "user/opev_user")
    /// XCTAssertEqual(puts.first?.status, 200)
    /// ```
    public var requests: [RequestRecord] {
        log.records
    }

    /// Empties ``requests``.
    ///
    /// ```swift
    /// try await s3.putObject(bucket: "photos", key: "a", data: Data())
    /// s3.clearRequests()
    /// ```
    public func clearRequests() {
        log.removeAll()
    }

    /// The first access key of the configured user `name` (generated at start when the
    /// configuration gave the user none).
    ///
    /// ```swift
    /// let steve = try s3.credentials(forUser: "steve")
    /// let signer = SigV4Signer(accessKeyId: steve.accessKeyId, secretAccessKey: steve.secretAccessKey, region: s3.region)
    /// ```
    /// - Throws: ``HarnessError/noSuchUser(_:)`` when the configuration has no such user.
    public func credentials(forUser name: String) throws(HarnessError) -> AccessKey {
        guard let key = configuration.users.first(where: { $0.name == name })?.accessKeys.first else {
            throw HarnessError.noSuchUser(name)
        }
        return key
    }
}

extension EmulatorHarness {
    /// The running server's task and what shutdown releases; shuts down once.
    private final class Lifecycle: Sendable {
        private let group: ServiceGroup
        private let running: Task<Void, any Error>
        private let emulator: S3Emulator
        private let removedDirectory: String?
        private let stopping = Mutex<Task<Void, any Error>?>(nil)

        init(group: ServiceGroup, running: Task<Void, any Error>, emulator: S3Emulator, removedDirectory: String?) {
            self.group = group
            self.running = running
            self.emulator = emulator
            self.removedDirectory = removedDirectory
        }

        var isShutDown: Bool {
            stopping.withLock { $0 != nil }
        }

        func shutdown() async throws {
            let task = stopping.withLock { stopping in
                if let stopping { return stopping }
                let task = Task { [group, running, emulator, removedDirectory] in
                    await group.triggerGracefulShutdown()
                    let served = await running.result
                    try await emulator.shutdown()
                    if let removedDirectory {
                        try FileManager.default.removeItem(atPath: removedDirectory)
                    }
                    if case .failure(let error) = served, !(error is CancellationError) {
                        throw error
                    }
                }
                stopping = task
                return task
            }
            try await task.value
        }
    }
}
