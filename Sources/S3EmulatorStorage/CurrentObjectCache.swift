import Synchronization

/// The current versions of recently read keys, with the bytes of small inline objects, so that a
/// repeated GET or HEAD of an unchanged object needs no SQLite read transaction.
///
/// Entries belong to a *write generation* of the store: ``MetadataStore`` counts its write
/// transactions and bumps the count after each one ends (committed or not), and a lookup finds
/// only entries read in the current generation. So any write, to any bucket, drops every entry:
/// coarse on purpose, since no write path can be forgotten. A read takes the generation before
/// its transaction begins and stores its result under that generation; a write that commits
/// while the read is under way has bumped the count by the time the result is stored, so that
/// result is never found, whichever snapshot the read saw.
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

    /// Keeps `entry`, read by a transaction that began in `generation`.
    func store(_ entry: Entry, bucket: String, key: String, generation: UInt64) {
        let bytes = entry.inlineBytes?.count ?? 0
        state.withLock { state in
            if generation != state.generation {
                guard generation > state.generation else { return }  // a write has ended since the read began
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
