import Foundation
import NIOCore
import S3EmulatorCore

/// The payload of a request body, decoded from its transfer framing.
///
/// Most bodies arrive as they are; `aws-chunked` bodies (`x-amz-content-sha256:
/// STREAMING-…`) carry chunk headers, signatures and trailers around the payload.
struct RequestPayload {
    let headers: S3Headers
    /// The payload length the client declared: `x-amz-decoded-content-length` for
    /// aws-chunked bodies, otherwise `Content-Length`.
    let declaredLength: Int64?
    let isAWSChunked: Bool

    init(headers: S3Headers) throws(S3Error) {
        self.headers = headers
        let sha = headers["x-amz-content-sha256"] ?? ""
        let encodings = (headers["content-encoding"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        isAWSChunked = sha.hasPrefix("STREAMING-") || encodings.contains("aws-chunked")
        if isAWSChunked {
            guard let decoded = headers["x-amz-decoded-content-length"] else {
                throw S3Error(.missingContentLength, message: "You must provide the Content-Length HTTP header.")
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
    }

    /// Streams the decoded payload of `body` to `consume`, in arrival order, and returns the
    /// trailing headers (aws-chunked only). IncompleteBody when the body ends early.
    func stream(_ body: S3RequestBody, _ consume: (ByteBuffer) async throws -> Void) async throws -> [(name: String, value: String)] {
        guard !isAWSChunked else {
            throw S3Error(.notImplemented, message: "aws-chunked request bodies are not supported yet")
        }
        var received: Int64 = 0
        do {
            for try await buffer in body {
                received += Int64(buffer.readableBytes)
                try await consume(buffer)
            }
        } catch let error as S3Error {
            throw error
        } catch {
            throw S3Error(.incompleteBody)
        }
        if let declaredLength, received != declaredLength {
            throw S3Error(.incompleteBody)
        }
        return []
    }
}
