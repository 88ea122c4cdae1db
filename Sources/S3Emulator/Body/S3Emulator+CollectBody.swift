import NIOCore
import S3EmulatorCore

extension S3Emulator {
    /// Reads a small request body (an XML document) whole, at most `limit` bytes, checking
    /// Content-MD5, `x-amz-content-sha256` and `x-amz-checksum-*` on it.
    func collectBody(_ context: RequestContext, limit: Int) async throws -> ByteBuffer {
        let payload = try RequestPayload(context)
        if let length = payload.declaredLength, length > limit {
            throw S3Error(.maxMessageLengthExceeded, details: [("MaxMessageLengthBytes", String(limit))])
        }
        var integrity = try BodyIntegrity(headers: context.headers)
        var collected = ByteBuffer()
        let trailers = try await payload.stream(context.request.body) { buffer in
            guard collected.readableBytes + buffer.readableBytes <= limit else {
                throw S3Error(.maxMessageLengthExceeded, details: [("MaxMessageLengthBytes", String(limit))])
            }
            buffer.withUnsafeReadableBytes { integrity.update($0) }
            var buffer = buffer
            collected.writeBuffer(&buffer)
        }
        _ = try integrity.verify(trailingChecksum: trailers.first { $0.name.hasPrefix("x-amz-checksum-") })
        return collected
    }
}
