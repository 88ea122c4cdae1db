import Foundation
import NIOCore
import S3EmulatorAuth
import S3EmulatorCore

/// The payload of a request body, decoded from its framing and checked against what the
/// signature promised.
///
/// Most bodies arrive as they are (their SHA-256 checked when it was signed); `aws-chunked`
/// bodies (`x-amz-content-sha256: STREAMING-…`) carry chunk headers, chunk signatures and
/// trailers around the payload, which the authentication's decoder takes off and verifies.
struct RequestPayload {
    /// The payload length the client declared: `x-amz-decoded-content-length` for
    /// aws-chunked bodies, otherwise `Content-Length`.
    let declaredLength: Int64?
    private let decoder: AWSChunkedDecoder
    /// True for `aws-chunked` bodies (`x-amz-content-sha256: STREAMING-…`).
    let isAWSChunked: Bool

    init(_ context: RequestContext) throws(S3Error) {
        let headers = context.headers
        let authentication = context.authentication
        let sha = headers["x-amz-content-sha256"] ?? ""
        let encodings = (headers["content-encoding"] ?? "").split(separator: ",").map { $0.trimmingHTTPWhitespace() }
        isAWSChunked = authentication.payload.isStreaming || sha.hasPrefix("STREAMING-") || encodings.contains("aws-chunked")
        if isAWSChunked {
            guard authentication.payload.isStreaming else {
                // An unsigned request cannot use the signed chunk framing.
                throw S3Error(.invalidArgument, message: "Unsupported value for x-amz-content-sha256 without a signature",
                              details: [("ArgumentName", "x-amz-content-sha256"), ("ArgumentValue", sha)])
            }
            guard let decoded = headers["x-amz-decoded-content-length"] else {
                throw S3Error(.missingContentLength)
            }
            guard let length = Int64(decoded), length >= 0 else {
                throw S3Error(.invalidArgument, message: "x-amz-decoded-content-length is not valid",
                              details: [("ArgumentName", "x-amz-decoded-content-length"), ("ArgumentValue", decoded)])
            }
            declaredLength = length
        } else if let contentLength = headers["content-length"] {
            guard let length = Int64(contentLength), length >= 0 else {
                throw S3Error(.invalidArgument, details: [("ArgumentName", "Content-Length"), ("ArgumentValue", contentLength)])
            }
            declaredLength = length
        } else {
            declaredLength = nil
        }
        decoder = authentication.bodyDecoder(for: context.authenticationHead)
    }

    /// Streams the decoded payload of `body` to `consume`, in arrival order, and returns the
    /// trailing headers (aws-chunked only). The bytes are provisional until this returns:
    /// a chunk signature, the payload hash or the length may still fail.
    func stream(_ body: S3RequestBody, _ consume: (ByteBuffer) async throws -> Void) async throws -> [(name: String, value: String)] {
        var decoder = self.decoder
        var received: Int64 = 0
        var decoded = ByteBuffer()
        var iterator = body.makeAsyncIterator()
        while true {
            // A connection that fails mid-body is an incomplete body; what `consume` throws (a
            // full disk) is not, and passes unchanged.
            let next: ByteBuffer?
            do {
                next = try await iterator.next()
            } catch let error as S3Error {
                throw error
            } catch {
                throw S3Error(.incompleteBody)
            }
            guard let buffer = next else { break }
            received += Int64(buffer.readableBytes)
            if !isAWSChunked {
                // The payload is the body itself: check it (a signed SHA-256) and hand it on, uncopied.
                try buffer.withUnsafeReadableBytes { bytes in try decoder.feed(bytes) { _ in } }
                if buffer.readableBytes > 0 {
                    try await consume(buffer)
                }
                continue
            }
            decoded.clear(minimumCapacity: buffer.readableBytes)
            try buffer.withUnsafeReadableBytes { bytes in
                try decoder.feed(bytes) { output in decoded.writeBytes(output) }
            }
            if decoded.readableBytes > 0 {
                try await consume(decoded)
            }
        }
        if !isAWSChunked, let declaredLength, received != declaredLength {
            throw S3Error(.incompleteBody)
        }
        return try decoder.finish()
    }
}
