import Synchronization

/// The current versions of recently read keys, with the bytes of small inline objects, so that a
/// repeated GET or HEAD of an unchanged object needs no SQLite read transaction.
///
/// Entries belong to a *write generation* of the store: ``MetadataStore`` tells the cache when
/// each write transaction begins and when it ends (committed or not), and the generation is the
/// number of writes ended. A read uses the cache only while no write is under way: it takes the
/// generation before it looks (``quietGeneration()``), finds only entries read in that
/// generation, and stores what it read from the database only when no write has begun since it
/// took the generation. So any write, to any bucket, drops every entry: coarse on purpose, since
/// no write path can be forgotten.
///
/// A write is under way from before its transaction begins until after its caller learns the
/// outcome, which covers the commit: with group commit (``WriterConnection``) another caller may
/// commit the transaction, and its own caller wakes up later. Counting only ended writes left
/// that gap open: a read that began after the row was in the database could be answered with the
/// row before it, whose inline blob the write had already released.
final class CurrentObjectCache: Sendable {
    struct Entry: Sendable {
        var record: ObjectRecord
        var inlineBytes: [UInt8]?
        /// The `inlineBytesUpTo` of the read that made the entry: an entry made without the bytes
        /// (a HEAD) does not answer a read that wants them.
        var inlineLimit: Int64
    }

    private struct Key: Hashable {
        var bucket: String
        var key: String
    }

    private struct State {
        var generation: UInt64 = 0
        var entries: [Key: Entry] = [:]
        var byteCount = 0
    }

    /// Bounds on what the cache holds; reaching either empties it.
    static let maximumEntries = 4096
    static let maximumBytes = 8 * 1024 * 1024

    private let state = Mutex(State())
    /// Writes under way (times ``writeUnderWay``) plus writes ended: one word, so that a read
    /// sees both at once.
    private let writes = Atomic<UInt64>(0)
    private static let writeUnderWay: UInt64 = 1 << 48

    /// Called before a write transaction begins.
    func writeBegins() {
        writes.wrappingAdd(Self.writeUnderWay, ordering: .sequentiallyConsistent)
    }

    /// Called after a write transaction ends, committed or not, before its caller goes on.
    func writeEnded() {
        // One more ended, one fewer under way, in one step.
        writes.wrappingAdd(1 &- Self.writeUnderWay, ordering: .sequentiallyConsistent)
    }

    /// The number of writes ended, when no write is under way; `nil` (do not use the cache) while one is.
    func quietGeneration() -> UInt64? {
        let value = writes.load(ordering: .sequentiallyConsistent)
        return value < Self.writeUnderWay ? value : nil
    }

    /// The entry for `key`, when it was read in `generation` and answers a read that wants the
    /// inline bytes of objects of at most `inlineLimit` bytes.
    func entry(bucket: String, key: String, inlineBytesUpTo inlineLimit: Int64, generation: UInt64) -> Entry? {
        state.withLock { state in
            guard state.generation == generation, let entry = state.entries[Key(bucket: bucket, key: key)] else {
                return nil
            }
            if entry.inlineBytes == nil, inlineLimit > entry.inlineLimit,
               !entry.record.isDeleteMarker, entry.record.size <= inlineLimit, BlobID.isInline(entry.record.blobID) {
                return nil
            }
            return entry
        }
    }

    /// Keeps `entry`, read by a transaction that began in `generation` (a ``quietGeneration()``),
    /// unless a write has begun since.
    func store(_ entry: Entry, bucket: String, key: String, generation: UInt64) {
        guard writes.load(ordering: .sequentiallyConsistent) == generation else {
            return
        }
        let bytes = entry.inlineBytes?.count ?? 0
        state.withLock { state in
            if generation != state.generation {
                guard generation > state.generation else { return }  // a newer generation has entries already
                state = State(generation: generation)
            }
            if state.entries.count >= Self.maximumEntries || state.byteCount + bytes > Self.maximumBytes {
                state.entries.removeAll(keepingCapacity: true)
                state.byteCount = 0
            }
            let previous = state.entries.updateValue(entry, forKey: Key(bucket: bucket, key: key))
            state.byteCount += bytes - (previous?.inlineBytes?.count ?? 0)
        }
    }
}
