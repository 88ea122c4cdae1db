import Crypto
import NIOCore
import S3EmulatorCore
import S3EmulatorStorage

/// A new blob copied from (a range of) another, with the digests computed on the way.
struct CopiedBlob {
    let blobID: String
    let size: Int64
    /// The MD5 of the copied bytes: the ETag of a single-part object or part.
    let md5: [UInt8]
    /// The checksum of the copied bytes, when one was asked for.
    let checksum: String?
}

extension ObjectStore {
    /// Copies `range` of a blob into a new committed blob, hashing as it goes, in pieces of
    /// ``S3Emulator/streamChunkSize``. Blocking: call on the I/O threads. The caller owns the
    /// new blob and removes it if it cannot record it.
    func copyBlob(_ sourceBlobID: String, range: Range<Int64>, checksum algorithm: ChecksumAlgorithm?) throws -> CopiedBlob {
        let reader = try blobs.openReader(sourceBlobID)
        defer { reader.close() }
        let writer = try blobs.makeWriter()
        var md5 = Insecure.MD5()
        var checksum = algorithm.map(ChecksumCalculator.init)
        do {
            var position = range.lowerBound
            while position < range.upperBound {
                let count = Int(min(Int64(S3Emulator.streamChunkSize), range.upperBound - position))
                let buffer = try reader.readBuffer(offset: position, length: count)
                guard buffer.readableBytes > 0 else { break }
                try buffer.withUnsafeReadableBytes { bytes in
                    md5.update(bufferPointer: bytes)
                    checksum?.update(bytes)
                    try writer.write(bytes)
                }
                position += Int64(buffer.readableBytes)
            }
            let size = writer.bytesWritten
            let blobID = try writer.commit()
            return CopiedBlob(blobID: blobID, size: size, md5: Array(md5.finalize()), checksum: checksum?.finalize())
        } catch {
            writer.abort()
            throw error
        }
    }
}
