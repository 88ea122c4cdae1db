extension MetadataStore {
    // MARK: Bucket configurations

    /// The configuration document `name` of `bucket` (for example `"policy"`, `"cors"`,
    /// `"publicAccessBlock"`), as the server stored it; `nil` when none is set or the bucket does
    /// not exist.
    ///
    /// The store does not interpret the text: each sub-resource's handler owns its format.
    public func bucketConfiguration(bucket: String, name: String) throws -> String? {
        try read { connection in
            try connection.withStatement("SELECT value FROM bucket_configurations WHERE bucket = ?1 AND name = ?2") { statement in
                try statement.bind(1, text: bucket)
                try statement.bind(2, text: name)
                return try statement.step() ? statement.string(0) : nil
            }
        }
    }

    /// Sets (or, with `value: nil`, deletes) the configuration document `name` of `bucket`;
    /// `false` when the bucket does not exist (nothing changes). Deleting a configuration that is
    /// not set succeeds. The rows go away with their bucket.
    ///
    /// ```swift
    /// _ = try store.setBucketConfiguration(bucket: "photos", name: "policy", value: policyJSON)
    /// ```
    public func setBucketConfiguration(bucket: String, name: String, value: String?) throws -> Bool {
        try write { connection in
            let bucketExists = try connection.withStatement("SELECT 1 FROM buckets WHERE name = ?1") { statement in
                try statement.bind(1, text: bucket)
                return try statement.step()
            }
            guard bucketExists else {
                return false
            }
            if let value {
                try connection.withStatement(
                    """
                    INSERT INTO bucket_configurations (bucket, name, value) VALUES (?1, ?2, ?3)
                    ON CONFLICT (bucket, name) DO UPDATE SET value = excluded.value
                    """
                ) { statement in
                    try statement.bind(1, text: bucket)
                    try statement.bind(2, text: name)
                    try statement.bind(3, text: value)
                    try statement.run()
                }
            } else {
                try connection.withStatement("DELETE FROM bucket_configurations WHERE bucket = ?1 AND name = ?2") { statement in
                    try statement.bind(1, text: bucket)
                    try statement.bind(2, text: name)
                    try statement.run()
                }
            }
            return true
        }
    }

    /// Every configuration document of `bucket` by name; empty when none is set or the bucket
    /// does not exist.
    public func bucketConfigurations(bucket: String) throws -> [String: String] {
        try read { connection in
            try connection.withStatement("SELECT name, value FROM bucket_configurations WHERE bucket = ?1") { statement in
                try statement.bind(1, text: bucket)
                var configurations: [String: String] = [:]
                while try statement.step() {
                    configurations[statement.string(0)] = statement.string(1)
                }
                return configurations
            }
        }
    }
}
