import Foundation
import S3Emulator
import S3EmulatorCore
import XCTest

/// ListObjectsV2 and ListObjects (version 1) through the whole pipeline: prefix, delimiter,
/// max-keys, continuation tokens, start-after, markers, encoding-type and the errors.
final class ListObjectsTests: XCTestCase {
    /// 2025-06-15T15:06:40Z.
    static let start = Date(timeIntervalSince1970: 1_750_000_000)

    var emulator: S3Emulator!

    override func setUp() async throws {
        emulator = try S3Emulator.makeForTests(clock: ManualClock(Self.start))
        await emulator.makeBucket("photos")
    }

    override func tearDown() async throws {
        try await emulator?.shutdown()
        emulator = nil
    }

    func putKeys(_ keys: [String]) async {
        for key in keys { await emulator.put("photos", key, "x") }
    }

    /// One listing page; fails the test unless it is a 200 `ListBucketResult`.
    func list(_ query: String, file: StaticString = #filePath, line: UInt = #line) async -> XMLNode? {
        let response = await emulator.send("GET", "/photos", query: query)
        XCTAssertEqual(response.status, 200, response.text, file: file, line: line)
        let result = response.xml(file: file, line: line)
        XCTAssertEqual(result?.name, "ListBucketResult", file: file, line: line)
        return result
    }

    /// Every key and common prefix of a V2 listing, following continuation tokens.
    func listAllPages(_ query: String, expectedPages: Int, file: StaticString = #filePath, line: UInt = #line) async -> (keys: [String], prefixes: [String]) {
        var keys: [String] = []
        var prefixes: [String] = []
        var token: String?
        var pages = 0
        repeat {
            let tokenParameter = token.map { "&continuation-token=\(S3Emulator.encodeQuery($0))" } ?? ""
            guard let page = await list("list-type=2&" + query + tokenParameter, file: file, line: line) else { break }
            pages += 1
            XCTAssertEqual(page.childText("ContinuationToken"), token, "the token is echoed", file: file, line: line)
            let pageKeys = page.texts("Contents", "Key")
            let pagePrefixes = page.child("CommonPrefixes") == nil ? [] : page.texts("CommonPrefixes", "Prefix")
            XCTAssertEqual(page.childText("KeyCount"), String(pageKeys.count + pagePrefixes.count), file: file, line: line)
            keys += pageKeys
            prefixes += pagePrefixes
            token = page.childText("NextContinuationToken")
            XCTAssertEqual(page.childText("IsTruncated"), token == nil ? "false" : "true", file: file, line: line)
        } while token != nil && pages < 100
        XCTAssertEqual(pages, expectedPages, "pages", file: file, line: line)
        return (keys, prefixes)
    }

    // MARK: - ListObjectsV2

    func testListObjectsV2AnswersEveryKeyWithItsAttributes() async {
        await emulator.put("photos", "cat.jpg", "meow")
        await emulator.put("photos", "dog.jpg", "woof!")
        guard let result = await list("list-type=2") else { return }
        XCTAssertEqual(result.attributes["xmlns"], "http://s3.amazonaws.com/doc/2006-03-01/")
        XCTAssertEqual(result.childText("Name"), "photos")
        XCTAssertEqual(result.childText("Prefix"), "")
        XCTAssertEqual(result.childText("KeyCount"), "2")
        XCTAssertEqual(result.childText("MaxKeys"), "1000")
        XCTAssertEqual(result.childText("IsTruncated"), "false")
        XCTAssertNil(result.child("NextContinuationToken"))
        XCTAssertNil(result.child("Delimiter"))
        XCTAssertNil(result.child("EncodingType"))
        let contents = result.children(named: "Contents")
        XCTAssertEqual(contents.map { $0.childText("Key") }, ["cat.jpg", "dog.jpg"])
        XCTAssertEqual(contents.map { $0.childText("Size") }, ["4", "5"])
        XCTAssertEqual(contents.first?.childText("ETag"), quotedMD5("meow".utf8))
        XCTAssertEqual(contents.first?.childText("LastModified"), "2025-06-15T15:06:40.000Z")
        XCTAssertEqual(contents.first?.childText("StorageClass"), "STANDARD")
        XCTAssertNil(contents.first?.child("Owner"), "V2 leaves the owner out unless fetch-owner=true")
    }

    func testListObjectsV2WithFetchOwnerAnswersTheOwner() async {
        await putKeys(["a"])
        let result = await list("list-type=2&fetch-owner=true")
        XCTAssertFalse(result?.child("Contents")?.text(at: "Owner/ID")?.isEmpty ?? true)
    }

    func testListObjectsV2OfEmptyBucket() async {
        let result = await list("list-type=2")
        XCTAssertEqual(result?.childText("KeyCount"), "0")
        XCTAssertEqual(result?.childText("IsTruncated"), "false")
        XCTAssertEqual(result?.children(named: "Contents").count, 0)
    }

    func testListObjectsV2SortsKeysInUTF8BinaryOrder() async {
        // é is 0xC3 0xA9 and sorts after every ASCII character; uppercase sorts before lowercase.
        await putKeys(["é", "z", "B", "a", "~", "a/b", "a b", "A"])
        let result = await list("list-type=2")
        XCTAssertEqual(result?.texts("Contents", "Key"), ["A", "B", "a", "a b", "a/b", "z", "~", "é"])
    }

    func testListObjectsV2WithPrefixListsOnlyMatchingKeys() async {
        await putKeys(["photos/2023/a.jpg", "photos/2024/b.jpg", "photos2/c.jpg", "videos/d.mp4"])
        let result = await list("list-type=2&prefix=photos%2F")
        XCTAssertEqual(result?.childText("Prefix"), "photos/")
        XCTAssertEqual(result?.texts("Contents", "Key"), ["photos/2023/a.jpg", "photos/2024/b.jpg"])
        XCTAssertEqual(result?.childText("KeyCount"), "2")
        let none = await list("list-type=2&prefix=zzz")
        XCTAssertEqual(none?.childText("KeyCount"), "0")
    }

    func testListObjectsV2WithDelimiterRollsKeysUpIntoCommonPrefixes() async {
        await putKeys(["top.txt", "photos/2023/a.jpg", "photos/2024/b.jpg", "photos/c.jpg", "videos/d.mp4"])
        let root = await list("list-type=2&delimiter=%2F")
        XCTAssertEqual(root?.childText("Delimiter"), "/")
        XCTAssertEqual(root?.texts("Contents", "Key"), ["top.txt"])
        XCTAssertEqual(root?.texts("CommonPrefixes", "Prefix"), ["photos/", "videos/"])
        XCTAssertEqual(root?.childText("KeyCount"), "3", "KeyCount counts the common prefixes too")
        let photos = await list("list-type=2&delimiter=%2F&prefix=photos%2F")
        XCTAssertEqual(photos?.texts("Contents", "Key"), ["photos/c.jpg"])
        XCTAssertEqual(photos?.texts("CommonPrefixes", "Prefix"), ["photos/2023/", "photos/2024/"])
    }

    func testListObjectsV2WithPrefixNotEndingInTheDelimiter() async {
        await putKeys(["photos/a.jpg", "photos2/b.jpg", "photos.txt", "videos/c.mp4"])
        let result = await list("list-type=2&prefix=photos&delimiter=%2F")
        XCTAssertEqual(result?.texts("Contents", "Key"), ["photos.txt"])
        XCTAssertEqual(result?.texts("CommonPrefixes", "Prefix"), ["photos/", "photos2/"])
    }

    func testListObjectsV2WithMultiCharacterDelimiter() async {
        await putKeys(["a--b--c", "a--d", "e"])
        let result = await list("list-type=2&delimiter=--")
        XCTAssertEqual(result?.texts("Contents", "Key"), ["e"])
        XCTAssertEqual(result?.texts("CommonPrefixes", "Prefix"), ["a--"])
    }

    func testListObjectsV2PagesWithContinuationTokensAcrossEveryKey() async {
        let keys = (0..<25).map { String(format: "key-%03d", $0) }
        await putKeys(keys.shuffled())
        let listed = await listAllPages("max-keys=10", expectedPages: 3)
        XCTAssertEqual(listed.keys, keys)
    }

    func testListObjectsV2PagesThroughCommonPrefixesWithoutRepeatingThem() async {
        var keys: [String] = []
        for folder in 0..<5 { for file in 0..<3 { keys.append("dir-\(folder)/file-\(file)") } }
        keys += ["loose-1", "loose-2"]
        await putKeys(keys)
        let listed = await listAllPages("delimiter=%2F&max-keys=2", expectedPages: 4)
        XCTAssertEqual(listed.prefixes, ["dir-0/", "dir-1/", "dir-2/", "dir-3/", "dir-4/"])
        XCTAssertEqual(listed.keys, ["loose-1", "loose-2"])
    }

    func testListObjectsV2WithMaxKeysAnswersIsTruncated() async {
        await putKeys(["a", "b", "c"])
        let page = await list("list-type=2&max-keys=2")
        XCTAssertEqual(page?.texts("Contents", "Key"), ["a", "b"])
        XCTAssertEqual(page?.childText("MaxKeys"), "2")
        XCTAssertEqual(page?.childText("KeyCount"), "2")
        XCTAssertEqual(page?.childText("IsTruncated"), "true")
        XCTAssertNotNil(page?.childText("NextContinuationToken"))
        let exact = await list("list-type=2&max-keys=3")
        XCTAssertEqual(exact?.childText("IsTruncated"), "false")
        XCTAssertNil(exact?.child("NextContinuationToken"))
    }

    func testListObjectsV2WithMaxKeysZeroAnswersNoKeys() async {
        await putKeys(["a"])
        let page = await list("list-type=2&max-keys=0")
        XCTAssertEqual(page?.childText("KeyCount"), "0")
        XCTAssertEqual(page?.children(named: "Contents").count, 0)
    }

    func testListObjectsV2AnswersAtMost1000KeysAPage() async {
        await putKeys((0..<1001).map { String(format: "k%04d", $0) })
        for query in ["list-type=2", "list-type=2&max-keys=5000"] {
            let page = await list(query)
            XCTAssertEqual(page?.children(named: "Contents").count, 1000, query)
            XCTAssertEqual(page?.childText("IsTruncated"), "true", query)
            XCTAssertEqual(page?.children(named: "Contents").last?.childText("Key"), "k0999", query)
        }
    }

    func testListObjectsV2WithStartAfterListsKeysAfterIt() async {
        await putKeys(["a", "b", "c", "d"])
        let result = await list("list-type=2&start-after=b")
        XCTAssertEqual(result?.childText("StartAfter"), "b")
        XCTAssertEqual(result?.texts("Contents", "Key"), ["c", "d"])
        let between = await list("list-type=2&start-after=bb")
        XCTAssertEqual(between?.texts("Contents", "Key"), ["c", "d"], "start-after need not be a key")
    }

    func testListObjectsV2ContinuationTokenTakesPrecedenceOverStartAfter() async {
        await putKeys(["a", "b", "c", "d"])
        guard let first = await list("list-type=2&max-keys=2"), let token = first.childText("NextContinuationToken") else {
            return XCTFail("a truncated page has a NextContinuationToken")
        }
        let second = await list("list-type=2&start-after=a&continuation-token=\(S3Emulator.encodeQuery(token))")
        XCTAssertEqual(second?.texts("Contents", "Key"), ["c", "d"])
        XCTAssertEqual(second?.childText("StartAfter"), "a")
    }

    func testListObjectsV2WithEncodingTypeURLEncodesKeysAndPrefixes() async {
        await putKeys(["a+b.txt", "100%.csv", "한글/x.txt", "run/x.txt"])
        let result = await list("list-type=2&encoding-type=url")
        XCTAssertEqual(result?.childText("EncodingType"), "url")
        XCTAssertEqual(result?.texts("Contents", "Key"), ["100%25.csv", "a%2Bb.txt", "run/x.txt", "%ED%95%9C%EA%B8%80/x.txt"])
        let folders = await list("list-type=2&encoding-type=url&delimiter=%2F")
        XCTAssertEqual(folders?.texts("CommonPrefixes", "Prefix"), ["run/", "%ED%95%9C%EA%B8%80/"])
        let prefixed = await list("list-type=2&encoding-type=url&prefix=%ED%95%9C")
        XCTAssertEqual(prefixed?.childText("Prefix"), "%ED%95%9C")
        XCTAssertEqual(prefixed?.texts("Contents", "Key"), ["%ED%95%9C%EA%B8%80/x.txt"])
    }

    func testListObjectsV2WithEncodingTypeURLEncodesCharactersXMLCannotCarry() async {
        await putKeys(["a\u{01}b", "line\nbreak"])
        let result = await list("list-type=2&encoding-type=url")
        XCTAssertEqual(result?.texts("Contents", "Key"), ["a%01b", "line%0Abreak"])
    }

    func testListObjectsV2WithoutEncodingTypeAnswersKeysAsTheyAre() async {
        await putKeys(["a+b & <c>.txt"])
        let result = await list("list-type=2")
        XCTAssertEqual(result?.texts("Contents", "Key"), ["a+b & <c>.txt"])
    }

    func testListObjectsWithUnknownEncodingTypeFailsWithInvalidArgument() async {
        let response = await emulator.send("GET", "/photos", query: "list-type=2&encoding-type=base64")
        let error = assertS3Error(response, status: 400, code: "InvalidArgument", message: "Invalid Encoding Method specified in Request")
        XCTAssertEqual(error?.childText("ArgumentName"), "encoding-type")
        XCTAssertEqual(error?.childText("ArgumentValue"), "base64")
    }

    func testListObjectsWithInvalidMaxKeysFailsWithInvalidArgument() async {
        for version in ["list-type=2&", ""] {
            for value in ["abc", "-1", "1.5", "99999999999999999999"] {
                let response = await emulator.send("GET", "/photos", query: "\(version)max-keys=\(value)")
                let error = assertS3Error(response, status: 400, code: "InvalidArgument",
                                          message: "Provided max-keys not an integer or within integer range")
                XCTAssertEqual(error?.childText("ArgumentName"), "max-keys")
                XCTAssertEqual(error?.childText("ArgumentValue"), value)
            }
        }
    }

    func testListObjectsV2WithInvalidContinuationTokenFailsWithInvalidArgument() async {
        for token in ["", "not-base64!"] {
            let response = await emulator.send("GET", "/photos", query: "list-type=2&continuation-token=\(token)")
            let error = assertS3Error(response, status: 400, code: "InvalidArgument", message: "The continuation token provided is incorrect")
            XCTAssertEqual(error?.childText("ArgumentName"), "continuation-token")
        }
    }

    func testListObjectsOfMissingBucketFailsWithNoSuchBucket() async {
        for query in ["list-type=2", ""] {
            let response = await emulator.send("GET", "/no-such-bucket", query: query.isEmpty ? nil : query)
            let error = assertS3Error(response, status: 404, code: "NoSuchBucket")
            XCTAssertEqual(error?.childText("BucketName"), "no-such-bucket")
        }
    }

    // MARK: - ListObjects (version 1)

    func testListObjectsV1AnswersMarkerAndOwner() async {
        await putKeys(["a", "b"])
        guard let result = await list("") else { return }
        XCTAssertEqual(result.childText("Name"), "photos")
        XCTAssertEqual(result.childText("Marker"), "")
        XCTAssertEqual(result.childText("MaxKeys"), "1000")
        XCTAssertEqual(result.childText("IsTruncated"), "false")
        XCTAssertNil(result.child("KeyCount"), "KeyCount is a V2 element")
        XCTAssertNil(result.child("NextMarker"))
        XCTAssertEqual(result.texts("Contents", "Key"), ["a", "b"])
        XCTAssertFalse(result.child("Contents")?.text(at: "Owner/ID")?.isEmpty ?? true, "V1 always answers the owner")
    }

    func testListObjectsV1PagesWithMarker() async {
        await putKeys(["a", "b", "c", "d", "e"])
        let first = await list("max-keys=2")
        XCTAssertEqual(first?.texts("Contents", "Key"), ["a", "b"])
        XCTAssertEqual(first?.childText("IsTruncated"), "true")
        XCTAssertNil(first?.child("NextMarker"), "without a delimiter the next marker is the last key")
        let second = await list("max-keys=2&marker=b")
        XCTAssertEqual(second?.childText("Marker"), "b")
        XCTAssertEqual(second?.texts("Contents", "Key"), ["c", "d"])
        let last = await list("max-keys=2&marker=d")
        XCTAssertEqual(last?.texts("Contents", "Key"), ["e"])
        XCTAssertEqual(last?.childText("IsTruncated"), "false")
    }

    func testListObjectsV1WithDelimiterAnswersNextMarkerWhenTruncated() async {
        await putKeys(["a/1", "a/2", "b", "c/1", "d"])
        let first = await list("delimiter=%2F&max-keys=2")
        XCTAssertEqual(first?.texts("CommonPrefixes", "Prefix"), ["a/"])
        XCTAssertEqual(first?.texts("Contents", "Key"), ["b"])
        XCTAssertEqual(first?.childText("IsTruncated"), "true")
        XCTAssertEqual(first?.childText("NextMarker"), "b")
        let second = await list("delimiter=%2F&max-keys=2&marker=b")
        XCTAssertEqual(second?.texts("CommonPrefixes", "Prefix"), ["c/"])
        XCTAssertEqual(second?.texts("Contents", "Key"), ["d"])
        XCTAssertEqual(second?.childText("IsTruncated"), "false")
        XCTAssertNil(second?.child("NextMarker"))
    }

    func testListObjectsV1MarkerAfterACommonPrefixSkipsIt() async {
        await putKeys(["a/1", "a/2", "b"])
        let result = await list("delimiter=%2F&marker=a%2F")
        XCTAssertNil(result?.child("CommonPrefixes"), "a marker equal to a common prefix (a NextMarker) skips every key under it")
        XCTAssertEqual(result?.texts("Contents", "Key"), ["b"])
    }

    func testListObjectsV1WithEncodingTypeURLEncodesMarkerAndKeys() async {
        await putKeys(["a+1", "a+2", "한"])
        let result = await list("encoding-type=url&marker=a%2B1")
        XCTAssertEqual(result?.childText("Marker"), "a%2B1")
        XCTAssertEqual(result?.texts("Contents", "Key"), ["a%2B2", "%ED%95%9C"])
        let page = await list("encoding-type=url&delimiter=%2F&max-keys=1")
        XCTAssertEqual(page?.childText("NextMarker"), "a%2B1")
    }
}
