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

    public private(set) var text: String

    public init() {
        self.text = ""
        self.text.reserveCapacity(512)
    }

    public mutating func declaration() {
        text += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    }

    public mutating func open(_ name: String, namespace: String? = nil) {
        text += "<"
        text += name
        if let namespace {
            text += " xmlns=\""
            text += XMLWriter.escape(namespace)
            text += "\""
        }
        text += ">"
    }

    /// An opening tag with attributes, values escaped.
    public mutating func open(_ name: String, attributes: [(name: String, value: String)]) {
        text += "<"
        text += name
        for attribute in attributes {
            text += " "
            text += attribute.name
            text += "=\""
            text += XMLWriter.escape(attribute.value)
            text += "\""
        }
        text += ">"
    }

    public mutating func close(_ name: String) {
        text += "</"
        text += name
        text += ">"
    }

    /// Character data inside the open element, escaped.
    public mutating func characters(_ value: String) {
        text += XMLWriter.escape(value)
    }

    /// `<name>value</name>`, with `value` escaped.
    public mutating func element(_ name: String, _ value: String) {
        open(name)
        characters(value)
        close(name)
    }

    /// Writes the element only when `value` is not nil.
    public mutating func element(_ name: String, ifPresent value: String?) {
        if let value { element(name, value) }
    }

    /// Escapes `&`, `<`, `>`, `"`, `'` and the control characters XML 1.0 cannot carry literally.
    public static func escape(_ value: String) -> String {
        var needsEscape = false
        for byte in value.utf8 where byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
            || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") || byte < 0x20
        {
            needsEscape = true
            break
        }
        guard needsEscape else { return value }
        var out = ""
        out.reserveCapacity(value.utf8.count + 16)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#xA;"
            case "\r": out += "&#xD;"
            case "\t": out += "&#x9;"
            default:
                if scalar.value < 0x20 {
                    out += "&#x\(String(scalar.value, radix: 16, uppercase: true));"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
