/// One request as the emulator saw it: what the harness's `requests` log holds.
public struct RequestRecord: Sendable {
    /// The S3 operation, for example `PutObject`.
    public var operation: String
    public var method: String
    public var bucket: String?
    public var key: String?
    /// `root`, `user/NAME` or `anonymous`; nil when authentication failed.
    public var principal: String?
    public var status: Int
    /// The S3 error code when the request failed.
    public var errorCode: String?
    /// The authorization decision in one line (allowed by which statement, or why not).
    public var authorization: String?
    public var requestID: String
}
