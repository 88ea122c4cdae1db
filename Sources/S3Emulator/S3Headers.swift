import S3EmulatorCore

/// Request or response header fields, names lowercased, in order, duplicates kept.
///
/// ```swift
/// var headers = S3Headers()
/// headers.append("x-amz-meta-color", "blue")
/// headers["x-amz-meta-color"] // "blue"
/// ```
public struct S3Headers: Sendable, Sequence {
    public private(set) var fields: [(name: String, value: String)]

    public init(_ fields: [(name: String, value: String)] = []) {
        self.fields = fields.map { (name: $0.name.lowercased(), value: $0.value) }
    }

    /// No fields yet, with room for `capacity`.
    public init(capacity: Int) {
        self.fields = []
        fields.reserveCapacity(capacity)
    }

    /// Fields whose names are already lowercase (the HTTP layer lowercased them).
    init(lowercasedFields fields: [(name: String, value: String)]) {
        self.fields = fields
    }

    /// The first value of `name` (case-insensitive), or nil.
    public subscript(_ name: String) -> String? {
        let name = name.lowercasedIfNeeded()
        for field in fields where field.name == name {
            return field.value
        }
        return nil
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        let name = name.lowercasedIfNeeded()
        return fields.filter { $0.name == name }.map(\.value)
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    public mutating func append(_ name: String, _ value: String) {
        fields.append((name: name.lowercasedIfNeeded(), value: value))
    }

    /// Replaces every value of `name` with `value`.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        append(name, value)
    }

    public mutating func remove(_ name: String) {
        let name = name.lowercasedIfNeeded()
        fields.removeAll { $0.name == name }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }
}
