import Foundation
import XCTest

@testable import S3EmulatorStorage

final class ObjectMetadataJSONTests: XCTestCase {
    private func decode(_ text: String) throws -> ObjectMetadata {
        try Array(text.utf8).withUnsafeBytes { try ObjectMetadata(jsonBytes: $0) }
    }

    private static let awkwardStrings = [
        "", "plain", "quote\"inside", "back\\slash", "slash/", "new\nline", "tab\t", "nul\u{0}byte", "\u{1F}\u{7F}",
        "é", "😀", "\u{FFFD}", "x-amz-meta-日本語", "</script>", "{\"json\":[1]}", "  spaced  ",
    ]

    private func awkwardMetadata(_ random: inout SplitMix64) -> ObjectMetadata {
        func pick() -> String { Self.awkwardStrings.randomElement(using: &random)! + Self.awkwardStrings.randomElement(using: &random)! }
        func maybe() -> String? { Bool.random(using: &random) ? pick() : nil }
        var map: [String: String] = [:]
        for _ in 0..<Int.random(in: 0...4, using: &random) {
            map[pick()] = pick()
        }
        return ObjectMetadata(
            contentType: maybe(),
            cacheControl: maybe(),
            contentDisposition: maybe(),
            contentEncoding: maybe(),
            contentLanguage: maybe(),
            expires: maybe(),
            userMetadata: map,
            checksums: Bool.random(using: &random) ? ["CRC32": pick(), "SHA256": pick()] : [:],
            checksumType: maybe(),
            storageClass: maybe(),
            acl: maybe(),
            tags: Bool.random(using: &random) ? [pick(): pick()] : [:]
        )
    }

    func testEmptyMetadataIsStoredAsAnEmptyObject() throws {
        XCTAssertEqual(ObjectMetadata().jsonText(), "{}")
        XCTAssertEqual(try decode("{}"), ObjectMetadata())
        XCTAssertEqual(try decode(" { } "), ObjectMetadata())
    }

    func testMetadataJSONIsSortedAndStable() {
        let metadata = ObjectMetadata(contentType: "text/plain", userMetadata: ["b": "2", "a": "1"], storageClass: "GLACIER")
        XCTAssertEqual(metadata.jsonText(), #"{"contentType":"text/plain","storageClass":"GLACIER","userMetadata":{"a":"1","b":"2"}}"#)
    }

    func testACLIsStoredWithTheMetadataAndRowsWithoutItStillRead() throws {
        let metadata = ObjectMetadata(contentType: "text/plain", acl: #"{"grants":[]}"#)
        XCTAssertEqual(metadata.jsonText(), #"{"acl":"{\"grants\":[]}","contentType":"text/plain"}"#)
        XCTAssertEqual(try decode(metadata.jsonText()).acl, #"{"grants":[]}"#)
        // A row written before the field existed.
        XCTAssertNil(try decode(#"{"contentType":"text/plain"}"#).acl)
        XCTAssertThrowsError(try decode(#"{"acl":{"a":"b"}}"#))
    }

    func testTagsAreStoredWithTheMetadataAndRowsWithoutThemStillRead() throws {
        let metadata = ObjectMetadata(contentType: "text/plain", tags: ["project": "blue", "k 2": "v 2"])
        XCTAssertEqual(metadata.jsonText(), #"{"contentType":"text/plain","tags":{"k 2":"v 2","project":"blue"}}"#)
        XCTAssertEqual(try decode(metadata.jsonText()).tags, ["project": "blue", "k 2": "v 2"])
        // A row written before the field existed.
        XCTAssertEqual(try decode(#"{"contentType":"text/plain"}"#).tags, [:])
        XCTAssertThrowsError(try decode(#"{"tags":"project=blue"}"#))
    }

    func testMetadataRoundTripsThroughTheStoredJSON() throws {
        var random = SplitMix64(seed: 42)
        for _ in 0..<500 {
            let metadata = awkwardMetadata(&random)
            XCTAssertEqual(try decode(metadata.jsonText()), metadata, metadata.jsonText())
        }
    }

    func testStoredJSONIsReadByFoundationAndFoundationJSONIsReadBack() throws {
        var random = SplitMix64(seed: 7)
        let encoder = JSONEncoder()
        for _ in 0..<200 {
            let metadata = awkwardMetadata(&random)
            XCTAssertEqual(try JSONDecoder().decode(ObjectMetadata.self, from: Data(metadata.jsonText().utf8)), metadata)
            let foundationText = String(decoding: try encoder.encode(metadata), as: UTF8.self)
            XCTAssertEqual(try decode(foundationText), metadata, foundationText)
        }
    }

    func testReaderAcceptsEveryJSONStringEscapeAndWhitespace() throws {
        let text = """
            {
              "contentType" : "a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\u00E9\\ud83d\\ude00\\ud800x",
              "expires": null,
              "futureMember": "ignored",
              "futureMap": {"k": "v"},
              "userMetadata": { "k\\u0041" : "v" }
            }
            """
        let metadata = try decode(text)
        XCTAssertEqual(metadata.contentType, "a\"b\\c/d\u{8}\u{C}\n\r\té\u{E9}😀\u{FFFD}x")
        XCTAssertNil(metadata.expires)
        XCTAssertEqual(metadata.userMetadata, ["kA": "v"])
    }

    func testReaderRejectsMalformedMetadata() {
        let malformed = [
            "", "{", "[]", "{\"contentType\"}", "{\"contentType\":1}", "{\"contentType\":\"x\"", "{\"contentType\":\"x\",}",
            "{\"userMetadata\":\"x\"}", "{\"userMetadata\":{\"a\":1}}", "{\"contentType\":\"\\q\"}", "{\"contentType\":\"\\u12\"}",
            "{} trailing", "{\"contentType\":nul}",
        ]
        for text in malformed {
            XCTAssertThrowsError(try decode(text), text) { error in
                XCTAssertTrue("\(error)".contains("unreadable object metadata"), "\(text): \(error)")
            }
        }
    }
}
