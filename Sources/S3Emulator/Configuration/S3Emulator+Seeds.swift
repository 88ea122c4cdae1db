import S3EmulatorAccess
import S3EmulatorCore
import S3EmulatorStorage

extension S3Emulator {
    /// Creates the configuration's buckets that do not exist yet and applies their settings.
    /// Runs at start (blocking); a bad bucket policy is refused with its bucket named.
    func seedBuckets() throws {
        for seed in configuration.buckets {
            try BucketName.validate(seed.name)
            let record = BucketRecord(name: seed.name, creationDate: configuration.clock.now(), region: seed.region ?? configuration.region)
            if try store.metadata.createBucket(record) {
                try applyNewBucketDefaults(seed.name, objectOwnership: nil)
            }
            if let policy = seed.policy {
                do {
                    _ = try PolicyDocument(parsing: policy, kind: .bucketPolicy(bucket: seed.name))
                } catch let error as S3Error {
                    throw S3Error(error.code, message: "bucket \(seed.name): \(error.message)")
                }
                _ = try store.metadata.setBucketConfiguration(bucket: seed.name, name: BucketSettings.Name.policy, value: policy)
            }
            if let block = seed.publicAccessBlock {
                _ = try store.metadata.setBucketConfiguration(bucket: seed.name, name: BucketSettings.Name.publicAccessBlock, value: block.stored)
            }
            if let ownership = seed.objectOwnership {
                guard ObjectOwnership.all.contains(ownership) else {
                    throw S3Error(.invalidArgument, message: "bucket \(seed.name): unknown objectOwnership \(ownership)")
                }
                _ = try store.metadata.setBucketConfiguration(bucket: seed.name, name: BucketSettings.Name.ownershipControls, value: ownership)
            }
            if let rules = seed.cors {
                let cors: CORSConfiguration
                do throws(S3Error) {
                    cors = try CORSConfiguration(seeds: rules)
                } catch {
                    throw S3Error(error.code, message: "bucket \(seed.name): \(error.message)")
                }
                _ = try store.metadata.setBucketConfiguration(bucket: seed.name, name: BucketSettings.Name.cors, value: cors.xml)
            }
            if let versioning = seed.versioning {
                _ = try store.metadata.setBucketConfiguration(bucket: seed.name, name: BucketVersioning.configurationName, value: versioning.rawValue)
            }
            bucketSettingsCache.invalidate(seed.name)
        }
    }

    /// What AWS gives a new bucket: Block Public Access all on and `BucketOwnerEnforced`
    /// (or the Object Ownership the request asked for). Blocking: call on the I/O threads.
    func applyNewBucketDefaults(_ bucket: String, objectOwnership: String?) throws {
        _ = try store.metadata.setBucketConfiguration(
            bucket: bucket, name: BucketSettings.Name.publicAccessBlock, value: PublicAccessBlockSettings.allBlocked.stored
        )
        _ = try store.metadata.setBucketConfiguration(
            bucket: bucket, name: BucketSettings.Name.ownershipControls, value: objectOwnership ?? ObjectOwnership.bucketOwnerEnforced
        )
    }
}
