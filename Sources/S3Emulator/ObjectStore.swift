import Foundation
import NIOPosix
import S3EmulatorCore
import S3EmulatorStorage

/// The storage engine as the handlers use it: metadata, blobs, and the threads that keep
/// blocking disk and SQLite work off the request tasks: a pool for I/O, and one thread for the
/// commits of small objects and of deletes (``runCommitQueue(_:)``).
///
/// Bodies of up to ``MetadataStore/inlineBlobLimit`` bytes are stored in the metadata database
/// with their row (inline blobs, see ``BlobUpload``); larger ones in blob files.
final class ObjectStore: Sendable {
    let metadata: MetadataStore
    let blobs: BlobStore
    private let threadPool: NIOThreadPool
    /// One thread that runs the metadata writer's queue of small objects' commits and of
    /// deletes, which touch no file.
    private let smallObjectCommits: NIOThreadPool
    /// The temporary directory of an in-memory emulator, removed at shutdown.
    private let temporaryDirectory: String?

    init(configuration: EmulatorConfiguration) throws {
        switch configuration.storage {
        case .inMemory:
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("s3emu-\(UInt64.random(in: 0...UInt64.max))").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            self.temporaryDirectory = directory
            let metadata = try MetadataStore(path: nil)
            self.metadata = metadata
            self.blobs = try BlobStore(directory: directory, durable: false, inlineBlobs: metadata.inlineBlob)
        case .directory(let path):
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            self.temporaryDirectory = nil
            let metadata = try MetadataStore(path: path + "/metadata.sqlite")
            self.metadata = metadata
            self.blobs = try BlobStore(directory: path, durable: configuration.durableWrites, inlineBlobs: metadata.inlineBlob)
            _ = try blobs.sweep(keeping: metadata.liveBlobIDs())
        }
        self.threadPool = NIOThreadPool(numberOfThreads: max(2, configuration.ioThreads))
        threadPool.start()
        self.smallObjectCommits = NIOThreadPool(numberOfThreads: 1)
        smallObjectCommits.start()
    }

    /// Runs `job`, a run of the metadata writer's queue (``MetadataStore/write(runningQueueWith:_:)``),
    /// on the thread kept for small objects' commits; the commits of objects stored inline and
    /// of DeleteObject (no file I/O: one SQLite transaction each) are queued there without
    /// holding a thread.
    ///
    /// One thread that runs the queue, and commits in one SQLite transaction the writes that
    /// queued while the last one committed, costs less than a thread per commit: a pooled I/O
    /// thread that woke for each commit and then waited for the writer with the others cost
    /// 143–160 µs of CPU per PUT 1 KiB under `wrk -t2 -c32`; a thread that took one commit at a
    /// time, 126–132 µs.
    func runCommitQueue(_ job: @escaping @Sendable () -> Void) {
        // Also when the pool is shutting down (state .cancelled; then on this thread): the
        // queued commits' callers are waiting for their outcome.
        smallObjectCommits.submit { _ in job() }
    }

    /// Runs blocking work (file I/O, SQLite writes) on the I/O thread pool.
    func io<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await threadPool.runIfActive(body)
    }

    /// Queues `work` on the I/O thread pool without waiting for it. `work` is told whether the
    /// pool was still running; when it was not, it runs at once on the calling thread.
    func submit(_ work: @escaping @Sendable (_ active: Bool) -> Void) {
        threadPool.submit { state in work(state == .active) }
    }

    /// Removes a blob no object refers to any more (the one an overwrite replaced) on the I/O
    /// threads, without waiting: the request answers before the old bytes are unlinked. A crash
    /// before the removal leaves an orphan blob, which the start-up sweep removes.
    func removeLater(_ blobID: String) {
        threadPool.submit { [blobs] _ in
            // Also when the pool is shutting down (state .cancelled): the file is no object's.
            blobs.remove(blobID)
        }
    }

    func shutdown() async throws {
        try await threadPool.shutdownGracefully()
        try await smallObjectCommits.shutdownGracefully()
        removeTemporaryDirectory()
    }

    /// Releases the threads and the temporary directory synchronously, for a start-up that failed.
    func close() {
        try? threadPool.syncShutdownGracefully()
        try? smallObjectCommits.syncShutdownGracefully()
        removeTemporaryDirectory()
    }

    private func removeTemporaryDirectory() {
        if let temporaryDirectory {
            try? FileManager.default.removeItem(atPath: temporaryDirectory)
        }
    }
}
