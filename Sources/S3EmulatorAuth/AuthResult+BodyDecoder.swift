import Foundation
import S3EmulatorCore

extension AuthResult {
    /// The decoder that checks the body of the request `head` against this result: it takes
    /// `x-amz-decoded-content-length` and `x-amz-trailer` from `head`.
    public func bodyDecoder(for head: AuthRequestHead) -> AWSChunkedDecoder {
        let decodedLength = head.firstValue("x-amz-decoded-content-length").flatMap {
            Int64($0.trimmingHTTPWhitespace())
        }
        return AWSChunkedDecoder(
            mode: payload, signingContext: signingContext, seedSignature: seedSignature,
            decodedContentLength: payload.isStreaming ? decodedLength : nil,
            expectedTrailer: head.firstValue("x-amz-trailer"))
    }
}
