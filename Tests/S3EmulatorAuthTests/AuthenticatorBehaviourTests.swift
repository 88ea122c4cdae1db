import Foundation
import S3EmulatorAuth
import S3EmulatorCore
import Synchronization
import XCTest

/// What the server relies on besides the refusals: anonymous requests, the result's fields,
/// the body decoder it builds, and the signer the test harness uses.
final class AuthenticatorBehaviourTests: XCTestCase {
    func testRequestWithoutCredentialsIsAnonymous() throws {
        let head = AuthRequestHead(
            method: "GET", rawPath: "/bucket/key", rawQuery: "versionId=1&prefix=a+b", headers: [("host", "localhost")])
        let result = try Example.authenticator().authenticate(head)
        XCTAssertEqual(result.method, .anonymous)
        XCTAssertNil(result.credential)
        XCTAssertNil(result.method.authType)
        XCTAssertNil(result.method.signatureVersion)
        XCTAssertEqual(result.payload, PayloadMode.none)
        XCTAssertNil(result.signatureAge)
    }

    func testAnonymousRequestCannotCarrySignedChunks() {
        let head = AuthRequestHead(
            method: "PUT", rawPath: "/bucket/key",
            headers: [
                ("host", "localhost"), ("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
                ("x-amz-decoded-content-length", "1"),
            ])
        assertThrows(ExpectedError(.accessDenied, "A signed aws-chunked body needs a signed request.")) {
            () throws(S3Error) in try Example.authenticator().authenticate(head)
        }
    }

    func testAuthMethodConditionValues() {
        XCTAssertEqual(AuthMethod.headerV4.authType, "REST-HEADER")
        XCTAssertEqual(AuthMethod.queryV4.authType, "REST-QUERY-STRING")
        XCTAssertEqual(AuthMethod.headerV2.authType, "REST-HEADER")
        XCTAssertEqual(AuthMethod.queryV2.authType, "REST-QUERY-STRING")
        XCTAssertEqual(AuthMethod.headerV4.signatureVersion, "AWS4-HMAC-SHA256")
        XCTAssertEqual(AuthMethod.queryV4.signatureVersion, "AWS4-HMAC-SHA256")
        XCTAssertEqual(AuthMethod.headerV2.signatureVersion, "AWS")
    }

    func testBodyDecoderTakesDecodedLengthAndTrailerFromTheHead() throws {
        let fixture = BotocoreFixture.sets.botocoreSignatureV4.first { $0.name.hasPrefix("PutObject over HTTPS") }!
        let result = try Example.authenticator().authenticate(fixture.head)
        XCTAssertEqual(result.payload, .streamingUnsignedTrailer)
        var decoder = result.bodyDecoder(for: fixture.head)
        let decoded = try decode(fixture.body, with: &decoder, pieceSize: 1)
        XCTAssertEqual(String(decoding: decoded.data, as: UTF8.self), "hello world")
        XCTAssertEqual(decoded.trailers.map(\.name), ["x-amz-checksum-crc32"])

        var wrongLength = result.bodyDecoder(for: fixture.head.with(header: "x-amz-decoded-content-length", "12"))
        assertThrows(ExpectedError(.incompleteBody, "The request body terminated unexpectedly")) { () throws(S3Error) in
            try decode(fixture.body, with: &wrongLength)
        }
    }

    func testAuthenticatorIsSafeToShareAcrossThreads() {
        let authenticator = Example.authenticator()
        let heads = BotocoreFixture.sets.awscrtSignatureV4.map(\.head)
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for head in heads where (try? authenticator.authenticate(head)) == nil {
                failures.add()
            }
        }
        XCTAssertEqual(failures.value, 0)
    }

    // MARK: - SigV4Signer, as the harness uses it

    static let signer = SigV4Signer(
        accessKeyId: Example.accessKeyId, secretAccessKey: Example.secretAccessKey, region: "us-east-1")

    static let hardPaths = [
        "/bucket/a%20b", "/bucket/a%2Bb", "/bucket/100%25", "/bucket/~tilde", "/bucket/%21%2A%27%28%29",
        "/bucket/%C3%BC/%E4%B8%AD", "/bucket/a//b", "/bucket/../x/../y",
    ]

    func testSignerHeadersAndPresignedURLsVerify() {
        for path in Self.hardPaths {
            let head = AuthRequestHead(
                method: "GET", rawPath: path, rawQuery: "response-content-type=text%2Fplain",
                headers: [("host", "localhost:9000"), ("x-amz-meta-a", "1"), ("user-agent", "harness")])
            let signed = Self.signer.sign(head, payloadHash: SigV4Signer.unsignedPayload, date: Example.date).head
            XCTAssertEqual(try? Example.authenticator().authenticate(signed).method, .headerV4, path)
            let presigned = Self.signer.presign(
                head.with(header: "x-amz-meta-a", nil), expires: 60, date: Example.date)
            XCTAssertEqual(try? Example.authenticator().authenticate(presigned).method, .queryV4, path)
        }
    }

    func testSignerChunkedBodiesVerify() throws {
        let data = [UInt8]((0..<50_000).map { UInt8(truncatingIfNeeded: $0) })
        for mode in [PayloadMode.streamingSigned, .streamingSignedTrailer, .streamingUnsignedTrailer] {
            let payloadHash =
                switch mode {
                case .streamingSigned: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
                case .streamingSignedTrailer: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
                default: "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
                }
            var head = AuthRequestHead(
                method: "PUT", rawPath: "/bucket/key",
                headers: [("host", "localhost:9000"), ("x-amz-decoded-content-length", "50000")])
            if mode.hasTrailer { head = head.with(header: "x-amz-trailer", "x-amz-checksum-crc32") }
            let signed = Self.signer.sign(head, payloadHash: payloadHash, date: Example.date)
            let body = Self.signer.awsChunkedBody(
                data, chunkSize: 16384, mode: mode, seedSignature: signed.signature, date: Example.date,
                trailers: mode.hasTrailer ? [("x-amz-checksum-crc32", "AAAAAA==")] : [])
            let result = try Example.authenticator().authenticate(signed.head)
            XCTAssertEqual(result.payload, mode)
            var decoder = result.bodyDecoder(for: signed.head)
            let decoded = try decode(body, with: &decoder, pieceSize: 1000)
            XCTAssertEqual(decoded.data, data, "\(mode)")
        }
    }
}

/// A count that tasks on several threads add to.
final class Counter: Sendable {
    private let count = Mutex(0)

    func add() {
        count.withLock { $0 += 1 }
    }

    var value: Int { count.withLock { $0 } }
}
