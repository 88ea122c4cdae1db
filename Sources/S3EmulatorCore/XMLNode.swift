/// One element of a parsed XML request body.
///
/// `name` is the local name (a namespace prefix such as `s3:` is stripped); `attributes`
/// keep their names as written, `xmlns` declarations included. `text` is the element's own
/// character data (not its descendants'), entity-decoded and not trimmed.
///
/// ```swift
/// let root = try XMLParser.parse(Array(body.utf8))
/// let quiet = root.childText("Quiet") == "true"
/// let keys = root.children(named: "Object").compactMap { $0.childText("Key") }
/// ```
public struct XMLNode: Sendable, Equatable {
    /// The element's local name, without any namespace prefix.
    public var name: String
    /// The element's attributes, names as written (`xmlns`, `xmlns:xsi`, `xsi:type`).
    public var attributes: [String: String]
    /// The child elements, in document order.
    public var children: [XMLNode]
    /// The element's own character data (text and CDATA), entity-decoded, not trimmed.
    public var text: String

    public init(name: String, attributes: [String: String] = [:], children: [XMLNode] = [], text: String = "") {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    /// The first child element with this local name.
    public func child(_ name: String) -> XMLNode? {
        children.first { $0.name == name }
    }

    /// Every child element with this local name, in document order.
    public func children(named name: String) -> [XMLNode] {
        children.filter { $0.name == name }
    }

    /// The text of the first child element with this local name.
    public func childText(_ name: String) -> String? {
        child(name)?.text
    }
}
