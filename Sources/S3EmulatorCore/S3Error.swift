/// An error answered to the client as S3's XML error body.
///
/// The body is `<Error><Code/><Message/>…extra elements…<Resource/><RequestId/><HostId/></Error>`.
/// `details` are the extra elements S3 adds for some codes, in order (for example
/// `BucketName` for `NoSuchBucket`, `Key` for `NoSuchKey`, `StringToSign` for
/// `SignatureDoesNotMatch`). `headers` are response headers the error carries
/// (for example `x-amz-delete-marker`, `Allow`).
///
/// ```swift
/// throw S3Error(.noSuchBucket, details: [("BucketName", name)])
/// ```
public struct S3Error: Error, Sendable, CustomStringConvertible {
    public var code: S3ErrorCode
    public var message: String
    public var resource: String?
    public var details: [(name: String, value: String)]
    public var headers: [(name: String, value: String)]

    public init(
        _ code: S3ErrorCode,
        message: String? = nil,
        resource: String? = nil,
        details: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = []
    ) {
        self.code = code
        self.message = message ?? code.defaultMessage
        self.resource = resource
        self.details = details
        self.headers = headers
    }

    public var description: String { "\(code.code) (\(code.status)): \(message)" }

    /// The XML error body, with the request id filled in.
    public func xmlBody(requestID: String, hostID: String) -> String {
        var xml = XMLWriter()
        xml.declaration()
        xml.open("Error")
        xml.element("Code", code.code)
        xml.element("Message", message)
        for (name, value) in details {
            xml.element(name, value)
        }
        if let resource {
            xml.element("Resource", resource)
        }
        xml.element("RequestId", requestID)
        xml.element("HostId", hostID)
        xml.close("Error")
        return xml.text
    }
}
