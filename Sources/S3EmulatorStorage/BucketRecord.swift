import Foundation

/// A bucket as the metadata store keeps it.
public struct BucketRecord: Sendable, Equatable {
    /// The bucket name, as validated by the server.
    public var name: String
    /// When the bucket was created (kept losslessly).
    public var creationDate: Date
    /// The bucket's region (`LocationConstraint`), for example `us-east-1`.
    public var region: String

    /// A bucket record with every field given.
    public init(name: String, creationDate: Date, region: String) {
        self.name = name
        self.creationDate = creationDate
        self.region = region
    }
}
