public import S3EmulatorCore

/// Everything that shapes one emulator: where it keeps data, its region and account, the
/// domains it answers virtual-hosted requests for, and its clock.
///
/// ```swift
/// var configuration = EmulatorConfiguration()
/// configuration.storage = .directory("/tmp/s3emu-data")
/// configuration.region = "eu-west-1"
/// ```
public struct EmulatorConfiguration: Sendable {
    /// Where metadata and blobs live.
    public enum Storage: Sendable, Equatable {
        /// Metadata in an in-memory SQLite database, blobs in a temporary directory removed at shutdown.
        case inMemory
        /// Metadata in `<path>/metadata.sqlite`, blobs under `<path>/blobs/`; kept across restarts.
        case directory(String)
    }

    public var storage: Storage = .inMemory
    /// The region the emulator answers for (`us-east-1` unless set).
    public var region: String = "us-east-1"
    /// The 12-digit AWS account id that owns every bucket.
    public var accountID: String = "123456789012"
    /// Base domains for virtual-hosted-style requests: `bucket.<domain>`.
    public var domains: [String] = ["localhost"]
    /// When true (the default for directory storage), blobs are fsynced before their metadata is committed.
    public var durableWrites: Bool = true
    /// The clock used for signatures, expiry and Last-Modified.
    public var clock: any S3Clock = SystemClock()
    /// The root user's access key (`test` / `test` unless set), so existing CI set-ups work unchanged.
    public var rootCredentials = AccessKey(accessKeyId: "test", secretAccessKey: "test")
    /// IAM users of the account, with their access keys, groups and policies.
    public var users: [IAMUser] = []
    /// IAM groups and their policies.
    public var groups: [IAMGroup] = []
    /// Buckets to create at start, with their settings.
    public var buckets: [BucketSeed] = []
    /// Account-level Block Public Access; nil means none is set.
    public var accountPublicAccessBlock: PublicAccessBlockSettings?
    /// Called once for every request, after its response is decided (the harness's request log).
    public var onRequest: (@Sendable (RequestRecord) -> Void)?
    /// Threads for blocking disk and database work.
    public var ioThreads: Int = 8
    /// How long the server waits for the next bytes of a request body (20 seconds, about S3's):
    /// a body that stalls this long, or trickles in at under 1 KiB per period, is answered
    /// 400 RequestTimeout and its connection closed; a streamed response the client stops reading
    /// for this long has its connection closed.
    ///
    /// ```swift
    /// configuration.requestTimeout = .seconds(2)   // a test of slow clients
    /// ```
    public var requestTimeout: Duration = .seconds(20)

    public init() {}
}

/// An access key pair.
public struct AccessKey: Sendable, Equatable, Codable {
    public var accessKeyId: String
    public var secretAccessKey: String

    public init(accessKeyId: String, secretAccessKey: String) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
    }
}
