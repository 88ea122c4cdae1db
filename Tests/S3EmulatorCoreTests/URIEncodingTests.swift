import S3EmulatorCore
import XCTest

final class URIEncodingTests: XCTestCase {
    func testPercentDecode() {
        let cases: [(String, String?)] = [
            ("", ""), ("plain", "plain"), ("a%20b", "a b"), ("a+b", "a+b"), ("%2B", "+"), ("%2b", "+"), ("%2f", "/"),
            ("%2F%2F", "//"), ("%E2%82%AC", "€"), ("%e2%82%ac", "€"), ("%F0%9F%98%80", "😀"), ("100%25", "100%"),
            ("%7E", "~"), ("~", "~"), ("日本", "日本"), ("%00", "\u{0}"),
            ("%", nil), ("%2", nil), ("a%", nil), ("%zz", nil), ("%2g", nil), ("%%20", nil), ("%C3%28", nil),
            ("%FF", nil), ("%C0%AF", nil), ("%ED%A0%80", nil), ("%E2%82", nil), ("%E2%82%", nil),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(URIEncoding.percentDecode(input[...]), expected, input)
        }
    }

    func testFormDecodeTurnsPlusIntoSpace() {
        let cases: [(String, String?)] = [
            ("a+b", "a b"), ("a%2Bb", "a+b"), ("+++", "   "), ("a+b%20c", "a b c"), ("%", nil), ("x", "x"),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(URIEncoding.formDecode(input[...]), expected, input)
        }
    }

    func testPercentDecodeOfASubstringUsesOnlyThatSlice() {
        let whole = "key=a%20b&other=%zz"
        guard let ampersand = whole.firstIndex(of: "&") else { return XCTFail("no &") }
        let value = whole[whole.index(whole.startIndex, offsetBy: 4)..<ampersand]
        XCTAssertEqual(URIEncoding.percentDecode(value), "a b")
    }

    func testSigV4UriEncodeOfHardKeys() {
        let cases: [(String, Bool, String)] = [
            ("photos/my cat.jpg", false, "photos/my%20cat.jpg"),
            ("photos/my cat.jpg", true, "photos%2Fmy%20cat.jpg"),
            ("a+b", false, "a%2Bb"),
            ("100%", false, "100%25"),
            ("AZaz09-._~", true, "AZaz09-._~"),
            ("!*'()", false, "%21%2A%27%28%29"),
            ("日本", false, "%E6%97%A5%E6%9C%AC"),
            ("€", true, "%E2%82%AC"),
            ("😀", true, "%F0%9F%98%80"),
            ("//a//", false, "//a//"),
            ("//a//", true, "%2F%2Fa%2F%2F"),
            ("a=b&c", true, "a%3Db%26c"),
            ("tab\tnl\n", true, "tab%09nl%0A"),
            ("", true, ""),
            ("$@:;,?#[] ", false, "%24%40%3A%3B%2C%3F%23%5B%5D%20"),
        ]
        for (input, encodeSlash, expected) in cases {
            XCTAssertEqual(URIEncoding.encode(input, encodeSlash: encodeSlash), expected, input)
        }
    }

    func testEncodeThenDecodeRoundTrips() {
        let keys = ["a b+c%d~e!f*g'h(i)j", "日本語/ファイル.txt", "//double//slash", "😀 emoji", "\u{7F}\u{1}", "é"]
        for key in keys {
            XCTAssertEqual(URIEncoding.percentDecode(URIEncoding.encode(key, encodeSlash: true)[...]), key)
            XCTAssertEqual(URIEncoding.percentDecode(URIEncoding.encode(key, encodeSlash: false)[...]), key)
            XCTAssertEqual(URIEncoding.formDecode(URIEncoding.encode(key, encodeSlash: true)[...]), key)
        }
    }

    func testParseQuery() throws {
        let uploads = try XCTUnwrap(URIEncoding.parseQuery("uploads"))
        XCTAssertEqual(uploads.count, 1)
        XCTAssertEqual(uploads[0].name, "uploads")
        XCTAssertNil(uploads[0].value)

        let list = try XCTUnwrap(URIEncoding.parseQuery("list-type=2&prefix=a%2Fb+c&delimiter=%2F&acl="))
        XCTAssertEqual(list.map(\.name), ["list-type", "prefix", "delimiter", "acl"])
        XCTAssertEqual(list.map(\.value), ["2", "a/b c", "/", ""])

        let duplicates = try XCTUnwrap(URIEncoding.parseQuery("a=1&&b=2&a=3&"))
        XCTAssertEqual(duplicates.map(\.name), ["a", "b", "a"])
        XCTAssertEqual(duplicates.map(\.value), ["1", "2", "3"])

        let equalsInValue = try XCTUnwrap(URIEncoding.parseQuery("=v&a=b=c&versionId=null&uploads"))
        XCTAssertEqual(equalsInValue.map(\.name), ["", "a", "versionId", "uploads"])
        XCTAssertEqual(equalsInValue.map(\.value), ["v", "b=c", "null", nil])

        XCTAssertEqual(URIEncoding.parseQuery("")?.count, 0)
        XCTAssertNil(URIEncoding.parseQuery("x=%zz"))
        XCTAssertNil(URIEncoding.parseQuery("%zz"))
        XCTAssertNil(URIEncoding.parseQuery("ok=1&bad%=2"))
        XCTAssertNil(URIEncoding.parseQuery("k=%FF"))
    }

    func testQueryPartsAsByteRangesMatchTheSubstringParts() {
        let queries = ["", "a", "a=1&&b=2&a=3&", "=v&a=b=c&uploads", "&&&", "x=%zz&ü=日本", "k=1&k-x=2&k.y=3"]
        for query in queries {
            var substrings: [String] = []
            URIEncoding.forEachQueryPart(query) { name, value in
                substrings.append("\(name)|\(value ?? "<nil>")")
                return true
            }
            let bytes = Array(query.utf8)
            var ranges: [String] = []
            bytes.withUnsafeBufferPointer { buffer in
                URIEncoding.forEachQueryPart(in: buffer) { name, value in
                    let text = { (range: Range<Int>) in String(decoding: buffer[range], as: UTF8.self) }
                    ranges.append("\(text(name))|\(value.map(text) ?? "<nil>")")
                    return true
                }
            }
            XCTAssertEqual(ranges, substrings, query)
        }
    }

    func testQueryPartsStopWhenTheBodySaysSo() {
        var seen: [Substring] = []
        URIEncoding.forEachQueryPart("a=1&b=2&c=3") { name, _ in
            seen.append(name)
            return name != "b"
        }
        XCTAssertEqual(seen, ["a", "b"])
    }

    func testDecodingBytesValidatesTheResult() {
        let cases: [(String, Bool, String?)] = [
            ("plain", true, "plain"), ("a+b", true, "a b"), ("a+b", false, "a+b"), ("%E2%82%AC", false, "€"),
            ("%C3%28", false, nil), ("%", false, nil), ("%4", true, nil), ("日本", false, "日本"),
        ]
        for (input, plusIsSpace, expected) in cases {
            let decoded = Array(input.utf8).withUnsafeBufferPointer { URIEncoding.decode($0, plusIsSpace: plusIsSpace) }
            XCTAssertEqual(decoded, expected, input)
        }
        let invalidUTF8: [UInt8] = [0x61, 0xFF]
        XCTAssertNil(invalidUTF8.withUnsafeBufferPointer { URIEncoding.decode($0, plusIsSpace: false) })
    }

    func testDecodesAgreesWithDecode() {
        let cases = [
            "plain", "a+b", "%2F", "AKID%2F20261207%2Fus-east-1%2Fs3%2Faws4_request", "%E2%82%AC", "%e2%82%ac",
            "%C3%28", "%C3", "x%80y", "%", "%4", "%4G", "a%2", "%%41", "日本", "日%2F本", "",
        ]
        for input in cases {
            let (decodes, decoded) = Array(input.utf8).withUnsafeBufferPointer { bytes in
                (URIEncoding.decodes(validUTF8: bytes), URIEncoding.decode(bytes, plusIsSpace: true))
            }
            XCTAssertEqual(decodes, decoded != nil, input)
        }
    }
}
