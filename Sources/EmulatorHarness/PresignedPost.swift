public import Foundation

/// A browser upload form for S3's POST Object: where to send it and the fields to include
/// (the file goes last, in a field named `file`).
///
/// ```swift
/// let post = try s3.presignedPost(bucket: "photos", key: "uploads/${filename}",
///                                 conditions: [.contentLengthRange(1, 10 << 20), .startsWith("Content-Type", "image/")])
/// // <form action="\(post.url)" method="post" enctype="multipart/form-data"> + post.fields + <input type="file" name="file">
/// ```
public struct PresignedPost: Sendable, Equatable {
    /// The bucket's URL, `http://127.0.0.1:<port>/<bucket>`: the form's `action`.
    ///
    /// ```swift
    /// var request = URLRequest(url: post.url)
    /// request.httpMethod = "POST"
    /// ```
    public var url: URL
    /// The form fields: `key`, `policy`, `x-amz-algorithm`, `x-amz-credential`, `x-amz-date`,
    /// `x-amz-signature` and the extra fields asked for.
    ///
    /// ```swift
    /// for (name, value) in post.fields { form.append(name: name, value: value) }
    /// ```
    public var fields: [String: String]

    /// The policy document as JSON text (the `policy` field is its base64 form).
    ///
    /// ```swift
    /// XCTAssertTrue(post.policy.contains(#"["content-length-range", 1, 1024]"#))
    /// ```
    public var policy: String

    /// A form with the given target, fields and policy.
    ///
    /// ```swift
    /// let post = PresignedPost(url: URL(string: "http://127.0.0.1:9000/photos")!, fields: ["key": "a.jpg"], policy: "{}")
    /// ```
    public init(url: URL, fields: [String: String], policy: String) {
        self.url = url
        self.fields = fields
        self.policy = policy
    }

    /// One condition of a POST policy.
    ///
    /// ```swift
    /// let conditions: [PresignedPost.Condition] = [.equals("acl", "private"), .startsWith("$key", "uploads/")]
    /// ```
    public enum Condition: Sendable, Equatable {
        /// `{"field": "value"}`: the form field must have exactly this value.
        ///
        /// ```swift
        /// .equals("success_action_status", "201")
        /// ```
        case equals(String, String)
        /// `["starts-with", "$field", "prefix"]`: the form field must start with `prefix` (`""`: any value).
        ///
        /// ```swift
        /// .startsWith("Content-Type", "image/")
        /// ```
        case startsWith(String, String)
        /// `["content-length-range", min, max]`: the file's size in bytes must lie in the range.
        ///
        /// ```swift
        /// .contentLengthRange(1, 10 * 1024 * 1024)
        /// ```
        case contentLengthRange(Int, Int)
    }
}
