/// Writes S3 response XML: elements in order, text escaped, no pretty-printing.
///
/// ```swift
/// var xml = XMLWriter()
/// xml.declaration()
/// xml.open("ListAllMyBucketsResult", namespace: XMLWriter.s3Namespace)
/// xml.element("Name", "bucket")
/// xml.close("ListAllMyBucketsResult")
/// ```
public struct XMLWriter: Sendable {
    /// The namespace S3 puts on the root element of its responses.
    public static let s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

    /// The document so far, as UTF-8 (appending bytes is much cheaper than appending to a `String`).
    private var bytes: [UInt8]

    /// The document written so far.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public init() {
        self.bytes = []
        self.bytes.reserveCapacity(512)
    }

    public mutating func declaration() {
        raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
    }

    public mutating func open(_ name: String, namespace: String? = nil) {
        bytes.append(UInt8(ascii: "<"))
        raw(name)
        if let namespace {
            raw(" xmlns=\"")
            escaped(namespace)
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: ">"))
    }

    /// An opening tag with attributes, values escaped.
    public mutating func open(_ name: String, attributes: [(name: String, value: String)]) {
        bytes.append(UInt8(ascii: "<"))
        raw(name)
        for attribute in attributes {
            bytes.append(UInt8(ascii: " "))
            raw(attribute.name)
            raw("=\"")
            escaped(attribute.value)
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: ">"))
    }

    public mutating func close(_ name: String) {
        raw("</")
        raw(name)
        bytes.append(UInt8(ascii: ">"))
    }

    /// Character data inside the open element, escaped.
    public mutating func characters(_ value: String) {
        escaped(value)
    }

    /// `<name>value</name>`, with `value` escaped.
    public mutating func element(_ name: String, _ value: String) {
        open(name)
        escaped(value)
        close(name)
    }

    /// Writes the element only when `value` is not nil.
    public mutating func element(_ name: String, ifPresent value: String?) {
        if let value { element(name, value) }
    }

    /// Appends text as it is (names and markup).
    private mutating func raw(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// Appends `value` escaped: runs of bytes that need no escaping are copied whole.
    private mutating func escaped(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            var runStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x40, let replacement = Self.replacement(byte) else { continue }
                if runStart < index {
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                }
                bytes.append(contentsOf: replacement.utf8)
                runStart = index + 1
            }
            if runStart < utf8.count {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
            }
        }
    }

    /// The escape of a byte that XML text cannot carry literally; nil for every other byte.
    /// (Bytes of multi-byte UTF-8 sequences are all 0x80 or more: never escaped.)
    private static func replacement(_ byte: UInt8) -> String? {
        switch byte {
        case UInt8(ascii: "&"): "&amp;"
        case UInt8(ascii: "<"): "&lt;"
        case UInt8(ascii: ">"): "&gt;"
        case UInt8(ascii: "\""): "&quot;"
        case UInt8(ascii: "'"): "&apos;"
        case UInt8(ascii: "\n"): "&#xA;"
        case UInt8(ascii: "\r"): "&#xD;"
        case UInt8(ascii: "\t"): "&#x9;"
        case 0..<0x20: "&#x" + String(byte, radix: 16, uppercase: true) + ";"
        default: nil
        }
    }

    /// Escapes `&`, `<`, `>`, `"`, `'` and the control characters XML 1.0 cannot carry literally.
    public static func escape(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 < 0x40 && replacement($0) != nil }) else { return value }
        var writer = XMLWriter()
        writer.escaped(value)
        return writer.text
    }
}
