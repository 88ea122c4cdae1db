import S3Emulator
import XCTest

/// A bucket policy is at most 20 KB, measured without the whitespace between its JSON tokens:
/// past that PutBucketPolicy answers PolicyTooLarge; a pretty-printed policy is not penalized
/// for its indentation, but whitespace inside a string counts.
final class BucketPolicySizeTests: XCTestCase {
    var emulator: S3Emulator!

    override func setUp() async throws {
        emulator = try S3Emulator.makeForTests()
        await emulator.makeBucket("sized")
    }

    override func tearDown() async throws {
        try await emulator?.shutdown()
        emulator = nil
    }

    /// A valid policy for the account's own root whose `Sid` is padded to make the whole
    /// document exactly `size` bytes when written compactly.
    func compactPolicy(size: Int) -> String {
        func policy(_ sid: String) -> String {
            #"{"Version":"2012-10-17","Statement":[{"Sid":"\#(sid)","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::sized/*"}]}"#
        }
        let base = policy("").utf8.count
        return policy(String(repeating: "A", count: size - base))
    }

    func put(_ policy: String) async -> S3Response {
        await emulator.send("PUT", "/sized", query: "policy", body: TestBody(policy))
    }

    func testPutBucketPolicyOfExactly20KBIsAccepted() async {
        let policy = compactPolicy(size: 20 * 1024)
        XCTAssertEqual(policy.utf8.count, 20480)
        assertStatus(await put(policy), 204)
    }

    func testPutBucketPolicyOneByteOver20KBIsPolicyTooLarge() async {
        assertS3Error(
            await put(compactPolicy(size: 20 * 1024 + 1)), status: 400, code: "PolicyTooLarge",
            message: "Policy exceeds the maximum allowed document size.")
    }

    func testWhitespaceBetweenTokensDoesNotCount() async {
        let compact = compactPolicy(size: 20 * 1024)
        var pretty = ""
        for character in compact {
            pretty.append(character)
            if character == "," || character == "{" || character == "[" { pretty += "\n        " }
        }
        XCTAssertGreaterThan(pretty.utf8.count, 20 * 1024)
        assertStatus(await put(pretty), 204)
    }

    func testWhitespaceInsideAStringCountsEvenAfterAnEscapedQuote() async {
        let padding = String(repeating: " ", count: 21 * 1024)
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::sized/*","Condition":{"StringEquals":{"aws:UserAgent":"quote \"\#(padding)"}}}]}"#
        assertS3Error(await put(policy), status: 400, code: "PolicyTooLarge")
    }

    func testABodyPast1MiBIsPolicyTooLargeWithoutBeingRead() async {
        let policy = "{" + String(repeating: " ", count: 1 << 20) + "}"
        assertS3Error(await put(policy), status: 400, code: "PolicyTooLarge")
    }
}
