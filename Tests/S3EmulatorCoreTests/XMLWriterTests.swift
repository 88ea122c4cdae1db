import XCTest

@testable import S3EmulatorCore

final class XMLWriterTests: XCTestCase {
    func testElementsAreWrittenInOrderWithTheDeclarationAndNamespace() {
        var xml = XMLWriter()
        xml.declaration()
        xml.open("ListBucketResult", namespace: XMLWriter.s3Namespace)
        xml.element("Name", "bucket")
        xml.element("Prefix", ifPresent: nil)
        xml.open("Grantee", attributes: [("xsi:type", "Canonical\"User")])
        xml.close("Grantee")
        xml.close("ListBucketResult")
        XCTAssertEqual(
            xml.text,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>bucket</Name>"
                + "<Grantee xsi:type=\"Canonical&quot;User\"></Grantee></ListBucketResult>"
        )
    }

    func testEscapeReplacesMarkupCharactersAndControlCharacters() {
        XCTAssertEqual(XMLWriter.escape("plain/key-1.txt"), "plain/key-1.txt")
        XCTAssertEqual(XMLWriter.escape("\"9bb58f26192e4ba00f01e2e7b136bbd8\""), "&quot;9bb58f26192e4ba00f01e2e7b136bbd8&quot;")
        XCTAssertEqual(XMLWriter.escape("a&b<c>d'e\"f"), "a&amp;b&lt;c&gt;d&apos;e&quot;f")
        XCTAssertEqual(XMLWriter.escape("line\nbreak\r\ttab"), "line&#xA;break&#xD;&#x9;tab")
        XCTAssertEqual(XMLWriter.escape("\u{01}x\u{1F}"), "&#x1;x&#x1F;")
        XCTAssertEqual(XMLWriter.escape("&"), "&amp;")
        XCTAssertEqual(XMLWriter.escape(""), "")
    }

    func testEscapeKeepsMultiByteCharactersAndTheRunsAroundEscapes() {
        XCTAssertEqual(XMLWriter.escape("café & naïve ☃ <😀>"), "café &amp; naïve ☃ &lt;😀&gt;")
        var xml = XMLWriter()
        xml.element("Key", "ünï<cödé>&")
        XCTAssertEqual(xml.text, "<Key>ünï&lt;cödé&gt;&amp;</Key>")
    }

    func testEveryByteEscapesAsTheScalarByScalarDefinition() {
        // The byte-run escaper against the definition, for every ASCII character in context.
        for value in 0..<0x80 {
            let scalar = Unicode.Scalar(UInt8(value))
            let text = "a" + String(Character(scalar)) + "é"
            let expected: String
            switch scalar {
            case "&": expected = "&amp;"
            case "<": expected = "&lt;"
            case ">": expected = "&gt;"
            case "\"": expected = "&quot;"
            case "'": expected = "&apos;"
            case "\n": expected = "&#xA;"
            case "\r": expected = "&#xD;"
            case "\t": expected = "&#x9;"
            default:
                expected = value < 0x20 ? "&#x\(String(value, radix: 16, uppercase: true));" : String(Character(scalar))
            }
            XCTAssertEqual(XMLWriter.escape(text), "a" + expected + "é", "byte \(value)")
        }
    }
}
