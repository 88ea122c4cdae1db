#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Object bytes on disk, one file per blob, named by a random id under
/// `directory/blobs/<first two characters>/<id>`. Object keys never become file names.
///
/// A write goes to a new file in `directory/tmp` (same file system), and ``BlobWriter/commit()``
/// renames it into `blobs/`; with `durable`, the file is fsynced before the rename and the
/// directory after it. Temp files and blobs no object refers to (after a crash) are removed by
/// ``sweep(keeping:)`` at start-up.
///
/// ```swift
/// let writer = try blobs.makeWriter()
/// try chunk.withUnsafeBytes { try writer.write($0) }
/// let blobID = try writer.commit()
/// ```
public final class BlobStore: Sendable {
    /// The root directory given at init.
    public let directory: String
    /// Whether files and directories are fsynced on commit.
    public let durable: Bool
    let blobsDirectory: String
    let temporaryDirectory: String
    /// How many fsync calls commits have made (for tests of the durability flag).
    let syncCount = Atomic<Int>(0)

    /// Opens the store at `directory`, creating it with `blobs/` and `tmp/` inside when missing.
    public init(directory: String, durable: Bool) throws {
        self.directory = directory
        self.durable = durable
        self.blobsDirectory = directory + "/blobs"
        self.temporaryDirectory = directory + "/tmp"
        try FileSystem.makeDirectories(directory)
        try FileSystem.makeDirectory(blobsDirectory)
        try FileSystem.makeDirectory(temporaryDirectory)
    }

    /// A writer for a new blob: a new temp file (`O_CREAT|O_EXCL`, mode 0600, random name).
    public func makeWriter() throws -> BlobWriter {
        while true {
            let id = BlobID.random()
            let path = temporaryDirectory + "/" + id
            do {
                let descriptor = try FileSystem.createExclusive(path)
                return BlobWriter(store: self, id: id, descriptor: descriptor, temporaryPath: path)
            } catch let error as StorageError where error.errno == EEXIST {
                continue  // 128 random bits collided with a temp file; draw again
            }
        }
    }

    /// Opens the blob for reading. A missing blob throws an error whose `isNotFound` is true.
    public func openReader(_ blobID: String) throws -> BlobReader {
        guard let path = path(of: blobID) else {
            throw StorageError.corrupt("invalid blob id \(blobID)")
        }
        return try BlobReader(path: path)
    }

    /// Removes the blob, best effort: a missing blob or an invalid id is ignored.
    public func remove(_ blobID: String) {
        guard let path = path(of: blobID) else {
            return
        }
        _ = try? FileSystem.removeFile(path)
    }

    /// Deletes every temp file and every blob not in `live`. Run it at start-up, before any
    /// writer exists: a blob committed but not yet recorded would otherwise be removed.
    public func sweep(keeping live: Set<String>) throws -> (removedBlobs: Int, removedTemps: Int) {
        var removedTemps = 0
        for entry in try FileSystem.listDirectory(temporaryDirectory) where entry.kind == .file {
            if try FileSystem.removeFile(temporaryDirectory + "/" + entry.name) {
                removedTemps += 1
            }
        }
        var removedBlobs = 0
        for fanOut in try FileSystem.listDirectory(blobsDirectory) where fanOut.kind == .directory {
            let fanOutPath = blobsDirectory + "/" + fanOut.name
            for entry in try FileSystem.listDirectory(fanOutPath)
            where entry.kind == .file && BlobID.isValid(entry.name) && !live.contains(entry.name) {
                if try FileSystem.removeFile(fanOutPath + "/" + entry.name) {
                    removedBlobs += 1
                }
            }
        }
        return (removedBlobs, removedTemps)
    }

    /// The file of a blob, or `nil` when `blobID` is not a blob id.
    func path(of blobID: String) -> String? {
        guard BlobID.isValid(blobID) else {
            return nil
        }
        return blobsDirectory + "/" + blobID.prefix(2) + "/" + blobID
    }

    /// Moves a finished temp file into `blobs/` under `blobID` (creating the fan-out directory),
    /// syncing the directories when durable.
    func install(temporaryPath: String, as blobID: String) throws {
        let fanOutPath = blobsDirectory + "/" + blobID.prefix(2)
        let created = try FileSystem.makeDirectory(fanOutPath)
        if created && durable {
            try syncDirectory(blobsDirectory)
        }
        try FileSystem.rename(temporaryPath, to: fanOutPath + "/" + blobID)
        if durable {
            try syncDirectory(fanOutPath)
        }
    }

    func sync(_ descriptor: Int32, path: String) throws {
        try FileSystem.sync(descriptor, path: path)
        syncCount.add(1, ordering: .relaxed)
    }

    private func syncDirectory(_ path: String) throws {
        try FileSystem.syncDirectory(path)
        syncCount.add(1, ordering: .relaxed)
    }
}
