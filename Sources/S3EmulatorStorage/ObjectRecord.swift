import Foundation

/// An object's row in the metadata store: where its bytes are and what S3 reports about it.
///
/// A value type whose fields live in one shared, copy-on-write box: a record is copied out of
/// ``CurrentObjectCache`` and handed down a GET's whole path, and copying a dozen strings and
/// three dictionaries each time was a fifth of a small GET's reference counting. A copy now costs
/// one reference; the first change to a shared record copies its fields.
public struct ObjectRecord: Sendable, Equatable {
    /// The fields, as the struct stored them before they moved into a box.
    @usableFromInline
    struct Fields: Sendable, Equatable {
        @usableFromInline var bucket: String
        @usableFromInline var key: String
        @usableFromInline var size: Int64
        @usableFromInline var etag: String
        @usableFromInline var lastModified: Date
        @usableFromInline var blobID: String
        @usableFromInline var metadata: ObjectMetadata
        @usableFromInline var versionID: String?
        @usableFromInline var isDeleteMarker: Bool
    }

    /// `@unchecked Sendable`: `fields` changes only through ``ObjectRecord/update(_:)``, on a
    /// box no other record shares.
    @usableFromInline
    final class Storage: @unchecked Sendable {
        @usableFromInline var fields: Fields

        @usableFromInline
        init(_ fields: Fields) {
            self.fields = fields
        }
    }

    @usableFromInline var storage: Storage

    /// The bucket the object lives in.
    @inlinable public var bucket: String {
        _read { yield storage.fields.bucket }
        set { update { $0.bucket = newValue } }
    }
    /// The object key, any UTF-8 string; it never becomes a file name.
    @inlinable public var key: String {
        _read { yield storage.fields.key }
        set { update { $0.key = newValue } }
    }
    /// The object's size in bytes.
    @inlinable public var size: Int64 {
        get { storage.fields.size }
        set { update { $0.size = newValue } }
    }
    /// The entity tag, unquoted (an MD5 hex digest, or `<hex>-<parts>` for a multipart upload).
    @inlinable public var etag: String {
        _read { yield storage.fields.etag }
        set { update { $0.etag = newValue } }
    }
    /// When the object was last written (kept losslessly).
    @inlinable public var lastModified: Date {
        get { storage.fields.lastModified }
        set { update { $0.lastModified = newValue } }
    }
    /// The ``BlobStore`` blob holding the object's bytes.
    @inlinable public var blobID: String {
        _read { yield storage.fields.blobID }
        set { update { $0.blobID = newValue } }
    }
    /// System and user metadata, checksums, storage class.
    @inlinable public var metadata: ObjectMetadata {
        _read { yield storage.fields.metadata }
        set { update { $0.metadata = newValue } }
    }
    /// The version id the store assigned when the bucket's versioning was enabled; `nil` for the
    /// `null` version (every object of a bucket that never had versioning).
    @inlinable public var versionID: String? {
        _read { yield storage.fields.versionID }
        set { update { $0.versionID = newValue } }
    }
    /// True for a delete marker: a version with no bytes (size 0, no blob) that hides the key.
    @inlinable public var isDeleteMarker: Bool {
        get { storage.fields.isDeleteMarker }
        set { update { $0.isDeleteMarker = newValue } }
    }

    /// An object record with every field given; metadata defaults to none.
    public init(
        bucket: String,
        key: String,
        size: Int64,
        etag: String,
        lastModified: Date,
        blobID: String,
        metadata: ObjectMetadata = ObjectMetadata(),
        versionID: String? = nil,
        isDeleteMarker: Bool = false
    ) {
        storage = Storage(
            Fields(
                bucket: bucket, key: key, size: size, etag: etag, lastModified: lastModified, blobID: blobID,
                metadata: metadata, versionID: versionID, isDeleteMarker: isDeleteMarker
            )
        )
    }

    /// Changes the fields, in a box of this record's own.
    @inlinable
    mutating func update(_ change: (inout Fields) -> Void) {
        if !isKnownUniquelyReferenced(&storage) {
            storage = Storage(storage.fields)
        }
        change(&storage.fields)
    }

    public static func == (lhs: ObjectRecord, rhs: ObjectRecord) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.fields == rhs.storage.fields
    }
}
