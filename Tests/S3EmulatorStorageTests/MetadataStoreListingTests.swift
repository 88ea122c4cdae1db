import Foundation
import XCTest

@testable import S3EmulatorStorage

final class MetadataStoreListingTests: XCTestCase {
    private let date = Date(timeIntervalSince1970: 1_700_000_000)

    private func makeStore(keys: [String], bucket: String = "bucket") throws -> MetadataStore {
        let store = try MetadataStore(path: nil)
        XCTAssertTrue(try store.createBucket(BucketRecord(name: bucket, creationDate: date, region: "us-east-1")))
        try store.insertObjects(
            keys.enumerated().map { index, key in
                ObjectRecord(bucket: bucket, key: key, size: Int64(index), etag: "etag\(index)", lastModified: date, blobID: "blob\(index)")
            }
        )
        return store
    }

    private func list(
        _ store: MetadataStore,
        prefix: String = "",
        delimiter: String? = nil,
        marker: String? = nil,
        maxKeys: Int = 1000
    ) throws -> ObjectListing {
        try store.listObjects(bucket: "bucket", prefix: prefix, delimiter: delimiter, marker: marker, maxKeys: maxKeys)
    }

    // MARK: Order

    func testKeysAreListedInUTF8BinaryOrder() throws {
        // U+FF5A (EF BD 9A) sorts before U+1F600 (F0 9F 98 80) in UTF-8, after it in UTF-16.
        let expected = ["A", "a", "a b", "a%2F", "a+", "a/", "a/b", "a0", "b", "~", "é", "ｚ", "😀"]
        let store = try makeStore(keys: expected.shuffled())
        XCTAssertEqual(try list(store).objects.map(\.key), expected)
    }

    func testListedRecordsCarryTheirColumns() throws {
        let store = try makeStore(keys: ["only"])
        let listing = try list(store)
        XCTAssertEqual(
            listing.objects,
            [ObjectRecord(bucket: "bucket", key: "only", size: 0, etag: "etag0", lastModified: date, blobID: "blob0")]
        )
        XCTAssertEqual(listing.lastReturned, "only")
        XCTAssertFalse(listing.isTruncated)
    }

    func testListingIsScopedToItsBucket() throws {
        let store = try makeStore(keys: ["a", "b"])
        XCTAssertTrue(try store.createBucket(BucketRecord(name: "bucket2", creationDate: date, region: "us-east-1")))
        try store.insertObjects([ObjectRecord(bucket: "bucket2", key: "c", size: 0, etag: "e", lastModified: date, blobID: "x")])
        XCTAssertEqual(try list(store).objects.map(\.key), ["a", "b"])
        XCTAssertEqual(
            try store.listObjects(bucket: "bucket2", prefix: "", delimiter: nil, marker: nil, maxKeys: 10).objects.map(\.key),
            ["c"]
        )
        XCTAssertEqual(try store.listObjects(bucket: "missing", prefix: "", delimiter: nil, marker: nil, maxKeys: 10), ObjectListing())
    }

    // MARK: Table

    private static let keys = [
        "a", "a/", "a/1", "a/2/x", "a/2/y", "a/3", "a0", "b", "b/c/d", "b/c/e", "c/", "c//d", "d e", "d%20e", "d+e",
        "photos/2023/jan.jpg", "photos/2024/feb.jpg", "photos/2024/mar.jpg", "photos/index.html", "é/1", "é/2", "😀",
    ]

    func testListObjectsTable() throws {
        struct Case {
            let name: String
            var prefix = ""
            var delimiter: String?
            var marker: String?
            var maxKeys = 1000
            let keys: [String]
            var prefixes: [String] = []
            var truncated = false
        }
        let cases: [Case] = [
            Case(name: "everything", keys: Self.keys),
            Case(
                name: "prefix",
                prefix: "photos/2024/",
                keys: ["photos/2024/feb.jpg", "photos/2024/mar.jpg"]
            ),
            Case(name: "prefix matching nothing", prefix: "photos/2025", keys: []),
            Case(name: "prefix equal to a key", prefix: "a/2/x", keys: ["a/2/x"]),
            Case(
                name: "delimiter at the root",
                delimiter: "/",
                keys: ["a", "a0", "b", "d e", "d%20e", "d+e", "😀"],
                prefixes: ["a/", "b/", "c/", "photos/", "é/"]
            ),
            Case(
                name: "delimiter under a prefix",
                prefix: "photos/",
                delimiter: "/",
                keys: ["photos/index.html"],
                prefixes: ["photos/2023/", "photos/2024/"]
            ),
            Case(
                name: "prefix without trailing delimiter",
                prefix: "a",
                delimiter: "/",
                keys: ["a", "a0"],
                prefixes: ["a/"]
            ),
            Case(
                name: "key equal to the prefix is listed as a key",
                prefix: "a/",
                delimiter: "/",
                keys: ["a/", "a/1", "a/3"],
                prefixes: ["a/2/"]
            ),
            Case(
                name: "empty segment makes a common prefix",
                prefix: "c/",
                delimiter: "/",
                keys: ["c/"],
                prefixes: ["c//"]
            ),
            Case(
                name: "multi-character delimiter",
                delimiter: "/2",
                keys: Self.keys.filter { !$0.contains("/2") },
                prefixes: ["a/2", "photos/2", "é/2"]
            ),
            Case(name: "delimiter that never occurs", prefix: "b", delimiter: "#", keys: ["b", "b/c/d", "b/c/e"]),
            Case(name: "marker before everything", marker: "0", keys: Self.keys),
            Case(name: "marker is strict", marker: "d+e", keys: ["photos/2023/jan.jpg", "photos/2024/feb.jpg", "photos/2024/mar.jpg", "photos/index.html", "é/1", "é/2", "😀"]),
            Case(name: "marker after everything", marker: "😀", keys: []),
            Case(name: "marker not a key", prefix: "photos/", marker: "photos/2024/f", keys: ["photos/2024/feb.jpg", "photos/2024/mar.jpg", "photos/index.html"]),
            Case(name: "marker before the prefix", prefix: "b", marker: "a", keys: ["b", "b/c/d", "b/c/e"]),
            Case(name: "marker after the prefix range", prefix: "b", marker: "c", keys: []),
            Case(
                name: "marker equal to a common prefix skips it",
                delimiter: "/",
                marker: "a/",
                keys: ["a0", "b", "d e", "d%20e", "d+e", "😀"],
                prefixes: ["b/", "c/", "photos/", "é/"]
            ),
            Case(
                name: "marker inside a common prefix skips it",
                delimiter: "/",
                marker: "a/2/x",
                keys: ["a0", "b", "d e", "d%20e", "d+e", "😀"],
                prefixes: ["b/", "c/", "photos/", "é/"]
            ),
            Case(
                name: "marker inside a nested common prefix under a prefix",
                prefix: "a/",
                delimiter: "/",
                marker: "a/2/",
                keys: ["a/3"]
            ),
            Case(
                name: "marker just before a common prefix returns it",
                delimiter: "/",
                marker: "a",
                keys: ["a0", "b", "d e", "d%20e", "d+e", "😀"],
                prefixes: ["a/", "b/", "c/", "photos/", "é/"]
            ),
            Case(name: "maxKeys 0 is empty and not truncated", maxKeys: 0, keys: []),
            Case(name: "maxKeys 1", maxKeys: 1, keys: ["a"], truncated: true),
            Case(name: "maxKeys equal to the count", maxKeys: Self.keys.count, keys: Self.keys),
            Case(name: "maxKeys one less than the count", maxKeys: Self.keys.count - 1, keys: Array(Self.keys.dropLast()), truncated: true),
            Case(
                name: "common prefixes count towards maxKeys",
                delimiter: "/",
                maxKeys: 3,
                keys: ["a", "a0"],
                prefixes: ["a/"],
                truncated: true
            ),
            Case(
                name: "page ending on the last common prefix is not truncated",
                prefix: "photos/",
                delimiter: "/",
                marker: "photos/2023/",
                maxKeys: 2,
                keys: ["photos/index.html"],
                prefixes: ["photos/2024/"]
            ),
            Case(
                name: "page ending on a common prefix with more after is truncated",
                prefix: "photos/",
                delimiter: "/",
                maxKeys: 2,
                keys: [],
                prefixes: ["photos/2023/", "photos/2024/"],
                truncated: true
            ),
            Case(name: "unicode prefix", prefix: "é", delimiter: "/", keys: [], prefixes: ["é/"]),
            Case(name: "unicode delimiter", delimiter: "é", keys: Self.keys.filter { !$0.hasPrefix("é") }, prefixes: ["é"]),
        ]
        let store = try makeStore(keys: Self.keys.shuffled())
        for testCase in cases {
            let listing = try list(
                store,
                prefix: testCase.prefix,
                delimiter: testCase.delimiter,
                marker: testCase.marker,
                maxKeys: testCase.maxKeys
            )
            XCTAssertEqual(listing.objects.map(\.key), testCase.keys, testCase.name)
            XCTAssertEqual(listing.commonPrefixes, testCase.prefixes, testCase.name)
            XCTAssertEqual(listing.isTruncated, testCase.truncated, testCase.name)
            let entries = (testCase.keys + testCase.prefixes).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            XCTAssertEqual(listing.lastReturned, entries.last, testCase.name)
        }
    }

    // MARK: Against a model

    /// The listing S3 defines, computed naively: roll every key up, drop duplicates, keep the
    /// entries after the marker, cut at maxKeys.
    private static func modelListing(keys: [[UInt8]], prefix: [UInt8], delimiter: [UInt8], marker: [UInt8]?, maxKeys: Int)
        -> (entries: [(bytes: [UInt8], isPrefix: Bool)], truncated: Bool)
    {
        var entries: [(bytes: [UInt8], isPrefix: Bool)] = []
        for key in keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) where key.starts(with: prefix) {
            var entry = (bytes: key, isPrefix: false)
            if !delimiter.isEmpty, let range = key[prefix.count...].firstRange(of: delimiter) {
                entry = (Array(key[..<range.upperBound]), true)
            }
            if let last = entries.last, last.isPrefix, entry.isPrefix, last.bytes == entry.bytes {
                continue
            }
            entries.append(entry)
        }
        if let marker {
            entries.removeAll { !marker.lexicographicallyPrecedes($0.bytes) }
        }
        guard maxKeys > 0 else {
            return ([], false)
        }
        return (Array(entries.prefix(maxKeys)), entries.count > maxKeys)
    }

    func testListObjectsMatchesTheModelOnRandomKeys() throws {
        var random = SplitMix64(seed: 0x5EED)
        let alphabet = ["a", "b", "/", "-", "é", "😀", "0", "//"]
        func randomString(_ lengths: ClosedRange<Int>) -> String {
            (0..<Int.random(in: lengths, using: &random)).map { _ in alphabet.randomElement(using: &random)! }.joined()
        }
        let keys = Array(Set((0..<400).map { _ in randomString(1...6) }))
        let store = try makeStore(keys: keys)
        let keyBytes = keys.map { Array($0.utf8) }
        for iteration in 0..<1500 {
            let prefix = Bool.random(using: &random) ? "" : randomString(0...2)
            let delimiter = [nil, "/", "é", "a/", "//"].randomElement(using: &random)!
            let marker: String? =
                switch Int.random(in: 0..<4, using: &random) {
                case 0: nil
                case 1: keys.randomElement(using: &random)
                default: randomString(0...4)
                }
            let maxKeys = [0, 1, 2, 3, 5, 1000].randomElement(using: &random)!
            let listing = try list(store, prefix: prefix, delimiter: delimiter, marker: marker, maxKeys: maxKeys)
            let model = Self.modelListing(
                keys: keyBytes,
                prefix: Array(prefix.utf8),
                delimiter: Array((delimiter ?? "").utf8),
                marker: marker.map { Array($0.utf8) },
                maxKeys: maxKeys
            )
            let context = "#\(iteration) prefix=\(prefix) delimiter=\(delimiter ?? "nil") marker=\(marker ?? "nil") maxKeys=\(maxKeys)"
            XCTAssertEqual(listing.objects.map(\.key), model.entries.filter { !$0.isPrefix }.map { String(decoding: $0.bytes, as: UTF8.self) }, context)
            XCTAssertEqual(listing.commonPrefixes, model.entries.filter(\.isPrefix).map { String(decoding: $0.bytes, as: UTF8.self) }, context)
            XCTAssertEqual(listing.isTruncated, model.truncated, context)
            XCTAssertEqual(listing.lastReturned, model.entries.last.map { String(decoding: $0.bytes, as: UTF8.self) }, context)
        }
    }

    func testPagingWithLastReturnedAsMarkerVisitsEveryEntryOnce() throws {
        let store = try makeStore(keys: Self.keys)
        for delimiter in [nil, "/"] {
            let whole = try list(store, delimiter: delimiter)
            for pageSize in 1...5 {
                var objects: [String] = []
                var prefixes: [String] = []
                var marker: String?
                var pages = 0
                while true {
                    let page = try list(store, delimiter: delimiter, marker: marker, maxKeys: pageSize)
                    objects += page.objects.map(\.key)
                    prefixes += page.commonPrefixes
                    pages += 1
                    guard page.isTruncated else { break }
                    marker = page.lastReturned
                    XCTAssertLessThan(pages, 100)
                }
                XCTAssertEqual(objects, whole.objects.map(\.key), "pageSize \(pageSize)")
                XCTAssertEqual(prefixes, whole.commonPrefixes, "pageSize \(pageSize)")
            }
        }
    }

    // MARK: Cost

    func testListingQueriesSearchThePrimaryKey() throws {
        let store = try makeStore(keys: ["a"])
        for inclusive in [true, false] {
            for bounded in [true, false] {
                let plan = try store.read { connection in
                    try connection.withStatement("EXPLAIN QUERY PLAN " + MetadataStore.listingSQL(inclusive: inclusive, bounded: bounded)) {
                        statement in
                        var details: [String] = []
                        while try statement.step() {
                            details.append(statement.string(3))
                        }
                        return details.joined(separator: "; ")
                    }
                }
                XCTAssertTrue(plan.contains("SEARCH objects USING PRIMARY KEY (bucket=? AND key>"), plan)
                XCTAssertFalse(plan.contains("TEMP B-TREE"), plan)
            }
        }
    }

    func testDelimiterListingOfAHugeBucketSeeksPastCommonPrefixes() throws {
        // 200,000 keys: almost all under "logs/", a few others; listing "/" at the root must not
        // read the "logs/" keys.
        let store = try MetadataStore(path: nil)
        XCTAssertTrue(try store.createBucket(BucketRecord(name: "bucket", creationDate: date, region: "us-east-1")))
        var records: [ObjectRecord] = []
        records.reserveCapacity(200_010)
        for index in 0..<200_000 {
            let key = "logs/\(index % 100)/\(index)"
            records.append(ObjectRecord(bucket: "bucket", key: key, size: 1, etag: "e", lastModified: date, blobID: "b"))
        }
        for key in ["index.html", "docs/a", "docs/b/c", "logs.txt", "zzz"] {
            records.append(ObjectRecord(bucket: "bucket", key: key, size: 1, etag: "e", lastModified: date, blobID: "b"))
        }
        try store.insertObjects(records)

        let root = try store.listObjectsWithStatistics(bucket: "bucket", prefix: "", delimiter: "/", marker: nil, maxKeys: 1000)
        XCTAssertEqual(root.listing.objects.map(\.key), ["index.html", "logs.txt", "zzz"])
        XCTAssertEqual(root.listing.commonPrefixes, ["docs/", "logs/"])
        XCTAssertFalse(root.listing.isTruncated)
        XCTAssertLessThanOrEqual(root.statistics.rowsVisited, 10)
        XCTAssertLessThanOrEqual(root.statistics.seeks, 3)

        let logs = try store.listObjectsWithStatistics(bucket: "bucket", prefix: "logs/", delimiter: "/", marker: nil, maxKeys: 1000)
        XCTAssertEqual(logs.listing.commonPrefixes.count, 100)
        XCTAssertEqual(logs.listing.objects, [])
        XCTAssertEqual(logs.listing.commonPrefixes.first, "logs/0/")
        XCTAssertFalse(logs.listing.isTruncated)
        XCTAssertEqual(logs.statistics.seeks, 101)
        XCTAssertEqual(logs.statistics.rowsVisited, 100)

        let page = try store.listObjectsWithStatistics(bucket: "bucket", prefix: "logs/7/", delimiter: "/", marker: "logs/7/1007", maxKeys: 1000)
        XCTAssertEqual(page.listing.objects.count, 1000)
        XCTAssertEqual(page.listing.objects.first?.key, "logs/7/100707")
        XCTAssertTrue(page.listing.isTruncated)
        XCTAssertEqual(page.statistics.rowsVisited, 1001)
        XCTAssertEqual(page.statistics.seeks, 1)
    }
}

/// A small deterministic generator, so a failing random case can be reproduced.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
