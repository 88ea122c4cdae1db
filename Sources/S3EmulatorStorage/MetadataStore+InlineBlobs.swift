/// Inline blobs: the bytes of a small object kept in the database, in `inline_blobs`, instead
/// of in a file. The bytes are written in the transaction that commits the object's row and
/// deleted in the one that removes its last row, so a small PUT is one SQLite transaction (no
/// file, no fsync, no rename) and an object and its bytes can never part.
///
/// The id (``BlobID/randomInline()``) sits in `blob_id` like any blob id, so versions, copies and
/// readers (``BlobStore/openReader(_:)``) treat the blob as they treat a file.
extension MetadataStore {
    /// Bodies up to this size are stored inline (``putObject(_:inlineBytes:precondition:)``).
    public static let inlineBlobLimit = 64 * 1024

    /// The bytes of an inline blob, or `nil` when there is none (its object was removed).
    public func inlineBlob(_ id: String) throws -> [UInt8]? {
        try read { connection in try Self.inlineBlob(id, connection) }
    }

    static func inlineBlob(_ id: String, _ connection: SQLiteConnection) throws -> [UInt8]? {
        try connection.withStatement("SELECT bytes FROM inline_blobs WHERE id = ?1") { statement in
            try statement.bind(1, text: id)
            guard try statement.step() else { return nil }
            return statement.withBytes(0) { Array($0) }
        }
    }

    /// How many inline blobs no object version refers to (always 0; for tests and checks).
    public func orphanedInlineBlobCount() throws -> Int {
        try read { connection in
            Int(
                try connection.scalarInt(
                    """
                    SELECT count(*) FROM inline_blobs WHERE id NOT IN
                        (SELECT blob_id FROM objects UNION ALL SELECT blob_id FROM object_versions)
                    """
                ) ?? 0
            )
        }
    }

    static func insertInlineBlob(_ id: String, bytes: [UInt8], _ connection: SQLiteConnection) throws {
        try connection.withStatement("INSERT INTO inline_blobs (id, bytes) VALUES (?1, ?2)") { statement in
            try statement.bind(1, text: id)
            try statement.bind(2, bytes: bytes)
            try statement.run()
        }
    }

    /// Releases a blob no row refers to any more, inside the caller's transaction: an inline
    /// blob is deleted here and `nil` returned; any other id is returned for the caller to
    /// remove its file after the commit.
    static func releaseInlineBlob(_ id: String?, _ connection: SQLiteConnection) throws -> String? {
        guard let id, BlobID.isInline(id) else {
            return id
        }
        try connection.withStatement("DELETE FROM inline_blobs WHERE id = ?1") { statement in
            try statement.bind(1, text: id)
            try statement.run()
        }
        return nil
    }
}
