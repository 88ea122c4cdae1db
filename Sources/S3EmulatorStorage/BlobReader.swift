import Synchronization

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
    }

    private let paths: [String]
    /// Where each segment ends in the joined blob (ascending).
    private let ends: [Int64]
    private let isLazy: Bool
    /// The bytes of an inline blob; `nil` for a blob in files.
    private let inlineBytes: [UInt8]?
    private let state: Mutex<State>

    /// Opens a plain blob.
    init(path: String) throws {
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
        self.state = Mutex(State(descriptors: []))
    }

    /// Opens a composite blob whose manifest is `manifest`, its segments' files being `paths`.
    init(composite manifest: CompositeBlobManifest, paths: [String]) throws {
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
                return try FileSystem.readAll(state.descriptors[0], offset: offset, into: buffer, path: paths[0])
            }
            var total = 0
            var position = max(offset, 0)
            while total < buffer.count, position < size {
                let index = segment(containing: position)
                let descriptor = try open(index, &state)
                let start = index == 0 ? 0 : ends[index - 1]
                let count = Int(min(Int64(buffer.count - total), ends[index] - position))
                let target = UnsafeMutableRawBufferPointer(rebasing: buffer[total..<(total + count)])
                let read = try FileSystem.readAll(descriptor, offset: position - start, into: target, path: paths[index])
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

    private func open(_ index: Int, _ state: inout State) throws -> Int32 {
        if state.descriptors[index] >= 0 {
            return state.descriptors[index]
        }
        let descriptor = try FileSystem.openForReading(paths[index])
        if let previous = state.lazilyOpened {
            FileSystem.close(state.descriptors[previous])
            state.descriptors[previous] = -1
        }
        state.descriptors[index] = descriptor
        state.lazilyOpened = index
        return descriptor
    }

    /// Closes the files. Safe to call twice.
    public func close() {
        state.withLock { state in
            guard !state.isClosed else { return }
            state.isClosed = true
            for index in state.descriptors.indices where state.descriptors[index] >= 0 {
                FileSystem.close(state.descriptors[index])
                state.descriptors[index] = -1
            }
        }
    }
}
