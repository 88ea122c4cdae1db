/// A named, forward-only change to the metadata schema.
///
/// Migrations are applied in order at open, each in its own transaction together with
/// `PRAGMA user_version = <its position>`, so `user_version` is the number of migrations applied.
/// Never edit or reorder a shipped migration: append a new one.
struct SchemaMigration: Sendable {
    let name: String
    let sql: String

    /// Every migration, oldest first.
    static let all: [SchemaMigration] = [
        SchemaMigration(
            name: "createBucketsAndObjects",
            sql: """
                CREATE TABLE buckets (
                    name TEXT NOT NULL PRIMARY KEY,
                    -- seconds since 2001-01-01 (Foundation's reference date): Date's own storage, lossless
                    creation_date REAL NOT NULL,
                    region TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE objects (
                    bucket TEXT NOT NULL REFERENCES buckets(name),
                    -- the key's UTF-8 bytes as a BLOB: compared with memcmp, which is S3's key order
                    key BLOB NOT NULL,
                    size INTEGER NOT NULL,
                    etag TEXT NOT NULL,
                    last_modified REAL NOT NULL,
                    blob_id TEXT NOT NULL,
                    metadata TEXT NOT NULL,
                    PRIMARY KEY (bucket, key)
                ) WITHOUT ROWID;
                """
        ),
        SchemaMigration(
            name: "createBucketConfigurations",
            sql: """
                CREATE TABLE bucket_configurations (
                    bucket TEXT NOT NULL REFERENCES buckets(name) ON DELETE CASCADE,
                    -- policy, publicAccessBlock, ownershipControls, cors, acl, tagging, versioning, ...
                    name TEXT NOT NULL,
                    value TEXT NOT NULL,
                    PRIMARY KEY (bucket, name)
                ) WITHOUT ROWID;
                """
        ),
        SchemaMigration(
            name: "createMultipartUploadsAndParts",
            sql: """
                CREATE TABLE multipart_uploads (
                    -- time-ordered: <initiation in ms, 12 hex><random>, so (key, upload_id) is S3's order
                    upload_id TEXT NOT NULL PRIMARY KEY,
                    bucket TEXT NOT NULL REFERENCES buckets(name) ON DELETE CASCADE,
                    key BLOB NOT NULL,
                    initiated REAL NOT NULL,
                    initiator TEXT,
                    checksum_algorithm TEXT,
                    -- the object's metadata, given at creation (ObjectMetadata JSON)
                    metadata TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX multipart_uploads_by_key ON multipart_uploads (bucket, key, upload_id);
                CREATE TABLE multipart_parts (
                    upload_id TEXT NOT NULL REFERENCES multipart_uploads(upload_id) ON DELETE CASCADE,
                    part_number INTEGER NOT NULL,
                    size INTEGER NOT NULL,
                    etag TEXT NOT NULL,
                    last_modified REAL NOT NULL,
                    blob_id TEXT NOT NULL,
                    checksum TEXT,
                    PRIMARY KEY (upload_id, part_number)
                ) WITHOUT ROWID;
                """
        ),
        SchemaMigration(
            name: "createObjectVersions",
            sql: """
                -- objects holds each key's current version when it is an object; version_id NULL is
                -- the null version. sequence orders a key's versions (newer is larger).
                ALTER TABLE objects ADD COLUMN version_id TEXT;
                ALTER TABLE objects ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;
                -- Every other version of a versioned bucket: noncurrent objects and delete markers
                -- (a current delete marker is the newest row here, with no objects row for the key).
                CREATE TABLE object_versions (
                    bucket TEXT NOT NULL REFERENCES buckets(name),
                    key BLOB NOT NULL,
                    sequence INTEGER NOT NULL,
                    version_id TEXT,
                    delete_marker INTEGER NOT NULL,
                    size INTEGER NOT NULL,
                    etag TEXT NOT NULL,
                    last_modified REAL NOT NULL,
                    blob_id TEXT NOT NULL,
                    metadata TEXT NOT NULL,
                    PRIMARY KEY (bucket, key, sequence DESC)
                ) WITHOUT ROWID;
                CREATE INDEX object_versions_by_id ON object_versions (bucket, key, version_id);
                """
        ),
        SchemaMigration(
            name: "createInlineBlobs",
            sql: """
                -- The bytes of small objects (inline blobs: ids ending in .inline), written in the
                -- transaction that commits their row and deleted in the one that drops it.
                CREATE TABLE inline_blobs (
                    id TEXT NOT NULL UNIQUE,
                    bytes BLOB NOT NULL
                );
                """
        ),
    ]
}
