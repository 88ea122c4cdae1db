import Crypto
import NIOCore
import S3EmulatorCore
import S3EmulatorStorage

/// A new blob copied from (a range of) another, with the digests computed on the way.
struct CopiedBlob {
    let blobID: String
    /// The bytes of an inline blob, which the metadata commit stores with the row.
    let inlineBytes: [UInt8]?
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
    ///
    /// With `inline`, a range of at most ``MetadataStore/inlineBlobLimit`` bytes becomes an inline
    /// blob: its bytes are returned for the metadata commit, and no file is written.
    func copyBlob(_ sourceBlobID: String, range: Range<Int64>, checksum algorithm: ChecksumAlgorithm?, inline: Bool) throws -> CopiedBlob {
        let reader = try blobs.openReader(sourceBlobID)
        defer { reader.close() }
        let length = range.upperBound - range.lowerBound
        if inline, length <= Int64(MetadataStore.inlineBlobLimit) {
            let buffer = try reader.readBuffer(offset: range.lowerBound, length: Int(length))
            guard buffer.readableBytes == length else {
                throw StorageError.corrupt("blob \(sourceBlobID) is shorter than its object")
            }
            let bytes = Array(buffer.readableBytesView)
            var checksum = algorithm.map(ChecksumCalculator.init)
            bytes.withUnsafeBytes { checksum?.update($0) }
            return CopiedBlob(
                blobID: BlobID.randomInline(), inlineBytes: bytes, size: Int64(bytes.count),
                md5: Array(Insecure.MD5.hash(data: bytes)), checksum: checksum?.finalize()
            )
        }
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
            return CopiedBlob(blobID: blobID, inlineBytes: nil, size: size, md5: Array(md5.finalize()), checksum: checksum?.finalize())
        } catch {
            writer.abort()
            throw error
        }
    }
}
