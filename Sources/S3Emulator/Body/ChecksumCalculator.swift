import Crypto
import S3EmulatorCore

/// Computes one `x-amz-checksum-*` algorithm over a stream.
struct ChecksumCalculator {
    private enum State {
        case crc32(CRC32)
        case crc32c(CRC32C)
        case crc64nvme(CRC64NVME)
        case sha1(Insecure.SHA1)
        case sha256(SHA256)
    }

    let algorithm: ChecksumAlgorithm
    private var state: State

    init(_ algorithm: ChecksumAlgorithm) {
        self.algorithm = algorithm
        switch algorithm {
        case .crc32: state = .crc32(CRC32())
        case .crc32c: state = .crc32c(CRC32C())
        case .crc64nvme: state = .crc64nvme(CRC64NVME())
        case .sha1: state = .sha1(Insecure.SHA1())
        case .sha256: state = .sha256(SHA256())
        }
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        switch state {
        case .crc32(var crc): crc.update(bytes); state = .crc32(crc)
        case .crc32c(var crc): crc.update(bytes); state = .crc32c(crc)
        case .crc64nvme(var crc): crc.update(bytes); state = .crc64nvme(crc)
        case .sha1(var hash): hash.update(bufferPointer: bytes); state = .sha1(hash)
        case .sha256(var hash): hash.update(bufferPointer: bytes); state = .sha256(hash)
        }
    }

    /// The checksum as S3 sends it: base64 of the big-endian digest.
    func finalize() -> String {
        switch state {
        case .crc32(let crc): Base64.encode(crc.bigEndianBytes)
        case .crc32c(let crc): Base64.encode(crc.bigEndianBytes)
        case .crc64nvme(let crc): Base64.encode(crc.bigEndianBytes)
        case .sha1(let hash): Base64.encode(Array(hash.finalize()))
        case .sha256(let hash): Base64.encode(Array(hash.finalize()))
        }
    }
}
