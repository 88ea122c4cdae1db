import Foundation
import S3EmulatorAuth
import S3EmulatorCore
import XCTest

/// Requests signed by independent signers — botocore's Python signer and the awscrt C signer,
/// through real boto3 clients — for keys with spaces, `+`, `%`, `~`, `!*'()`, unicode, `//`,
/// `..` and more: every one must verify, byte for byte.
final class BotocoreFixtureTests: XCTestCase {
    let sets = BotocoreFixture.sets

    func testFixturesCoverTheHardKeys() {
        let names = sets.botocoreSignatureV4.map(\.name).joined(separator: "\n")
        for key in ["'a b'", "'a+b'", "'100%'", "'~tilde'", "\"!*'()\"", "'ü/中'", "'a//b'", "'../x/../y'", "'emoji😀'"] {
            XCTAssertTrue(names.contains(key), key)
        }
        XCTAssertEqual(sets.botocoreSignatureV4.count, 102)
        XCTAssertEqual(sets.awscrtSignatureV4.count, 102)
        XCTAssertEqual(sets.botocoreSignatureV2.count, 20)
    }

    func testRequestsSignedByBotocoreAuthenticate() {
        for fixture in sets.botocoreSignatureV4 {
            let result = assertSucceeds(fixture.name) { () throws(S3Error) in
                try Example.authenticator().authenticate(fixture.head)
            }
            XCTAssertEqual(result?.method, fixture.isPresigned ? .queryV4 : .headerV4, fixture.name)
            XCTAssertEqual(result?.credential?.accessKeyId, Example.accessKeyId, fixture.name)
        }
    }

    func testRequestsSignedByAwscrtAuthenticate() {
        for fixture in sets.awscrtSignatureV4 {
            let result = assertSucceeds(fixture.name) { () throws(S3Error) in
                try Example.authenticator().authenticate(fixture.head)
            }
            XCTAssertEqual(result?.method, fixture.isPresigned ? .queryV4 : .headerV4, fixture.name)
        }
    }

    func testRequestsSignedByBotocoreWithSignatureVersion2Authenticate() {
        for fixture in sets.botocoreSignatureV2 {
            let result = assertSucceeds(fixture.name) { () throws(S3Error) in
                try Example.authenticator().authenticate(fixture.head)
            }
            XCTAssertEqual(result?.method, fixture.isPresigned ? .queryV2 : .headerV2, fixture.name)
        }
    }

    /// With another secret the server answers SignatureDoesNotMatch with the canonical request
    /// and string to sign it computed: they must be botocore's, byte for byte.
    func testServerCanonicalRequestIsBotocores() {
        let other = SigV4Authenticator(
            region: "us-east-1",
            credentials: StaticCredentialStore([
                Credential(accessKeyId: Example.accessKeyId, secretAccessKey: "not the secret", principal: "root")
            ]), clock: ManualClock(Example.date))
        var compared = 0
        for fixture in sets.botocoreSignatureV4 + sets.botocoreSignatureV2 {
            guard let expectedStringToSign = fixture.stringToSign else { continue }
            do {
                _ = try other.authenticate(fixture.head)
                XCTFail("\(fixture.name): authenticated with the wrong secret")
            } catch {
                XCTAssertEqual(error.code, .signatureDoesNotMatch, fixture.name)
                let details = Dictionary(error.details.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
                XCTAssertEqual(details["StringToSign"], expectedStringToSign, fixture.name)
                XCTAssertEqual(details["CanonicalRequest"], fixture.canonicalRequest, fixture.name)
                compared += 1
            }
        }
        XCTAssertEqual(compared, 102 - 11 + 18, "header-signed fixtures compared")
    }

    func testSignerReproducesBotocoreSignatures() {
        let signer = SigV4Signer(
            accessKeyId: Example.accessKeyId, secretAccessKey: Example.secretAccessKey, region: "us-east-1")
        for fixture in sets.botocoreSignatureV4 {
            guard let names = fixture.signedHeaders, let payload = fixture.header("x-amz-content-sha256"),
                let authorization = fixture.header("authorization")
            else { continue }
            let signed = signer.sign(
                fixture.head.with(header: "authorization", nil), payloadHash: payload, date: Example.date,
                signedHeaders: names)
            XCTAssertTrue(authorization.hasSuffix("Signature=\(signed.signature)"), fixture.name)
        }
    }

    func testBodiesOfBotocoreRequestsPassTheirPayloadChecks() throws {
        var checked = 0
        for fixture in sets.botocoreSignatureV4 + sets.awscrtSignatureV4 where !fixture.bodyHex.isEmpty {
            let head = fixture.head
            let result = try Example.authenticator().authenticate(head)
            var decoder = result.bodyDecoder(for: head)
            let decoded = assertSucceeds(fixture.name) { () throws(S3Error) in
                try decode(fixture.body, with: &decoder, pieceSize: 5)
            }
            if result.payload.isStreaming {
                XCTAssertEqual(decoded.map { String(decoding: $0.data, as: UTF8.self) }, "hello world", fixture.name)
                XCTAssertEqual(decoded?.trailers.map(\.name), ["x-amz-checksum-crc32"], fixture.name)
            } else {
                XCTAssertEqual(decoded?.data, fixture.body, fixture.name)
            }
            checked += 1
        }
        XCTAssertEqual(checked, 50, "PutObject (21 keys, HTTPS, metadata) and DeleteObjects, by both signers")
    }

    func testBotocoreRequestsWithAChangedPathAreRefused() {
        for fixture in sets.botocoreSignatureV4 + sets.awscrtSignatureV4 + sets.botocoreSignatureV2 {
            assertThrows(ExpectedError(.signatureDoesNotMatch, details: nil), fixture.name) { () throws(S3Error) in
                try Example.authenticator().authenticate(fixture.head.with(rawPath: fixture.rawPath + "x"))
            }
        }
    }

    func testBotocoreRequestsWithAChangedQueryAreRefused() {
        for fixture in sets.botocoreSignatureV4 + sets.awscrtSignatureV4 + sets.botocoreSignatureV2 {
            let query = fixture.rawQuery.map { $0 + "&versionId=1" } ?? "versionId=1"
            assertThrows(ExpectedError(.signatureDoesNotMatch, details: nil), fixture.name) { () throws(S3Error) in
                try Example.authenticator().authenticate(fixture.head.with(rawQuery: query))
            }
        }
    }
}
