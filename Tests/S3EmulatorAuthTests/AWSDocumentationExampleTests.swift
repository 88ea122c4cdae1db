import Foundation
import S3EmulatorAuth
import S3EmulatorCore
import XCTest

/// The worked examples of "Signature Calculations for the Authorization Header" and "Query
/// String Authentication" in the Amazon S3 API reference (Signature Version 4): the values
/// below are AWS's own, not ours.
final class AWSDocumentationExampleTests: XCTestCase {
    struct HeaderExample {
        var name: String
        var head: AuthRequestHead
        var signedHeaders: String
        var canonicalRequest: String
        var canonicalRequestSHA256: String
        var signature: String
    }

    static let host = "examplebucket.s3.amazonaws.com"
    static let putPayload = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"

    static func authorization(_ signedHeaders: String, _ signature: String) -> String {
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=\(signedHeaders),Signature=\(signature)"
    }

    static let headerExamples: [HeaderExample] = [
        HeaderExample(
            name: "GET Object with a range",
            head: AuthRequestHead(
                method: "GET", rawPath: "/test.txt",
                headers: [
                    ("host", host), ("range", "bytes=0-9"), ("x-amz-content-sha256", Example.emptySHA256),
                    ("x-amz-date", "20130524T000000Z"),
                ]),
            signedHeaders: "host;range;x-amz-content-sha256;x-amz-date",
            canonicalRequest: """
                GET
                /test.txt

                host:examplebucket.s3.amazonaws.com
                range:bytes=0-9
                x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-amz-date:20130524T000000Z

                host;range;x-amz-content-sha256;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            canonicalRequestSHA256: "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
            signature: "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
        HeaderExample(
            name: "PUT Object",
            head: AuthRequestHead(
                method: "PUT", rawPath: "/test$file.text",
                headers: [
                    ("host", host), ("date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-date", "20130524T000000Z"),
                    ("x-amz-storage-class", "REDUCED_REDUNDANCY"), ("x-amz-content-sha256", putPayload),
                ]),
            signedHeaders: "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
            canonicalRequest: """
                PUT
                /test%24file.text

                date:Fri, 24 May 2013 00:00:00 GMT
                host:examplebucket.s3.amazonaws.com
                x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072
                x-amz-date:20130524T000000Z
                x-amz-storage-class:REDUCED_REDUNDANCY

                date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class
                44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072
                """,
            canonicalRequestSHA256: "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d",
            signature: "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"),
        HeaderExample(
            name: "GET Bucket Lifecycle",
            head: AuthRequestHead(
                method: "GET", rawPath: "/", rawQuery: "lifecycle",
                headers: [
                    ("host", host), ("x-amz-date", "20130524T000000Z"), ("x-amz-content-sha256", Example.emptySHA256),
                ]),
            signedHeaders: "host;x-amz-content-sha256;x-amz-date",
            canonicalRequest: """
                GET
                /
                lifecycle=
                host:examplebucket.s3.amazonaws.com
                x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-amz-date:20130524T000000Z

                host;x-amz-content-sha256;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            canonicalRequestSHA256: "9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca",
            signature: "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
        HeaderExample(
            name: "GET Bucket (List Objects)",
            head: AuthRequestHead(
                method: "GET", rawPath: "/", rawQuery: "max-keys=2&prefix=J",
                headers: [
                    ("host", host), ("x-amz-date", "20130524T000000Z"), ("x-amz-content-sha256", Example.emptySHA256),
                ]),
            signedHeaders: "host;x-amz-content-sha256;x-amz-date",
            canonicalRequest: """
                GET
                /
                max-keys=2&prefix=J
                host:examplebucket.s3.amazonaws.com
                x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-amz-date:20130524T000000Z

                host;x-amz-content-sha256;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            canonicalRequestSHA256: "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7",
            signature: "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
    ]

    static func signedHead(_ example: HeaderExample) -> AuthRequestHead {
        example.head.with(header: "authorization", authorization(example.signedHeaders, example.signature))
    }

    func testHeaderExamplesAuthenticateAsTheExampleKey() {
        for example in Self.headerExamples {
            let result = assertSucceeds(example.name) { () throws(S3Error) in
                try Example.authenticator().authenticate(Self.signedHead(example))
            }
            XCTAssertEqual(result?.method, .headerV4, example.name)
            XCTAssertEqual(result?.credential?.principal, "root", example.name)
            XCTAssertEqual(result?.signatureAge, 0, example.name)
            XCTAssertEqual(result?.seedSignature, example.signature, example.name)
        }
    }

    func testHeaderExamplesDeclareTheirPayload() {
        let modes = Self.headerExamples.map { example in
            try? Example.authenticator().authenticate(Self.signedHead(example)).payload
        }
        XCTAssertEqual(
            modes,
            [.sha256(Example.emptySHA256), .sha256(Self.putPayload), .sha256(Example.emptySHA256),
             .sha256(Example.emptySHA256)])
    }

    /// With another secret, the server's SignatureDoesNotMatch shows the canonical request
    /// and string to sign it computed: those of the documentation.
    func testHeaderExamplesCanonicalRequestsAreTheDocumentedOnes() {
        let other = SigV4Authenticator(
            region: "us-east-1",
            credentials: StaticCredentialStore([
                Credential(accessKeyId: Example.accessKeyId, secretAccessKey: "another secret", principal: "root")
            ]), clock: ManualClock(Example.date))
        for example in Self.headerExamples {
            let stringToSign = "AWS4-HMAC-SHA256\n20130524T000000Z\n\(Example.scope)\n\(example.canonicalRequestSHA256)"
            assertThrows(
                ExpectedError(
                    .signatureDoesNotMatch,
                    details: [
                        ("AWSAccessKeyId", Example.accessKeyId), ("StringToSign", stringToSign),
                        ("SignatureProvided", example.signature), ("StringToSignBytes", spaced(stringToSign)),
                        ("CanonicalRequest", example.canonicalRequest),
                        ("CanonicalRequestBytes", spaced(example.canonicalRequest)),
                    ]), example.name
            ) { () throws(S3Error) in try other.authenticate(Self.signedHead(example)) }
        }
    }

    func testSignerReproducesTheHeaderExamples() {
        let signer = SigV4Signer(
            accessKeyId: Example.accessKeyId, secretAccessKey: Example.secretAccessKey, region: "us-east-1")
        for example in Self.headerExamples {
            let names = example.signedHeaders.split(separator: ";").map(String.init)
            let payload = example.head.headers.first { $0.name == "x-amz-content-sha256" }!.value
            let canonical = signer.canonicalRequest(example.head, signedHeaders: names, payloadHash: payload)
            XCTAssertEqual(canonical, example.canonicalRequest, example.name)
            let stringToSign = signer.stringToSign(canonicalRequest: canonical, date: Example.date)
            XCTAssertEqual(
                stringToSign, "AWS4-HMAC-SHA256\n20130524T000000Z\n\(Example.scope)\n\(example.canonicalRequestSHA256)",
                example.name)
            XCTAssertEqual(signer.signature(stringToSign: stringToSign, date: Example.date), example.signature)
            let signed = signer.sign(example.head, payloadHash: payload, date: Example.date, signedHeaders: names)
            XCTAssertEqual(signed.signature, example.signature, example.name)
            XCTAssertEqual(
                signed.head.headers.first { $0.name == "authorization" }?.value,
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=\(example.signedHeaders), Signature=\(example.signature)"
            )
        }
    }

    // MARK: - Presigned URL

    static let presignedQuery =
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    static let presignedHead = AuthRequestHead(
        method: "GET", rawPath: "/test.txt", rawQuery: presignedQuery, headers: [("host", host)])

    func testPresignedURLExampleAuthenticates() {
        let result = assertSucceeds { () throws(S3Error) in
            try Example.authenticator(at: Example.date.addingTimeInterval(60)).authenticate(Self.presignedHead)
        }
        XCTAssertEqual(result?.method, .queryV4)
        XCTAssertEqual(result?.payload, .unsignedPayload)
        XCTAssertEqual(result?.signatureAge, 60_000)
    }

    func testPresignedURLExampleCanonicalRequestIsTheDocumentedOne() {
        let canonical = """
            GET
            /test.txt
            X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host
            host:examplebucket.s3.amazonaws.com

            host
            UNSIGNED-PAYLOAD
            """
        let stringToSign =
            "AWS4-HMAC-SHA256\n20130524T000000Z\n\(Example.scope)\n3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04"
        let tampered = Self.presignedHead.with(
            rawQuery: Self.presignedQuery.replacingOccurrences(of: "Signature=aeee", with: "Signature=beee"))
        assertThrows(
            ExpectedError(
                .signatureDoesNotMatch,
                details: [
                    ("AWSAccessKeyId", Example.accessKeyId), ("StringToSign", stringToSign),
                    ("SignatureProvided", "beeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"),
                    ("StringToSignBytes", spaced(stringToSign)), ("CanonicalRequest", canonical),
                    ("CanonicalRequestBytes", spaced(canonical)),
                ])
        ) { () throws(S3Error) in try Example.authenticator().authenticate(tampered) }
    }

    func testSignerReproducesThePresignedURLExample() {
        let signer = SigV4Signer(
            accessKeyId: Example.accessKeyId, secretAccessKey: Example.secretAccessKey, region: "us-east-1")
        let presigned = signer.presign(
            AuthRequestHead(method: "GET", rawPath: "/test.txt", headers: [("host", Self.host)]), expires: 86400,
            date: Example.date)
        XCTAssertEqual(presigned.rawQuery, Self.presignedQuery)
    }

    // MARK: - Chunked upload (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)

    static let seedSignature = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
    static let chunkSignatures = [
        "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
        "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
        "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
    ]
    static let chunkedHead = AuthRequestHead(
        method: "PUT", rawPath: "/examplebucket/chunkObject.txt",
        headers: [
            ("host", "s3.amazonaws.com"), ("x-amz-date", "20130524T000000Z"),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ("authorization", authorization(
                "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class",
                seedSignature)),
            ("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"), ("content-encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", "66560"), ("content-length", "66824"),
        ])
    /// 65536 bytes of `a`, then 1024, then the final empty chunk.
    static func chunkedBody(signatures: [String] = chunkSignatures, trailer: [String] = []) -> [UInt8] {
        var body: [UInt8] = []
        body += "10000;chunk-signature=\(signatures[0])\r\n".utf8
        body += [UInt8](repeating: UInt8(ascii: "a"), count: 65536)
        body += "\r\n400;chunk-signature=\(signatures[1])\r\n".utf8
        body += [UInt8](repeating: UInt8(ascii: "a"), count: 1024)
        body += "\r\n0;chunk-signature=\(signatures[2])\r\n".utf8
        for line in trailer { body += "\(line)\r\n".utf8 }
        body += "\r\n".utf8
        return body
    }

    func testChunkedUploadExampleSeedSignatureAuthenticates() throws {
        let result = try Example.authenticator().authenticate(Self.chunkedHead)
        XCTAssertEqual(result.payload, .streamingSigned)
        XCTAssertEqual(result.seedSignature, Self.seedSignature)
        XCTAssertEqual(result.signingContext?.scope, Example.scope)
        XCTAssertEqual(Self.chunkedBody().count, 66824, "the example's Content-Length")
    }

    func testChunkedUploadExampleBodyDecodesWhateverTheReadSizes() throws {
        let result = try Example.authenticator().authenticate(Self.chunkedHead)
        for pieceSize in [Int.max, 1, 7, 100, 8192, 65_600] {
            var decoder = result.bodyDecoder(for: Self.chunkedHead)
            let decoded = try decode(Self.chunkedBody(), with: &decoder, pieceSize: pieceSize)
            XCTAssertEqual(decoded.data, [UInt8](repeating: UInt8(ascii: "a"), count: 66560), "pieces of \(pieceSize)")
            XCTAssertTrue(decoded.trailers.isEmpty)
        }
    }

    func testChunkedUploadExampleChunkSignaturesAreTheDocumentedOnes() throws {
        let context = try XCTUnwrap(try Example.authenticator().authenticate(Self.chunkedHead).signingContext)
        let first = context.chunkSignature(
            previousSignature: Self.seedSignature, data: [UInt8](repeating: UInt8(ascii: "a"), count: 65536))
        let second = context.chunkSignature(
            previousSignature: first, data: [UInt8](repeating: UInt8(ascii: "a"), count: 1024))
        let last = context.chunkSignature(previousSignature: second, data: [])
        XCTAssertEqual([first, second, last], Self.chunkSignatures)
    }

    func testSignerReproducesTheChunkedUploadExample() {
        let signer = SigV4Signer(
            accessKeyId: Example.accessKeyId, secretAccessKey: Example.secretAccessKey, region: "us-east-1")
        let head = Self.chunkedHead.with(header: "authorization", nil)
        let signed = signer.sign(
            head, payloadHash: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", date: Example.date,
            signedHeaders: [
                "content-encoding", "content-length", "host", "x-amz-content-sha256", "x-amz-date",
                "x-amz-decoded-content-length", "x-amz-storage-class",
            ])
        XCTAssertEqual(signed.signature, Self.seedSignature)
        let body = signer.awsChunkedBody(
            [UInt8](repeating: UInt8(ascii: "a"), count: 66560), chunkSize: 65536, mode: .streamingSigned,
            seedSignature: signed.signature, date: Example.date)
        XCTAssertEqual(body, Self.chunkedBody())
    }

    // MARK: - Chunked upload with a signed trailer (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER)

    static let trailerSeedSignature = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
    static let trailerChunkSignatures = [
        "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
        "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
        "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
    ]
    static let trailerSignature = "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"
    static let trailerHead = AuthRequestHead(
        method: "PUT", rawPath: "/examplebucket/chunkObject.txt",
        headers: [
            ("host", "s3.amazonaws.com"), ("x-amz-date", "20130524T000000Z"),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ("authorization", authorization(
                "content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer",
                trailerSeedSignature)),
            ("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"), ("content-encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", "66560"), ("x-amz-trailer", "x-amz-checksum-crc32c"),
        ])

    func testChunkedUploadWithSignedTrailerExampleDecodesToItsChecksum() throws {
        let result = try Example.authenticator().authenticate(Self.trailerHead)
        XCTAssertEqual(result.payload, .streamingSignedTrailer)
        var decoder = result.bodyDecoder(for: Self.trailerHead)
        let body = Self.chunkedBody(
            signatures: Self.trailerChunkSignatures,
            trailer: ["x-amz-checksum-crc32c:sOO8/Q==", "x-amz-trailer-signature:\(Self.trailerSignature)"])
        let decoded = try decode(body, with: &decoder, pieceSize: 3)
        XCTAssertEqual(decoded.data.count, 66560)
        XCTAssertEqual(decoded.trailers.map { "\($0.name):\($0.value)" }, ["x-amz-checksum-crc32c:sOO8/Q=="])
    }

    func testSignerReproducesTheSignedTrailerExample() {
        let signer = SigV4Signer(
            accessKeyId: Example.accessKeyId, secretAccessKey: Example.secretAccessKey, region: "us-east-1")
        let body = signer.awsChunkedBody(
            [UInt8](repeating: UInt8(ascii: "a"), count: 66560), chunkSize: 65536, mode: .streamingSignedTrailer,
            seedSignature: Self.trailerSeedSignature, date: Example.date,
            trailers: [("x-amz-checksum-crc32c", "sOO8/Q==")])
        XCTAssertEqual(
            body,
            Self.chunkedBody(
                signatures: Self.trailerChunkSignatures,
                trailer: ["x-amz-checksum-crc32c:sOO8/Q==", "x-amz-trailer-signature:\(Self.trailerSignature)"]))
    }
}

/// `text`'s UTF-8 bytes as S3 writes them in `StringToSignBytes`: hex pairs and spaces.
func spaced(_ text: String) -> String {
    text.utf8.map { String(format: "%02x", $0) }.joined(separator: " ")
}
