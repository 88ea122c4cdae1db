#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The identities and buckets of an `s3emu.json` file (`s3emu serve --config s3emu.json`),
/// read and fully validated.
///
/// ```json
/// {
///   "accountId": "123456789012",
///   "rootCredentials": {"accessKeyId": "test", "secretAccessKey": "test"},
///   "groups": [{"name": "readers", "policies": {"read": {"Version": "2012-10-17", "Statement": [
///     {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}]}}}],
///   "users": [{"name": "steve", "groups": ["readers"],
///              "accessKeys": [{"accessKeyId": "AKIASTEVE", "secretAccessKey": "steve-secret"}]}],
///   "buckets": [{"name": "photos", "objectOwnership": "BucketOwnerEnforced"}]
/// }
/// ```
///
/// ```swift
/// var configuration = EmulatorConfiguration()
/// let file = try ConfigurationFile.load(path: "s3emu.json")
/// file.apply(to: &configuration)
/// ```
///
/// Everything is checked when the file is read: unknown fields, types, access key ids unique
/// across the root user and every user, users' groups declared, every policy a valid IAM policy
/// document for where it is attached, bucket names, object ownership values and CORS rules.
/// The first fault throws a ``ConfigurationFileError`` naming the file, the JSON path and the
/// problem.
public struct ConfigurationFile: Sendable, Equatable {
    /// `accountId`: the 12-digit account id; the emulator's default when nil.
    public var accountID: String?
    /// `rootCredentials`: the root user's access key; `test`/`test` when nil.
    public var rootCredentials: AccessKey?
    /// `publicAccessBlock`: the account-level Block Public Access settings; none when nil.
    public var publicAccessBlock: PublicAccessBlockSettings?
    /// `groups`, in file order.
    public var groups: [IAMGroup]
    /// `users`, in file order.
    public var users: [IAMUser]
    /// `buckets` to create at start, in file order.
    public var buckets: [BucketSeed]

    /// An empty configuration: applying it changes nothing but clears users, groups and buckets.
    public init() {
        self.groups = []
        self.users = []
        self.buckets = []
    }

    /// The largest file accepted; a configuration of thousands of users stays far below it.
    public static let maximumFileSize = 16 << 20

    /// Reads and validates the file at `path`.
    ///
    /// - Throws: ``ConfigurationFileError`` when the file cannot be read, is not JSON, or
    ///   breaks a rule; its description is `<path>: <json path>: <what is wrong>`.
    public static func load(path: String) throws(ConfigurationFileError) -> ConfigurationFile {
        let bytes = try readFile(path)
        return try ConfigurationFile(contents: bytes, file: path)
    }

    /// Validates a configuration document held in memory; `file` names it in errors.
    public init(json: String, file: String = "configuration") throws(ConfigurationFileError) {
        try self.init(contents: Array(json.utf8), file: file)
    }

    /// Validates a configuration document given as UTF-8 bytes; `file` names it in errors.
    public init(contents: [UInt8], file: String) throws(ConfigurationFileError) {
        let json: ConfigurationFileJSON
        do {
            json = try ConfigurationFileJSON.parse(contents)
        } catch {
            let (line, column) = ConfigurationFileJSON.lineAndColumn(of: error.offset, in: contents)
            throw ConfigurationFileError(
                file: file, path: error.path, message: "not valid JSON at line \(line), column \(column): \(error.reason)"
            )
        }
        do {
            self = try ConfigurationFileDecoder(contents: contents).decode(json)
        } catch {
            throw ConfigurationFileError(file: file, path: error.path, message: error.message)
        }
    }

    /// Puts the file's settings into `configuration`: the account id, root credentials and
    /// account-level Block Public Access when the file sets them; the users, groups and buckets
    /// replace the configuration's.
    public func apply(to configuration: inout EmulatorConfiguration) {
        if let accountID {
            configuration.accountID = accountID
        }
        if let rootCredentials {
            configuration.rootCredentials = rootCredentials
        }
        if let publicAccessBlock {
            configuration.accountPublicAccessBlock = publicAccessBlock
        }
        configuration.groups = groups
        configuration.users = users
        configuration.buckets = buckets
    }

    private static func readFile(_ path: String) throws(ConfigurationFileError) -> [UInt8] {
        func failure(_ message: String) -> ConfigurationFileError {
            ConfigurationFileError(file: path, path: "", message: message)
        }
        func systemReason() -> String {
            String(cString: strerror(errno))
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw failure("cannot read the file: \(systemReason())")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw failure("cannot read the file: \(systemReason())")
        }
        guard (status.st_mode & S_IFMT) != S_IFDIR else {
            throw failure("cannot read the file: Is a directory")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("cannot read the file: \(systemReason())")
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            guard bytes.count <= maximumFileSize else {
                throw failure("the file is larger than \(maximumFileSize >> 20) MiB")
            }
        }
        return bytes
    }
}
