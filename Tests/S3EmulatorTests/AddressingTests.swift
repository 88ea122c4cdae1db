import Foundation
import S3Emulator
import S3EmulatorCore
import XCTest

/// Request addressing: path style (`localhost:9000/bucket/key`), virtual-hosted style
/// (`bucket.localhost:9000/key`, `bucket.<domain>`), and keys that must round-trip exactly.
final class AddressingTests: XCTestCase {
    var emulator: S3Emulator!
    var others: [S3Emulator] = []

    override func setUp() async throws {
        emulator = try S3Emulator.makeForTests()
        await emulator.makeBucket("photos")
    }

    override func tearDown() async throws {
        try await emulator?.shutdown()
        emulator = nil
        for other in others { try await other.shutdown() }
        others = []
    }

    // MARK: - RequestAddress

    func testRequestAddressResolvesPathAndVirtualHostedStyles() throws {
        let domains = ["localhost", "s3.example.test"]
        let cases: [(host: String?, path: String, bucket: String?, key: String?, virtual: Bool, line: UInt)] = [
            ("localhost:9000", "/", nil, nil, false, #line),
            ("localhost:9000", "/photos", "photos", nil, false, #line),
            ("localhost:9000", "/photos/", "photos", nil, false, #line),
            ("localhost:9000", "/photos/cat.jpg", "photos", "cat.jpg", false, #line),
            ("localhost:9000", "/photos/2024/05/cat.jpg", "photos", "2024/05/cat.jpg", false, #line),
            ("127.0.0.1:9000", "/photos/cat.jpg", "photos", "cat.jpg", false, #line),
            ("[::1]:9000", "/photos/cat.jpg", "photos", "cat.jpg", false, #line),
            (nil, "/photos/cat.jpg", "photos", "cat.jpg", false, #line),
            ("s3.example.test", "/photos/cat.jpg", "photos", "cat.jpg", false, #line),
            ("unknown.example.org", "/photos/cat.jpg", "photos", "cat.jpg", false, #line),
            ("photos.localhost:9000", "/", "photos", nil, true, #line),
            ("photos.localhost:9000", "/cat.jpg", "photos", "cat.jpg", true, #line),
            ("photos.localhost", "/2024/cat.jpg", "photos", "2024/cat.jpg", true, #line),
            ("Photos.LOCALHOST:9000", "/cat.jpg", "photos", "cat.jpg", true, #line),
            ("my.dotted.bucket.localhost:9000", "/k", "my.dotted.bucket", "k", true, #line),
            ("photos.s3.example.test", "/cat.jpg", "photos", "cat.jpg", true, #line),
            ("photos.s3.example.test:443", "/", "photos", nil, true, #line),
            ("xlocalhost:9000", "/photos/cat.jpg", "photos", "cat.jpg", false, #line),
            (".localhost:9000", "/photos/cat.jpg", "photos", "cat.jpg", false, #line),
            ("localhost.localhost", "/cat.jpg", "localhost", "cat.jpg", true, #line),
            // The virtual-hosted bucket owns the whole path: a leading path segment is part of the key.
            ("photos.localhost:9000", "/photos/cat.jpg", "photos", "photos/cat.jpg", true, #line),
        ]
        for c in cases {
            let address = try RequestAddress.resolve(host: c.host, rawPath: c.path, domains: domains)
            XCTAssertEqual(address.bucket, c.bucket, "\(c.host ?? "-") \(c.path)", line: c.line)
            XCTAssertEqual(address.key, c.key, "\(c.host ?? "-") \(c.path)", line: c.line)
            XCTAssertEqual(address.isVirtualHosted, c.virtual, "\(c.host ?? "-") \(c.path)", line: c.line)
        }
    }

    func testRequestAddressDecodesKeysOnceAndNeverNormalizesThem() throws {
        let cases: [(path: String, key: String, line: UInt)] = [
            ("/photos/a%2Fb", "a/b", #line),
            ("/photos/a//b", "a//b", #line),
            ("/photos//leading", "/leading", #line),
            ("/photos//", "/", #line),
            ("/photos/dir/", "dir/", #line),
            ("/photos/dir//", "dir//", #line),
            ("/photos/../../etc/passwd", "../../etc/passwd", #line),
            ("/photos/a/./b/../c", "a/./b/../c", #line),
            ("/photos/..", "..", #line),
            ("/photos/a+b", "a+b", #line),
            ("/photos/a%2Bb", "a+b", #line),
            ("/photos/my%20cat.jpg", "my cat.jpg", #line),
            ("/photos/100%25", "100%", #line),
            ("/photos/%2541", "%41", #line),
            ("/photos/%E2%9C%93%20caf%C3%A9", "✓ café", #line),
            ("/photos/a%3Fb%23c", "a?b#c", #line),
        ]
        for c in cases {
            let address = try RequestAddress.resolve(host: "localhost:9000", rawPath: c.path, domains: ["localhost"])
            XCTAssertEqual(address.bucket, "photos", c.path, line: c.line)
            XCTAssertEqual(address.key, c.key, c.path, line: c.line)
        }
        let virtual = try RequestAddress.resolve(host: "photos.localhost:9000", rawPath: "/a%2Fb//c/", domains: ["localhost"])
        XCTAssertEqual(virtual.key, "a/b//c/")
    }

    func testRequestAddressWithMalformedPercentEscapeFailsWithInvalidURI() {
        for path in ["/photos/%zz", "/photos/a%2", "/photos/%FF", "/ph%otos/k", "photos/k"] {
            XCTAssertThrowsError(try RequestAddress.resolve(host: "localhost:9000", rawPath: path, domains: ["localhost"]), path) { error in
                XCTAssertEqual((error as? S3Error)?.code.code, "InvalidURI", path)
            }
        }
    }

    func testMalformedPercentEscapeInPathIsAnsweredWithInvalidURI() async {
        let response = await emulator.send("GET", "/photos/%zz")
        assertS3Error(response, status: 400, code: "InvalidURI", message: "Couldn't parse the specified URI.")
    }

    // MARK: - Round trips

    func testSpecialKeysRoundTripExactlyThroughPutGetAndList() async throws {
        let keys = [
            "my cat.jpg", "a+b", "100%", "%41", "unicode/✓ café 日本", "a//b", "//double-leading", "../../etc/passwd",
            "a/./b/../c", "dir/", "trailing//", "?question#hash", "semi;colon,comma=equals&amp", "tab\tkey", "~tilde*star'quote",
        ]
        for (index, key) in keys.enumerated() {
            let put = await emulator.send("PUT", "/photos/\(S3Emulator.encodePath(key))", body: "body \(index)")
            XCTAssertEqual(put.status, 200, "\(key): \(put.text)")
        }
        for (index, key) in keys.enumerated() {
            let get = await emulator.send("GET", "/photos/\(S3Emulator.encodePath(key))")
            XCTAssertEqual(get.status, 200, key)
            let body = try await get.bodyBytes()
            XCTAssertEqual(String(decoding: body, as: UTF8.self), "body \(index)", key)
        }
        let listing = await emulator.send("GET", "/photos", query: "list-type=2").xml()
        XCTAssertEqual(listing?.texts("Contents", "Key"), keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
    }

    func testPlusInPathIsALiteralPlusNotASpace() async throws {
        await emulator.put("photos", "a+b", "plus")
        let raw = await emulator.send("GET", "/photos/a+b")
        XCTAssertEqual(raw.status, 200)
        let encoded = await emulator.send("GET", "/photos/a%2Bb")
        let body = try await encoded.bodyBytes()
        XCTAssertEqual(body, Array("plus".utf8))
        let space = await emulator.send("GET", "/photos/a%20b")
        assertS3Error(space, status: 404, code: "NoSuchKey")
    }

    func testEncodedSlashAndPlainSlashNameTheSameKey() async throws {
        await emulator.put("photos", "dir/file", "x")
        let get = await emulator.send("GET", "/photos/dir%2Ffile")
        XCTAssertEqual(get.status, 200)
    }

    func testTrailingSlashAfterBucketAddressesTheBucket() async {
        let list = await emulator.send("GET", "/photos/", query: "list-type=2")
        XCTAssertEqual(list.status, 200, list.text)
        XCTAssertEqual(list.xml()?.name, "ListBucketResult")
    }

    // MARK: - Virtual-hosted style

    func testVirtualHostedStyleReachesTheSameBucketAsPathStyle() async throws {
        let put = await emulator.send("PUT", "/2024/cat.jpg", host: "photos.localhost:9000", body: "meow")
        XCTAssertEqual(put.status, 200, put.text)
        let get = await emulator.send("GET", "/photos/2024/cat.jpg")
        let body = try await get.bodyBytes()
        XCTAssertEqual(body, Array("meow".utf8))
        let list = await emulator.send("GET", "/", query: "list-type=2", host: "photos.localhost:9000").xml()
        XCTAssertEqual(list?.childText("Name"), "photos")
        XCTAssertEqual(list?.texts("Contents", "Key"), ["2024/cat.jpg"])
        let head = await emulator.send("HEAD", "/", host: "photos.localhost:9000")
        XCTAssertEqual(head.status, 200)
    }

    func testVirtualHostedCreateBucketAndDeleteBucket() async {
        let created = await emulator.send("PUT", "/", host: "videos.localhost:9000")
        XCTAssertEqual(created.status, 200, created.text)
        assertStatus(await emulator.send("HEAD", "/videos"), 200)
        assertStatus(await emulator.send("DELETE", "/", host: "videos.localhost:9000"), 204)
        assertStatus(await emulator.send("HEAD", "/videos"), 404)
    }

    func testVirtualHostedKeysKeepLeadingAndDoubleSlashes() async {
        let put = await emulator.send("PUT", "//a//b/", host: "photos.localhost:9000", body: "x")
        XCTAssertEqual(put.status, 200, put.text)
        let listing = await emulator.send("GET", "/photos", query: "list-type=2").xml()
        XCTAssertEqual(listing?.texts("Contents", "Key"), ["/a//b/"])
    }

    func testVirtualHostedRequestToMissingBucketFailsWithNoSuchBucket() async {
        let response = await emulator.send("GET", "/", query: "list-type=2", host: "nothing-here.localhost:9000")
        let error = assertS3Error(response, status: 404, code: "NoSuchBucket")
        XCTAssertEqual(error?.childText("BucketName"), "nothing-here")
    }

    func testConfiguredDomainServesVirtualHostedRequests() async throws {
        let custom = try S3Emulator.makeForTests(domains: ["s3.example.test"])
        others.append(custom)
        let created = await custom.send("PUT", "/", host: "media.s3.example.test")
        XCTAssertEqual(created.status, 200, created.text)
        let put = await custom.send("PUT", "/clip.mp4", host: "media.s3.example.test:9000", body: "clip")
        XCTAssertEqual(put.status, 200, put.text)
        // The bare domain is the path-style endpoint.
        let get = await custom.send("GET", "/media/clip.mp4", host: "s3.example.test:9000")
        let body = try await get.bodyBytes()
        XCTAssertEqual(body, Array("clip".utf8))
        let buckets = await custom.send("GET", "/", host: "s3.example.test").xml()
        XCTAssertEqual(buckets?.child("Buckets")?.texts("Bucket", "Name"), ["media"])
        // localhost is not one of this server's domains: media.localhost is just a host name, path style.
        let notVirtual = await custom.send("GET", "/media/clip.mp4", host: "media.localhost:9000")
        XCTAssertEqual(notVirtual.status, 200)
    }
}
