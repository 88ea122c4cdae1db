import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes one new blob: bytes go to a temp file, ``commit()`` makes it a blob, ``abort()``
/// discards it. Owned by one request at a time; a writer dropped without either is aborted.
///
/// A durable store's writer uses direct I/O where the file system allows it: the bytes gather
/// in an aligned buffer of ``directChunkSize`` and each full buffer goes from there to the disk,
/// without a copy into the page cache and without dirty pages for the commit's `fsync` to wait
/// for (on the machines we measured, writing through the page cache and syncing ran at a
/// quarter of the disk's direct speed). The last, partial buffer is written through the page
/// cache at commit. A file system that refuses a direct write gets the rest through the page
/// cache.
public final class BlobWriter: Sendable {
    private struct State {
        var descriptor: Int32
        /// The bytes given to ``write(_:)`` so far (some may still be in `direct`'s buffer).
        var bytesWritten: Int64 = 0
        /// Where the last ``FileSystem/startWriteback(_:offset:length:)`` ended.
        var writebackStarted: Int64 = 0
        /// Set by commit or abort; afterwards abort is a no-op and write/commit fail.
        var isFinished = false
        /// The aligned buffer of a direct-I/O writer; `nil` when writing through the page cache.
        var direct: DirectBuffer?
        /// How many chunks went to the file with direct I/O (for tests).
        var directWrites = 0
    }

    /// Bytes waiting for a direct write: an aligned allocation, filled from the start.
    ///
    /// `@unchecked Sendable`: it lives in the writer's locked state and is only touched under the lock.
    private struct DirectBuffer: @unchecked Sendable {
        let memory: UnsafeMutableRawBufferPointer
        var count = 0

        init?() {
            guard let memory = FileSystem.allocateDirectIOBuffer() else { return nil }
            self.memory = memory
        }

        func deallocate() {
            free(memory.baseAddress)
        }
    }

    /// Direct writes are this size (a multiple of any disk's block size) at offsets of multiples of it.
    static let directChunkSize = 1 << 20
    /// The alignment of the direct buffer's address (a page).
    static let directAlignment = 4096

    private let store: BlobStore
    private let id: String
    private let temporaryPath: String
    private let state: Mutex<State>

    /// A writer of the new temp file open on `descriptor`; `direct` writes it with direct I/O when
    /// the file system takes it (and the aligned buffer can be had).
    init(store: BlobStore, id: String, descriptor: Int32, direct: Bool, temporaryPath: String) {
        self.store = store
        self.id = id
        self.temporaryPath = temporaryPath
        var buffer = direct ? DirectBuffer() : nil
        if let allocated = buffer, !FileSystem.startDirectIO(descriptor) {
            allocated.deallocate()
            buffer = nil
        }
        self.state = Mutex(State(descriptor: descriptor, direct: buffer))
    }

    deinit {
        abort()
    }

    /// Appends all of `bytes`, looping on short writes and `EINTR`. A full disk throws an error
    /// whose `isNoSpace` is true; the caller then calls ``abort()``.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try state.withLock { state in
            guard !state.isFinished else {
                throw StorageError.corrupt("write to a finished blob writer (\(temporaryPath))")
            }
            if state.direct != nil {
                try writeDirect(bytes, &state)
                return
            }
            try FileSystem.writeAll(state.descriptor, bytes, at: state.bytesWritten, path: temporaryPath)
            state.bytesWritten += Int64(bytes.count)
            // A durable blob is fsynced at commit: have the disk start on every few MiB as they
            // are written, so that commit waits for the last few only, not for the whole blob.
            if store.durable, state.bytesWritten - state.writebackStarted >= Self.writebackInterval {
                FileSystem.startWriteback(
                    state.descriptor, offset: state.writebackStarted, length: state.bytesWritten - state.writebackStarted
                )
                state.writebackStarted = state.bytesWritten
            }
        }
    }

    /// Copies `bytes` into the direct buffer, writing it out each time it fills.
    private func writeDirect(_ bytes: UnsafeRawBufferPointer, _ state: inout State) throws {
        var rest = bytes
        while !rest.isEmpty, var direct = state.direct {
            let count = min(rest.count, direct.memory.count - direct.count)
            UnsafeMutableRawBufferPointer(rebasing: direct.memory[direct.count..<(direct.count + count)])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: rest[0..<count]))
            direct.count += count
            state.direct = direct
            state.bytesWritten += Int64(count)
            rest = UnsafeRawBufferPointer(rebasing: rest[count...])
            if direct.count == direct.memory.count {
                try flushDirect(&state)
            }
        }
        if !rest.isEmpty {
            // Direct I/O was turned off on the way: the rest goes through the page cache.
            try FileSystem.writeAll(state.descriptor, rest, at: state.bytesWritten, path: temporaryPath)
            state.bytesWritten += Int64(rest.count)
        }
    }

    /// Writes what the direct buffer holds at its place in the file: directly when it is a whole
    /// chunk, otherwise (the tail, at commit) through the page cache. Either way the buffer is
    /// released when the writer goes back to the page cache.
    private func flushDirect(_ state: inout State) throws {
        guard var direct = state.direct, direct.count > 0 else { return }
        let bytes = UnsafeRawBufferPointer(rebasing: direct.memory[0..<direct.count])
        let offset = state.bytesWritten - Int64(direct.count)
        if direct.count == direct.memory.count {
            do {
                try FileSystem.writeAll(state.descriptor, bytes, at: offset, path: temporaryPath)
                direct.count = 0
                state.direct = direct
                state.directWrites += 1
                return
            } catch let error as StorageError where error.errno == EINVAL {
                // The file system took the flag but not this write: the page cache it is.
            }
        }
        try FileSystem.stopDirectIO(state.descriptor, path: temporaryPath)
        try FileSystem.writeAll(state.descriptor, bytes, at: offset, path: temporaryPath)
        direct.deallocate()
        state.direct = nil
    }

    /// Releases the direct buffer, if any.
    private static func releaseDirect(_ state: inout State) {
        state.direct?.deallocate()
        state.direct = nil
    }

    /// How many written bytes start their writeback together.
    static let writebackInterval: Int64 = 8 << 20

    /// How many chunks of ``directChunkSize`` bytes went to the file with direct I/O.
    var directWriteCount: Int {
        state.withLock { $0.directWrites }
    }

    /// The number of bytes written so far.
    public var bytesWritten: Int64 {
        state.withLock { $0.bytesWritten }
    }

    /// Syncs (when durable), closes and renames the temp file into `blobs/`; returns the new blob
    /// id. On failure the temp file is removed and the writer is finished.
    public func commit() throws -> String {
        try state.withLock { state in
            guard !state.isFinished else {
                throw StorageError.corrupt("commit of a finished blob writer (\(temporaryPath))")
            }
            state.isFinished = true
            let descriptor = state.descriptor
            // Counted open until its rename is synced, so that writers committing meanwhile share the directory.
            defer { store.writerFinished() }
            do {
                defer { Self.releaseDirect(&state) }
                try flushDirect(&state)
                state.descriptor = -1
                if store.durable {
                    try store.sync(descriptor, path: temporaryPath)
                }
                try FileSystem.close(descriptor, path: temporaryPath)
            } catch {
                FileSystem.close(descriptor)
                _ = try? FileSystem.removeFile(temporaryPath)
                throw error
            }
            do {
                try store.install(temporaryPath: temporaryPath, as: id)
            } catch {
                _ = try? FileSystem.removeFile(temporaryPath)
                throw error
            }
            return id
        }
    }

    /// Closes and removes the temp file. Safe to call twice, and a no-op after ``commit()``.
    public func abort() {
        state.withLock { state in
            guard !state.isFinished else {
                return
            }
            state.isFinished = true
            store.writerFinished()
            Self.releaseDirect(&state)
            FileSystem.close(state.descriptor)
            state.descriptor = -1
            _ = try? FileSystem.removeFile(temporaryPath)
        }
    }
}
