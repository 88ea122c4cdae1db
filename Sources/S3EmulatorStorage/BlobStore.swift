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
/// A composite blob (``makeComposite(of:)``) joins other blobs without copying them: its file
/// lists them, it reads as their concatenation, and removing it removes them. A multipart
/// upload's parts become its object this way.
///
/// An inline blob (``BlobID/isInline(_:)``: a small object's bytes, which live in the metadata
/// database with its row) is opened through `inlineBlobs`; it has no file, so ``remove(_:)``
/// and ``sweep(keeping:)`` leave it alone (the database removes it with its row).
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
    /// The fan-out directories (`blobs/00` … `blobs/ff`) known to exist, one bit each, so that a
    /// commit makes no `mkdir` for a directory an earlier commit made or found.
    private let knownFanOuts = Mutex<[UInt64]>([0, 0, 0, 0])
    /// Shares one directory fsync among the commits into a fan-out directory at the same time.
    private let directorySyncs = DirectorySyncGroup()
    /// The fan-out directory writers open at the same time share (see ``newBlobID(_:)``).
    private let fanOutGroup = Mutex(FanOutGroup())
    /// Reads an inline blob's bytes (`nil` when there is no such blob).
    private let inlineBlobs: InlineBlobSource?

    /// Reads the bytes of an inline blob from where they live (``MetadataStore/inlineBlob(_:)``).
    public typealias InlineBlobSource = @Sendable (String) throws -> [UInt8]?

    private struct FanOutGroup {
        var prefix = ""
        /// Writers made and not yet committed or aborted.
        var openWriters = 0
        /// Writers given `prefix` so far.
        var assigned = 0
    }

    /// At most this many blobs in a row share a fan-out directory.
    static let fanOutGroupSize = 64

    /// Opens the store at `directory`, creating it with `blobs/` and `tmp/` inside when missing;
    /// ``openReader(_:)`` reads inline blobs from `inlineBlobs`.
    public init(directory: String, durable: Bool, inlineBlobs: InlineBlobSource? = nil) throws {
        self.directory = directory
        self.durable = durable
        self.inlineBlobs = inlineBlobs
        self.blobsDirectory = directory + "/blobs"
        self.temporaryDirectory = directory + "/tmp"
        try FileSystem.makeDirectories(directory)
        try FileSystem.makeDirectory(blobsDirectory)
        try FileSystem.makeDirectory(temporaryDirectory)
    }

    /// A writer for a new blob: a new temp file (`O_CREAT|O_EXCL`, mode 0600, random name).
    public func makeWriter() throws -> BlobWriter {
        try makeWriter(newID: BlobID.random)
    }

    private func makeWriter(newID: () -> String) throws -> BlobWriter {
        while true {
            let id = newBlobID(newID())
            let path = temporaryDirectory + "/" + id
            do {
                let descriptor = try FileSystem.createExclusive(path)
                return BlobWriter(store: self, id: id, descriptor: descriptor, direct: durable, temporaryPath: path)
            } catch let error as StorageError where error.errno == EEXIST {
                writerFinished()
                continue  // 120 random bits collided with a temp file; draw again
            } catch {
                writerFinished()
                throw error
            }
        }
    }

    /// `randomID` with its fan-out prefix (the first two digits) replaced by the one the writers
    /// open at the same time share, so that their commits share a directory fsync
    /// (``DirectorySyncGroup``). A writer made while no other is open starts a new group with
    /// its own random prefix, and a group takes at most ``fanOutGroupSize`` writers, so blobs
    /// still spread over all the fan-out directories. Pair with ``writerFinished()``.
    private func newBlobID(_ randomID: String) -> String {
        fanOutGroup.withLock { group in
            if group.openWriters == 0 || group.assigned >= Self.fanOutGroupSize {
                group.prefix = String(randomID.prefix(2))
                group.assigned = 0
            }
            group.assigned += 1
            group.openWriters += 1
            return group.prefix + randomID.dropFirst(2)
        }
    }

    /// A writer from ``newBlobID(_:)`` was committed or aborted.
    func writerFinished() {
        fanOutGroup.withLock { $0.openWriters -= 1 }
    }

    /// Writes a composite blob that reads as `segments` joined in order, and returns its id.
    /// Nothing is copied: the segments (committed plain blobs) now belong to the composite, and
    /// removing it removes them. The composite is written like any blob (temp, fsync when
    /// durable, rename); a crash before its id is recorded leaves an orphan the sweep removes.
    ///
    /// ```swift
    /// let objectBlob = try blobs.makeComposite(of: [(part1, 5_242_880), (part2, 1_024)])
    /// ```
    public func makeComposite(of segments: [(blobID: String, size: Int64)]) throws -> String {
        guard segments.count <= CompositeBlobManifest.maxSegments else {
            throw StorageError.corrupt("a composite blob of \(segments.count) blobs is too large")
        }
        for segment in segments where !BlobID.isPlain(segment.blobID) || segment.size < 0 {
            throw StorageError.corrupt("invalid segment \(segment.blobID) of size \(segment.size) for a composite blob")
        }
        let manifest = CompositeBlobManifest(segments: segments.map { .init(blobID: $0.blobID, size: $0.size) })
        let writer = try makeWriter(newID: BlobID.randomComposite)
        do {
            var text = manifest.text()
            try text.withUTF8 { try writer.write(UnsafeRawBufferPointer($0)) }
            return try writer.commit()
        } catch {
            writer.abort()
            throw error
        }
    }

    /// Opens the blob for reading. A missing blob throws an error whose `isNotFound` is true.
    public func openReader(_ blobID: String) throws -> BlobReader {
        if BlobID.isInline(blobID), let inlineBlobs {
            guard let bytes = try inlineBlobs(blobID) else {
                throw StorageError.io(errno: ENOENT, operation: "read inline blob", path: blobID)
            }
            return BlobReader(inlineBytes: bytes, blobID: blobID)
        }
        guard let path = path(of: blobID) else {
            throw StorageError.corrupt("invalid blob id \(blobID)")
        }
        guard BlobID.isComposite(blobID) else {
            return try BlobReader(path: path, direct: durable)
        }
        let manifest = try readManifest(path)
        var paths: [String] = []
        paths.reserveCapacity(manifest.segments.count)
        for segment in manifest.segments {
            paths.append(plainPath(of: segment.blobID))
        }
        return try BlobReader(composite: manifest, paths: paths, direct: durable)
    }

    /// Removes the blob, best effort: a missing blob or an invalid id is ignored. Removing a
    /// composite blob removes the blobs it joins, then its own file.
    public func remove(_ blobID: String) {
        guard let path = path(of: blobID) else {
            return
        }
        if BlobID.isComposite(blobID), let manifest = try? readManifest(path) {
            for segment in manifest.segments {
                _ = try? FileSystem.removeFile(plainPath(of: segment.blobID))
            }
        }
        _ = try? FileSystem.removeFile(path)
    }

    /// Removes the file of a composite blob that no object took, keeping the blobs it joins: they
    /// still belong to the multipart upload whose completion failed. Best effort, like ``remove(_:)``.
    public func discardComposite(_ blobID: String) {
        guard BlobID.isComposite(blobID), let path = path(of: blobID) else {
            return
        }
        _ = try? FileSystem.removeFile(path)
    }

    /// Deletes every temp file and every blob not in `live`. Run it at start-up, before any
    /// writer exists: a blob committed but not yet recorded would otherwise be removed.
    ///
    /// The blobs a live composite blob joins are live too; a composite that is not live is
    /// removed (counted as one blob), and so are its blobs unless something live holds them.
    public func sweep(keeping live: Set<String>) throws -> (removedBlobs: Int, removedTemps: Int) {
        var live = live
        for blobID in live where BlobID.isComposite(blobID) {
            guard let path = path(of: blobID) else { continue }
            do {
                for segment in try readManifest(path).segments {
                    live.insert(segment.blobID)
                }
            } catch let error as StorageError where error.isNotFound {
                continue  // a row without its blob reads as an error later; nothing to keep
            }
        }
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

    /// The file of a plain blob whose id is known to be valid.
    private func plainPath(of blobID: String) -> String {
        blobsDirectory + "/" + blobID.prefix(2) + "/" + blobID
    }

    private func readManifest(_ path: String) throws -> CompositeBlobManifest {
        try CompositeBlobManifest(bytes: try FileSystem.readFile(path), path: path)
    }

    /// Moves a finished temp file into `blobs/` under `blobID` (creating the fan-out directory),
    /// syncing the directories when durable.
    func install(temporaryPath: String, as blobID: String) throws {
        let fanOutPath = blobsDirectory + "/" + blobID.prefix(2)
        let fanOut = Self.fanOutIndex(blobID)
        if !isKnownFanOut(fanOut) {
            try makeFanOut(fanOutPath, index: fanOut)
        }
        do {
            try FileSystem.rename(temporaryPath, to: fanOutPath + "/" + blobID)
        } catch let error as StorageError where error.errno == ENOENT {
            // The fan-out directory went away since it was made (removed by hand): make it again.
            try makeFanOut(fanOutPath, index: fanOut)
            try FileSystem.rename(temporaryPath, to: fanOutPath + "/" + blobID)
        }
        if durable {
            try directorySyncs.sync(fanOutPath) { try syncDirectory($0) }
        }
    }

    /// Makes a fan-out directory (syncing its parent when it is new and the store is durable)
    /// and remembers that it exists.
    private func makeFanOut(_ path: String, index: Int?) throws {
        let created = try FileSystem.makeDirectory(path)
        if created && durable {
            try syncDirectory(blobsDirectory)
        }
        if let index {
            knownFanOuts.withLock { $0[index >> 6] |= 1 << UInt64(index & 63) }
        }
    }

    private func isKnownFanOut(_ index: Int?) -> Bool {
        guard let index else { return false }
        return knownFanOuts.withLock { $0[index >> 6] & (1 << UInt64(index & 63)) != 0 }
    }

    /// 0–255 for the two lowercase hex digits a blob id starts with.
    private static func fanOutIndex(_ blobID: String) -> Int? {
        var utf8 = blobID.utf8.makeIterator()
        guard let high = utf8.next().flatMap(hexValue), let low = utf8.next().flatMap(hexValue) else { return nil }
        return high << 4 | low
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a")) + 10
        default: nil
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
