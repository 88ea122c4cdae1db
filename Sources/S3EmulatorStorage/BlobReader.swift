import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one blob with `pread`, at any offset. Close it when done; a reader dropped without
/// ``close()`` closes its files.
///
/// A composite blob (``BlobStore/makeComposite(of:)``) reads as its blobs joined in order. Its
/// blobs are opened when the reader is created when there are at most ``eagerSegmentLimit`` of
/// them, so the reader keeps reading them even if the object is deleted meanwhile (as it does
/// for a plain blob); a composite of more blobs opens each one when a read reaches it and keeps
/// one open at a time, so that a 10 000-part object does not hold 10 000 files open.
///
/// An inline blob (``BlobID/isInline(_:)``) is read from the database whole when the reader is
/// created, so it too reads on after its object is deleted.
///
/// A reader made with `direct: true` (a durable store's, whose writers bypass the page cache,
/// see ``BlobWriter``) makes the large reads (at least ``directReadRequestMinimum`` bytes, as a
/// streamed GET does) of files of at least ``directReadMinimum`` bytes with direct I/O, a
/// ``BlobWriter/directChunkSize`` chunk at a time into one aligned buffer it reuses, and copies
/// from there; small reads (a range of a few KiB) go through the page cache, which fetches only
/// the pages they need and keeps them for the next. Such a file is seldom in the page cache,
/// and filling the cache costs more than the read: on the machines we measured, a just-written
/// 1 GiB blob read at 350–600 MB/s through the cache, most of the CPU going to first touches of
/// the cache's new pages, and at 860–930 MB/s directly. A file system that refuses direct I/O
/// is read through the cache.
public final class BlobReader: Sendable {
    /// The blob's size in bytes, taken when it was opened.
    public let size: Int64
    /// The sizes of the blobs a composite blob joins, in order (the parts of a multipart
    /// object); one entry, ``size``, for a plain blob.
    public let segmentSizes: [Int64]
    /// Composites of up to this many blobs open them all at once.
    static let eagerSegmentLimit = 32

    private struct State {
        /// One per segment; -1 when not open.
        var descriptors: [Int32]
        /// The segment open in lazy mode.
        var lazilyOpened: Int?
        var isClosed = false
        /// Per segment, whether its open descriptor reads with direct I/O.
        var readsDirect: [Bool]
        /// Set when the file system refused direct I/O: every read goes through the page cache.
        var directRefused = false
        /// The direct reads' buffer, allocated at the first one.
        var direct: DirectReadBuffer?
        /// How many chunks were read with direct I/O (for tests).
        var directReads = 0

        init(descriptors: [Int32]) {
            self.descriptors = descriptors
            self.readsDirect = Array(repeating: false, count: descriptors.count)
        }
    }

    /// One chunk of a segment, read with direct I/O: an aligned allocation holding `count` bytes
    /// of segment `segment` from `fileOffset`.
    ///
    /// `@unchecked Sendable`: it lives in the reader's locked state and is only touched under the lock.
    struct DirectReadBuffer: @unchecked Sendable {
        let memory: UnsafeMutableRawBufferPointer
        var segment = -1
        var fileOffset: Int64 = 0
        var count = 0

        init?() {
            guard let memory = FileSystem.allocateDirectIOBuffer() else { return nil }
            self.memory = memory
        }

        func deallocate() {
            free(memory.baseAddress)
        }

        func holds(segment: Int, offset: Int64) -> Bool {
            self.segment == segment && offset >= fileOffset && offset < fileOffset + Int64(count)
        }
    }

    /// Files smaller than this are read through the page cache even by a direct reader.
    static let directReadMinimum: Int64 = 8 << 20
    /// Reads asking for fewer bytes than this go through the page cache even in a large file.
    static let directReadRequestMinimum = 256 << 10
    /// Whether large files are read with direct I/O.
    private let readsLargeFilesDirect: Bool

    private let paths: [String]
    /// Where each segment ends in the joined blob (ascending).
    private let ends: [Int64]
    private let isLazy: Bool
    /// The bytes of an inline blob; `nil` for a blob in files.
    private let inlineBytes: [UInt8]?
    private let state: Mutex<State>

    /// Opens a plain blob; `direct` reads it with direct I/O when it is large.
    init(path: String, direct: Bool = false) throws {
        let descriptor = try FileSystem.openForReading(path)
        let size: Int64
        do {
            size = try FileSystem.size(descriptor, path: path)
        } catch {
            FileSystem.close(descriptor)
            throw error
        }
        self.size = size
        self.segmentSizes = [size]
        self.paths = [path]
        self.ends = [size]
        self.isLazy = false
        self.inlineBytes = nil
        self.readsLargeFilesDirect = direct
        self.state = Mutex(State(descriptors: [descriptor]))
    }

    /// A reader of an inline blob's bytes.
    init(inlineBytes: [UInt8], blobID: String) {
        self.size = Int64(inlineBytes.count)
        self.segmentSizes = [size]
        self.paths = [blobID]
        self.ends = [size]
        self.isLazy = false
        self.inlineBytes = inlineBytes
        self.readsLargeFilesDirect = false
        self.state = Mutex(State(descriptors: []))
    }

    /// Opens a composite blob whose manifest is `manifest`, its segments' files being `paths`;
    /// `direct` reads its large segments with direct I/O.
    init(composite manifest: CompositeBlobManifest, paths: [String], direct: Bool = false) throws {
        var ends: [Int64] = []
        ends.reserveCapacity(paths.count)
        var total: Int64 = 0
        for segment in manifest.segments {
            total += segment.size
            ends.append(total)
        }
        self.size = total
        self.segmentSizes = manifest.segments.map(\.size)
        self.paths = paths
        self.ends = ends
        self.isLazy = paths.count > Self.eagerSegmentLimit
        self.inlineBytes = nil
        self.readsLargeFilesDirect = direct
        var descriptors = [Int32](repeating: -1, count: paths.count)
        if !isLazy {
            do {
                for (index, path) in paths.enumerated() {
                    descriptors[index] = try FileSystem.openForReading(path)
                }
            } catch {
                for descriptor in descriptors where descriptor >= 0 {
                    FileSystem.close(descriptor)
                }
                throw error
            }
        }
        self.state = Mutex(State(descriptors: descriptors))
    }

    deinit {
        close()
    }

    /// Reads from `offset` into `buffer` until it is full or the blob ends; returns the bytes
    /// read (0 at the end).
    public func read(offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try state.withLock { state in
            guard !state.isClosed else {
                throw StorageError.corrupt("read of a closed blob reader (\(paths.first ?? ""))")
            }
            if let inlineBytes {
                guard offset >= 0, offset < size else { return 0 }
                let count = min(buffer.count, inlineBytes.count - Int(offset))
                inlineBytes.withUnsafeBytes { bytes in
                    buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[Int(offset)..<(Int(offset) + count)]))
                }
                return count
            }
            if paths.count == 1, !isLazy {
                return try readSegment(0, at: offset, into: buffer, &state)
            }
            var total = 0
            var position = max(offset, 0)
            while total < buffer.count, position < size {
                let index = segment(containing: position)
                try open(index, &state)
                let start = index == 0 ? 0 : ends[index - 1]
                let count = Int(min(Int64(buffer.count - total), ends[index] - position))
                let target = UnsafeMutableRawBufferPointer(rebasing: buffer[total..<(total + count)])
                let read = try readSegment(index, at: position - start, into: target, &state)
                guard read == count else {
                    throw StorageError.corrupt("\(paths[index]) is shorter than its composite blob says")
                }
                total += read
                position += Int64(read)
            }
            return total
        }
    }

    /// The first segment that ends after `position` (empty segments are skipped).
    private func segment(containing position: Int64) -> Int {
        var low = 0
        var high = ends.count - 1
        while low < high {
            let middle = (low + high) / 2
            if ends[middle] > position {
                high = middle
            } else {
                low = middle + 1
            }
        }
        return low
    }

    /// Opens segment `index` unless it is open (in lazy mode, closing the one open before).
    private func open(_ index: Int, _ state: inout State) throws {
        if state.descriptors[index] >= 0 {
            return
        }
        let descriptor = try FileSystem.openForReading(paths[index])
        if let previous = state.lazilyOpened {
            FileSystem.close(state.descriptors[previous])
            state.descriptors[previous] = -1
            state.readsDirect[previous] = false
        }
        state.descriptors[index] = descriptor
        state.lazilyOpened = index
    }

    /// Reads segment `index` (open) from `offset` until `buffer` is full or the segment ends:
    /// with direct I/O when this reader and the segment's size call for it.
    private func readSegment(
        _ index: Int, at offset: Int64, into buffer: UnsafeMutableRawBufferPointer, _ state: inout State
    ) throws -> Int {
        let descriptor = state.descriptors[index]
        let wantsDirect =
            readsLargeFilesDirect && !state.directRefused && segmentSizes[index] >= Self.directReadMinimum
            && buffer.count >= Self.directReadRequestMinimum && offset >= 0
        // Direct I/O is a property of the descriptor: on for a large read (once the aligned
        // buffer exists), off again for a small one (whose unaligned buffer and offset a direct
        // descriptor refuses).
        if wantsDirect, !state.readsDirect[index] {
            if state.direct == nil {
                state.direct = DirectReadBuffer()
            }
            state.readsDirect[index] = state.direct != nil && FileSystem.startDirectIO(descriptor)
            state.directRefused = !state.readsDirect[index]
        } else if !wantsDirect, state.readsDirect[index] {
            try FileSystem.stopDirectIO(descriptor, path: paths[index])
            state.readsDirect[index] = false
        }
        if state.readsDirect[index] {
            do {
                return try readDirect(index, at: offset, into: buffer, &state)
            } catch let error as StorageError where error.errno == EINVAL {
                // The file system took the flag but not the read: the page cache it is, from now on.
                try FileSystem.stopDirectIO(descriptor, path: paths[index])
                state.readsDirect[index] = false
                state.directRefused = true
            }
        }
        return try FileSystem.readAll(descriptor, offset: offset, into: buffer, path: paths[index])
    }

    /// ``readSegment(_:at:into:_:)`` through the direct buffer (allocated before direct I/O was
    /// turned on): copies what it holds of the range, reading the aligned chunk around each byte
    /// it does not hold.
    private func readDirect(
        _ index: Int, at offset: Int64, into buffer: UnsafeMutableRawBufferPointer, _ state: inout State
    ) throws -> Int {
        guard var direct = state.direct else {
            preconditionFailure("direct I/O is on for \(paths[index]) without its buffer")
        }
        let descriptor = state.descriptors[index]
        defer { state.direct = direct }
        var total = 0
        while total < buffer.count {
            let position = offset + Int64(total)
            if !direct.holds(segment: index, offset: position) {
                let chunkStart = position - position % Int64(BlobWriter.directAlignment)
                direct.segment = -1
                direct.count = try FileSystem.readOnce(descriptor, offset: chunkStart, into: direct.memory, path: paths[index])
                direct.segment = index
                direct.fileOffset = chunkStart
                state.directReads += 1
                guard direct.holds(segment: index, offset: position) else { break }  // the end of the file
            }
            let from = Int(position - direct.fileOffset)
            let count = min(buffer.count - total, direct.count - from)
            UnsafeMutableRawBufferPointer(rebasing: buffer[total..<(total + count)])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: direct.memory[from..<(from + count)]))
            total += count
        }
        return total
    }

    /// How many chunks were read with direct I/O.
    var directReadCount: Int {
        state.withLock { $0.directReads }
    }

    /// Closes the files. Safe to call twice.
    public func close() {
        state.withLock { state in
            guard !state.isClosed else { return }
            state.isClosed = true
            state.direct?.deallocate()
            state.direct = nil
            for index in state.descriptors.indices where state.descriptors[index] >= 0 {
                FileSystem.close(state.descriptors[index])
                state.descriptors[index] = -1
            }
        }
    }
}
