public import Foundation
public import Logging

extension EmulatorHarness {
    /// How the harness's clock behaves.
    ///
    /// ```swift
    /// let s3 = try await EmulatorHarness.start(options: .init(clock: .manual(startingAt: Date(timeIntervalSince1970: 1_369_353_600))))
    /// ```
    public enum ClockMode: Sendable, Equatable {
        /// Follows the configuration's clock (the system clock by default); ``HarnessClock/advance(by:)`` shifts it.
        ///
        /// ```swift
        /// let s3 = try await EmulatorHarness.start(options: .init(clock: .system))
        /// ```
        case system
        /// Stands still at the given time (now by default) and moves only when told.
        ///
        /// ```swift
        /// let s3 = try await EmulatorHarness.start(options: .init(clock: .manual()))
        /// ```
        case manual(startingAt: Date = Date())
    }

    /// The harness's own settings; everything else is the ``EmulatorConfiguration``.
    ///
    /// ```swift
    /// var options = EmulatorHarness.Options()
    /// options.clock = .manual()
    /// options.removesStorageDirectoryAtShutdown = true
    /// let s3 = try await EmulatorHarness.start(configuration, options: options)
    /// ```
    public struct Options: Sendable {
        /// The emulator's clock: following the system clock (the default) or manual.
        ///
        /// ```swift
        /// options.clock = .manual(startingAt: Date(timeIntervalSince1970: 0))
        /// ```
        public var clock: ClockMode
        /// Where the emulator logs; nil (the default) keeps it silent.
        ///
        /// ```swift
        /// options.logger = Logger(label: "s3emu")   // one line per request
        /// ```
        public var logger: Logger?
        /// With `.directory` storage, delete the directory at shutdown (it is kept by default).
        /// In-memory storage is always removed.
        ///
        /// ```swift
        /// configuration.storage = .directory(NSTemporaryDirectory() + "s3emu-test")
        /// options.removesStorageDirectoryAtShutdown = true
        /// ```
        public var removesStorageDirectoryAtShutdown: Bool
        /// How long ``EmulatorHarness/shutdown()`` lets in-flight requests finish before cancelling them.
        ///
        /// ```swift
        /// options.gracefulShutdownTimeout = .seconds(5)   // let a large download finish
        /// ```
        public var gracefulShutdownTimeout: Duration
        /// Connections idle for this long are closed by the server.
        ///
        /// ```swift
        /// options.idleTimeoutSeconds = 5
        /// ```
        public var idleTimeoutSeconds: Int64
        /// When set, the server speaks HTTPS only, with this certificate, and ``EmulatorHarness/endpoint``
        /// is `https://127.0.0.1:<port>`; requests then carry `aws:SecureTransport = true`.
        ///
        /// ```swift
        /// options.certificate = try ServerCertificate(certificatePath: "cert.pem", privateKeyPath: "key.pem")
        /// ```
        public var certificate: ServerCertificate?

        /// Options with the given values; the defaults suit most tests.
        ///
        /// ```swift
        /// let options = EmulatorHarness.Options(clock: .manual())
        /// ```
        public init(
            clock: ClockMode = .system,
            logger: Logger? = nil,
            removesStorageDirectoryAtShutdown: Bool = false,
            gracefulShutdownTimeout: Duration = .milliseconds(100),
            idleTimeoutSeconds: Int64 = 60,
            certificate: ServerCertificate? = nil
        ) {
            self.clock = clock
            self.logger = logger
            self.removesStorageDirectoryAtShutdown = removesStorageDirectoryAtShutdown
            self.gracefulShutdownTimeout = gracefulShutdownTimeout
            self.idleTimeoutSeconds = idleTimeoutSeconds
            self.certificate = certificate
        }
    }
}
