import NIOCore
import S3EmulatorCore
import Synchronization

/// The digests of an upload's body, updated batch by batch in the order the bytes arrived:
/// ``BodyIntegrity`` (the MD5 of the ETag and the checksum the client chose) and, for a part of
/// a multipart upload with a checksum algorithm, that algorithm's checksum.
///
/// ``BlobUpload`` hashes each full batch on the I/O threads while the next one is received (MD5
/// alone is ~1.3 s of CPU per GiB), one batch at a time, so the lock is never contended.
final class BodyDigests: Sendable {
    /// Unchecked: swift-crypto's hash functions are value types not marked Sendable; the state
    /// is only ever reached through the mutex.
    private struct State: @unchecked Sendable {
        var integrity: BodyIntegrity
        var extra: ChecksumCalculator?
    }

    private let state: Mutex<State>

    init(_ integrity: BodyIntegrity, extra: ChecksumCalculator? = nil) {
        self.state = Mutex(State(integrity: integrity, extra: extra))
    }

    func update(_ buffers: [ByteBuffer]) {
        state.withLock { state in
            for buffer in buffers {
                buffer.withUnsafeReadableBytes { bytes in
                    state.integrity.update(bytes)
                    state.extra?.update(bytes)
                }
            }
        }
    }

    /// The digests so far (all of them once ``BlobUpload/finishHashing()`` has returned).
    var integrity: BodyIntegrity {
        state.withLock { $0.integrity }
    }

    /// The extra checksum so far, finalized.
    func extraChecksum() -> (ChecksumAlgorithm, String)? {
        state.withLock { state in state.extra.map { ($0.algorithm, $0.finalize()) } }
    }
}
