import Foundation
import NIOPosix
import S3EmulatorCore
import S3EmulatorStorage

/// The storage engine as the handlers use it: metadata, blobs, and the threads that keep
/// blocking disk and SQLite work off the request tasks: a pool for I/O, and one thread for the
/// commits of small objects (``commitSmallObject(_:)``).
///
/// Bodies of up to ``MetadataStore/inlineBlobLimit`` bytes are stored in the metadata database
/// with their row (inline blobs, see ``BlobUpload``); larger ones in blob files.
final class ObjectStore: Sendable {
    let metadata: MetadataStore
    let blobs: BlobStore
    private let threadPool: NIOThreadPool
    /// One thread for the commits of small objects, which touch no file.
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

    /// Runs the metadata commit of an object stored inline (no file I/O: one SQLite write
    /// transaction) on the thread kept for them.
    ///
    /// Commits go through the one metadata writer one group at a time anyway. One thread that
    /// takes them back to back, and stays awake while they keep coming, costs less than handing
    /// each to a pooled I/O thread that wakes for it and then waits for the writer with the
    /// others: PUT 1 KiB under `wrk -t2 -c32` went from 143–160 to 126–132 µs of CPU.
    func commitSmallObject<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await smallObjectCommits.runIfActive(body)
    }

    /// Runs blocking work (file I/O, SQLite writes) on the I/O thread pool.
    func io<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await threadPool.runIfActive(body)
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
