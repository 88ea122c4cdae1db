import Synchronization

/// Writes one new blob: bytes go to a temp file, ``commit()`` makes it a blob, ``abort()``
/// discards it. Owned by one request at a time; a writer dropped without either is aborted.
public final class BlobWriter: Sendable {
    private struct State {
        var descriptor: Int32
        var bytesWritten: Int64 = 0
        /// Where the last ``FileSystem/startWriteback(_:offset:length:)`` ended.
        var writebackStarted: Int64 = 0
        /// Set by commit or abort; afterwards abort is a no-op and write/commit fail.
        var isFinished = false
    }

    private let store: BlobStore
    private let id: String
    private let temporaryPath: String
    private let state: Mutex<State>

    init(store: BlobStore, id: String, descriptor: Int32, temporaryPath: String) {
        self.store = store
        self.id = id
        self.temporaryPath = temporaryPath
        self.state = Mutex(State(descriptor: descriptor))
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
            try FileSystem.writeAll(state.descriptor, bytes, path: temporaryPath)
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

    /// How many written bytes start their writeback together.
    static let writebackInterval: Int64 = 8 << 20

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
            state.descriptor = -1
            // Counted open until its rename is synced, so that writers committing meanwhile share the directory.
            defer { store.writerFinished() }
            do {
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
            FileSystem.close(state.descriptor)
            state.descriptor = -1
            _ = try? FileSystem.removeFile(temporaryPath)
        }
    }
}
