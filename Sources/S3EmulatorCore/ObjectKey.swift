/// Object key rules: a key is any UTF-8 string of at most 1,024 bytes.
///
/// ```swift
/// try ObjectKey.validate(key)   // KeyTooLongError past 1,024 UTF-8 bytes
/// ```
public enum ObjectKey {
    /// The longest accepted key, in UTF-8 bytes.
    public static let maxLength = 1024

    /// Throws `KeyTooLongError`, with the `Size` and `MaxSizeAllowed` elements S3 sends,
    /// when `key` is longer than ``maxLength`` UTF-8 bytes. An empty key is not checked
    /// here: a request without a key addresses the bucket.
    public static func validate(_ key: String) throws(S3Error) {
        let size = key.utf8.count
        guard size <= maxLength else {
            throw S3Error(.keyTooLongError, details: [("Size", String(size)), ("MaxSizeAllowed", String(maxLength))])
        }
    }
}
