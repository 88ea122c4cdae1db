public import Foundation

/// Seeding and inspecting state directly, without a client, signature or request log entry.
extension EmulatorHarness {
    /// Creates a bucket owned by the account, as CreateBucket would (Block Public Access on,
    /// ACLs disabled), in `region` or the emulator's region. An existing bucket is left as it is.
    ///
    /// ```swift
    /// try await s3.createBucket("photos")
    /// ```
    /// - Returns: false when the bucket already existed.
    @discardableResult
    public func createBucket(_ name: String, region: String? = nil) async throws -> Bool {
        try await emulator.createBucket(name, region: region)
    }

    /// Stores an object as an anonymous-free, checksum-free PutObject would: ETag the MD5 of
    /// `data`, Last-Modified now by ``clock``; an existing object is replaced.
    ///
    /// ```swift
    /// try await s3.putObject(bucket: "photos", key: "cat.jpg", data: jpegBytes, contentType: "image/jpeg",
    ///                        metadata: ["owner": "steve"])
    /// ```
    /// - Returns: the object's quoted ETag.
    /// - Throws: `S3Error` NoSuchBucket when the bucket does not exist, or for a key S3 refuses.
    @discardableResult
    public func putObject(
        bucket: String, key: String, data: Data, contentType: String? = nil, metadata: [String: String] = [:]
    ) async throws -> String {
        try await emulator.putObject(bucket: bucket, key: key, data: data, contentType: contentType, metadata: metadata)
    }

    /// The stored object with its bytes, content type and user metadata, or nil when there is none.
    ///
    /// ```swift
    /// let stored = try await s3.object(bucket: "uploads", key: "users/1/avatar")
    /// XCTAssertEqual(stored?.data, avatar)
    /// XCTAssertEqual(stored?.contentType, "image/png")
    /// ```
    public func object(bucket: String, key: String) async throws -> S3Emulator.StoredObject? {
        try await emulator.object(bucket: bucket, key: key)
    }

    /// Deletes every object and bucket, creates the configuration's buckets again with their
    /// settings, and empties ``requests``: the state a freshly started harness has (the clock is
    /// left where it is). Cheaper than a new harness when tests share one.
    ///
    /// ```swift
    /// override func tearDown() async throws {
    ///     try await Self.s3.reset()
    /// }
    /// ```
    public func reset() async throws {
        try await emulator.reset()
        clearRequests()
    }
}
