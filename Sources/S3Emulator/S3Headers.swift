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
        let name = Self.lowercased(name)
        for field in fields where field.name == name {
            return field.value
        }
        return nil
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        let name = Self.lowercased(name)
        return fields.filter { $0.name == name }.map(\.value)
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    public mutating func append(_ name: String, _ value: String) {
        fields.append((name: Self.lowercased(name), value: value))
    }

    /// Replaces every value of `name` with `value`.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        append(name, value)
    }

    public mutating func remove(_ name: String) {
        let name = Self.lowercased(name)
        fields.removeAll { $0.name == name }
    }

    /// `name.lowercased()`, without a new string for a name that is lowercase already (the
    /// usual case: every name s3emu looks up or adds is written in lowercase).
    private static func lowercased(_ name: String) -> String {
        let isLowercase = name.utf8.withContiguousStorageIfAvailable { bytes in
            !bytes.contains { ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) || $0 >= 0x80 }
        }
        return isLowercase == true ? name : name.lowercased()
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }
}
