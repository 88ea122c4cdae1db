import Foundation
@testable import S3EmulatorAuth
import S3EmulatorCore
import XCTest

/// The presigned-URL fast path accepts exactly what the general path accepts, with the same
/// result, and leaves every other request (every refusal included) to the general path.
final class PresignedFastPathTests: XCTestCase {
    private let signedAt = Date(timeIntervalSince1970: 1_700_000_000)
    private let host = "127.0.0.1:9000"

    private func authenticator(clock: ManualClock) -> SigV4Authenticator {
        SigV4Authenticator(
            region: "us-east-1",
            credentials: StaticCredentialStore([
                Credential(accessKeyId: "test", secretAccessKey: "test", principal: "root"),
                Credential(accessKeyId: "AKIAEXAMPLE000000001", secretAccessKey: "user-secret", principal: "user/app"),
            ]),
            clock: clock
        )
    }

    private func presign(
        _ method: String = "GET", path: String = "/bucket/key", query: String? = nil, headers: [(String, String)] = [],
        key: String = "test", secret: String = "test", region: String = "us-east-1", expires: Int = 3600,
        signedHeaders: [String] = ["host"]
    ) -> AuthRequestHead {
        let signer = SigV4Signer(accessKeyId: key, secretAccessKey: secret, region: region)
        let head = AuthRequestHead(method: method, rawPath: path, rawQuery: query, headers: [("host", host)] + headers)
        return signer.presign(head, expires: expires, date: signedAt, signedHeaders: signedHeaders)
    }

    /// The valid presigned URLs of this test: the fast path must take each of them.
    private var valid: [(name: String, head: AuthRequestHead)] {
        [
            ("GET", presign()),
            ("PUT", presign("PUT", path: "/bucket/upload.bin")),
            ("HEAD of an odd key", presign("HEAD", path: "/bucket/a%20b/%E2%82%AC/c+d/~x")),
            ("with response overrides", presign(query: "response-content-type=text%2Fplain&response-content-disposition=attachment%3B%20filename%3D%22a%20b%22")),
            ("of a version", presign(query: "versionId=3HL4kqtJlcpXroDTDmJ%2BrmSpXd3dIbrHY")),
            ("a user's key", presign(key: "AKIAEXAMPLE000000001", secret: "user-secret")),
            ("a week", presign(expires: 604_800)),
            ("signing a header", presign(headers: [("x-amz-meta-a", "1")], signedHeaders: ["host", "x-amz-meta-a"])),
        ]
    }

    func testEveryUsualPresignedURLTakesTheFastPathWithTheGeneralResult() throws {
        let clock = ManualClock(signedAt.addingTimeInterval(60))
        let authenticator = authenticator(clock: clock)
        for (name, head) in valid {
            let fast = try XCTUnwrap(authenticator.authenticatePresignedURL(head, now: clock.now()), name)
            let general = try authenticator.authenticate(head, tryingPresignedFastPath: false)
            assertSameResult(fast, general, name)
        }
    }

    /// Each change of a valid URL: when the fast path answers, the general path answers the
    /// same; every refusal is the general path's.
    func testTheFastPathNeverAnswersOtherwiseThanTheGeneralPath() throws {
        let clock = ManualClock(signedAt.addingTimeInterval(60))
        let authenticator = authenticator(clock: clock)
        var heads: [(String, AuthRequestHead)] = []
        for (name, head) in valid {
            let query = head.rawQuery ?? ""
            func replacing(_ target: String, _ replacement: String) -> AuthRequestHead {
                head.with(rawQuery: query.replacingOccurrences(of: target, with: replacement))
            }
            heads += [
                ("\(name): signature changed", replacing("X-Amz-Signature=", "X-Amz-Signature=0")),
                ("\(name): signature in uppercase", head.with(rawQuery: Self.uppercasingSignature(query))),
                ("\(name): names in another case", replacing("X-Amz-", "x-AMZ-")),
                ("\(name): an encoded name", replacing("X-Amz-Date=", "X-Amz-%44ate=")),
                ("\(name): a parameter twice", head.with(rawQuery: query + "&X-Amz-Expires=60")),
                ("\(name): a security token", head.with(rawQuery: query + "&X-Amz-Security-Token=abc")),
                ("\(name): a token header", head.with(header: "x-amz-security-token", "abc")),
                ("\(name): a payload hash", head.with(rawQuery: query + "&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD")),
                ("\(name): Signature Version 2 too", head.with(rawQuery: query + "&Signature=abc")),
                ("\(name): an Authorization header", head.with(header: "authorization", "AWS test:abc")),
                ("\(name): an unsigned x-amz header", head.with(header: "x-amz-meta-unsigned", "1")),
                ("\(name): another algorithm", replacing("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512")),
                ("\(name): a lowercase slash escape", replacing("%2F", "%2f")),
                ("\(name): another region", replacing("us-east-1", "eu-west-1")),
                ("\(name): another service", replacing("%2Fs3%2F", "%2Fs4%2F")),
                ("\(name): a scope of six parts", replacing("%2Faws4_request", "%2Faws4_request%2Fx")),
                ("\(name): a scope of four parts", replacing("%2Fs3%2F", "%2F")),
                ("\(name): a scope ending in a slash", replacing("%2Faws4_request", "%2Faws4_request%2F")),
                ("\(name): no access key", head.with(rawQuery: query.replacingOccurrences(of: #"X-Amz-Credential=[^%]*%2F"#, with: "X-Amz-Credential=%2F", options: .regularExpression))),
                ("\(name): another host", head.with(header: "host", "example.com")),
                ("\(name): no expiry", head.with(rawQuery: query.replacingOccurrences(of: #"X-Amz-Expires=\d+"#, with: "X-Amz-Expires=0", options: .regularExpression))),
                ("\(name): a plus in a value", replacing("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=host+")),
                ("\(name): signed headers in uppercase", replacing("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=HOST")),
                ("\(name): a method changed", Self.with(head, method: head.method == "GET" ? "DELETE" : "GET")),
                ("\(name): a path changed", head.with(rawPath: head.rawPath + "x")),
            ]
        }
        for offset in [-1_000.0, 0, 59, 60, 3_599, 3_601, 604_800, 604_801] {
            clock.set(signedAt.addingTimeInterval(offset))
            for (name, head) in valid + heads {
                let general = Result { () throws(S3Error) in try authenticator.authenticate(head, tryingPresignedFastPath: false) }
                guard let fast = authenticator.authenticatePresignedURL(head, now: clock.now()) else { continue }
                guard case .success(let expected) = general else {
                    XCTFail("\(name) at +\(offset) s: the fast path accepted what the general path refuses: \(general)")
                    continue
                }
                assertSameResult(fast, expected, "\(name) at +\(offset) s")
            }
        }
    }

    private func assertSameResult(_ fast: AuthResult, _ general: AuthResult, _ name: String, line: UInt = #line) {
        XCTAssertEqual(fast.method, general.method, name, line: line)
        XCTAssertEqual(fast.credential, general.credential, name, line: line)
        XCTAssertEqual(fast.payload, general.payload, name, line: line)
        XCTAssertEqual(fast.signatureAge, general.signatureAge, name, line: line)
        XCTAssertEqual(fast.seedSignature, general.seedSignature, name, line: line)
        XCTAssertNil(fast.signingContext, name, line: line)
        XCTAssertNil(general.signingContext, name, line: line)
    }

    private static func with(_ head: AuthRequestHead, method: String) -> AuthRequestHead {
        var copy = head
        copy.method = method
        return copy
    }

    private static func uppercasingSignature(_ query: String) -> String {
        query.split(separator: "&").map { part in
            part.hasPrefix("X-Amz-Signature=") ? "X-Amz-Signature=" + part.dropFirst(16).uppercased() : String(part)
        }.joined(separator: "&")
    }
}
