import Foundation
import S3EmulatorFuzzing
import XCTest

/// The `request-headers` target reaches the readers it names: valid headers are accepted, and a
/// value each reader refuses makes the whole input refused.
final class RequestHeadersTargetTests: XCTestCase {
    func outcome(_ headers: [String], body: String = "") -> FuzzOutcome {
        let bytes = Array((headers.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8)
        return bytes.withUnsafeBytes { FuzzTarget.requestHeaders.run($0) }
    }

    func testSeedsOfEachReaderAreAccepted() throws {
        for name in ["grant-headers", "canned-acl", "crc32-empty-body", "md5-and-sha256", "trailer-declared", "user-metadata", "continuation-token"] {
            let file = FuzzCorpusReplayTests.fuzzDirectory.appendingPathComponent("Corpus/request-headers/\(name)")
            let bytes = try Data(contentsOf: file)
            XCTAssertEqual(bytes.withUnsafeBytes { FuzzTarget.requestHeaders.run($0) }, .accepted, name)
        }
    }

    func testEachReaderCanRefuse() {
        // x-amz-grant-*: an unknown grantee type.
        XCTAssertEqual(outcome(["x-amz-grant-read: nickname=\"alice\""]), .refused)
        // x-amz-checksum-*: a CRC32 of the wrong length; two algorithms; a checksum the body does not have.
        XCTAssertEqual(outcome(["x-amz-checksum-crc32: AAAA"]), .refused)
        XCTAssertEqual(outcome(["x-amz-checksum-crc32: AAAAAA==", "x-amz-checksum-sha1: 2jmj7l5rSw0yVb/vlWAYkK/YBwk="]), .refused)
        XCTAssertEqual(outcome(["x-amz-checksum-crc32: AAAAAA=="], body: "not empty"), .refused)
        // Content-MD5 that is not 16 bytes.
        XCTAssertEqual(outcome(["Content-MD5: AAAA"]), .refused)
        // x-amz-meta-*: over 2 KiB of names and values.
        XCTAssertEqual(outcome(["x-amz-meta-big: " + String(repeating: "v", count: 2048)]), .refused)
        XCTAssertEqual(outcome(["x-amz-meta-big: " + String(repeating: "v", count: 2045)]), .accepted)
    }
}
