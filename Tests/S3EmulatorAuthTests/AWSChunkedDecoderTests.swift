import Foundation
import S3EmulatorAuth
import S3EmulatorCore
import XCTest

/// The aws-chunked body decoder: signatures of chunks and trailers, framing, sizes.
final class AWSChunkedDecoderTests: XCTestCase {
    typealias Docs = AWSDocumentationExampleTests

    static let incomplete = ExpectedError(.incompleteBody, "The request body terminated unexpectedly")
    static let malformedTrailer = ExpectedError(
        .malformedTrailerError,
        "The request contained trailing data that was not well-formed or did not conform to our published schema.")

    static func signedDecoder(decodedLength: Int64? = 66560) throws -> AWSChunkedDecoder {
        let result = try Example.authenticator().authenticate(Docs.chunkedHead)
        return AWSChunkedDecoder(
            mode: result.payload, signingContext: result.signingContext, seedSignature: result.seedSignature,
            decodedContentLength: decodedLength, expectedTrailer: nil)
    }

    static func trailerDecoder(expectedTrailer: String? = "x-amz-checksum-crc32c") throws -> AWSChunkedDecoder {
        let result = try Example.authenticator().authenticate(Docs.trailerHead)
        return AWSChunkedDecoder(
            mode: result.payload, signingContext: result.signingContext, seedSignature: result.seedSignature,
            decodedContentLength: 66560, expectedTrailer: expectedTrailer)
    }

    static func unsignedDecoder(decodedLength: Int64?, expectedTrailer: String? = "x-amz-checksum-crc32") -> AWSChunkedDecoder {
        AWSChunkedDecoder(
            mode: .streamingUnsignedTrailer, signingContext: nil, seedSignature: nil, decodedContentLength: decodedLength,
            expectedTrailer: expectedTrailer)
    }

    /// An unsigned aws-chunked body with chunks of `sizes` bytes of `c`, as botocore frames it.
    static func unsignedBody(_ sizes: [Int], trailer: String? = "x-amz-checksum-crc32:AAAAAA==") -> [UInt8] {
        var body: [UInt8] = []
        for size in sizes {
            body += "\(String(size, radix: 16))\r\n".utf8
            body += [UInt8](repeating: UInt8(ascii: "c"), count: size)
            body += "\r\n".utf8
        }
        body += "0\r\n".utf8
        if let trailer { body += "\(trailer)\r\n".utf8 }
        body += "\r\n".utf8
        return body
    }

    static let trailerBody = Docs.chunkedBody(
        signatures: Docs.trailerChunkSignatures,
        trailer: ["x-amz-checksum-crc32c:sOO8/Q==", "x-amz-trailer-signature:\(Docs.trailerSignature)"])

    /// `body` with the byte after the `occurrence`-th `marker` changed.
    static func corrupting(_ body: [UInt8], after marker: String, occurrence: Int = 0) -> [UInt8] {
        let needle = Array(marker.utf8)
        var found = -1
        var start = 0
        for _ in 0...occurrence {
            guard let index = (start...(body.count - needle.count)).first(where: { body[$0..<($0 + needle.count)].elementsEqual(needle) })
            else { return body }
            found = index
            start = index + 1
        }
        var copy = body
        let position = found + needle.count
        copy[position] = copy[position] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        return copy
    }

    // MARK: - Signed chunks

    func testChangedChunkSignatureIsSignatureDoesNotMatch() throws {
        for occurrence in 0..<3 {
            var decoder = try Self.signedDecoder()
            let body = Self.corrupting(Docs.chunkedBody(), after: "chunk-signature=", occurrence: occurrence)
            do {
                _ = try decode(body, with: &decoder, pieceSize: 4096)
                XCTFail("chunk \(occurrence + 1) with a changed signature was accepted")
            } catch {
                XCTAssertEqual(error.code, .signatureDoesNotMatch)
                XCTAssertEqual(
                    error.details.map(\.name), ["AWSAccessKeyId", "StringToSign", "SignatureProvided", "StringToSignBytes"])
                let stringToSign = error.details[1].value
                XCTAssertTrue(stringToSign.hasPrefix("AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n\(Example.scope)\n"))
                XCTAssertEqual(error.details[3].value, spaced(stringToSign))
            }
        }
    }

    func testChangedChunkDataIsSignatureDoesNotMatch() throws {
        var body = Docs.chunkedBody()
        body[200] = UInt8(ascii: "b")
        var decoder = try Self.signedDecoder()
        assertThrows(ExpectedError(.signatureDoesNotMatch, details: nil)) { () throws(S3Error) in
            try decode(body, with: &decoder)
        }
    }

    func testChunkWithoutSignatureInSignedModeIsRefused() throws {
        var decoder = try Self.signedDecoder()
        assertThrows(Self.incomplete) { () throws(S3Error) in try decode(Self.unsignedBody([10]), with: &decoder) }
    }

    func testChangedTrailerSignatureIsSignatureDoesNotMatch() throws {
        var decoder = try Self.trailerDecoder()
        do {
            _ = try decode(Self.corrupting(Self.trailerBody, after: "x-amz-trailer-signature:"), with: &decoder)
            XCTFail("accepted")
        } catch {
            XCTAssertEqual(error.code, .signatureDoesNotMatch)
            XCTAssertTrue(error.details[1].value.hasPrefix("AWS4-HMAC-SHA256-TRAILER\n20130524T000000Z\n"))
        }
    }

    func testChangedTrailerValueIsSignatureDoesNotMatch() throws {
        var decoder = try Self.trailerDecoder()
        let body = Docs.chunkedBody(
            signatures: Docs.trailerChunkSignatures,
            trailer: ["x-amz-checksum-crc32c:AAAAAA==", "x-amz-trailer-signature:\(Docs.trailerSignature)"])
        assertThrows(ExpectedError(.signatureDoesNotMatch, details: nil)) { () throws(S3Error) in
            try decode(body, with: &decoder)
        }
    }

    func testSignedTrailerWithoutSignatureIsMalformed() throws {
        var decoder = try Self.trailerDecoder()
        let body = Docs.chunkedBody(signatures: Docs.trailerChunkSignatures, trailer: ["x-amz-checksum-crc32c:sOO8/Q=="])
        assertThrows(Self.malformedTrailer) { () throws(S3Error) in try decode(body, with: &decoder) }
    }

    func testSignedEmptyBody() throws {
        let signer = SigV4Signer(
            accessKeyId: Example.accessKeyId, secretAccessKey: Example.secretAccessKey, region: "us-east-1")
        let body = signer.awsChunkedBody(
            [], chunkSize: 65536, mode: .streamingSigned, seedSignature: Docs.seedSignature, date: Example.date)
        XCTAssertEqual(body.count, 86, "0;chunk-signature=<64>\\r\\n\\r\\n")
        var decoder = try Self.signedDecoder(decodedLength: 0)
        let decoded = try decode(body, with: &decoder, pieceSize: 1)
        XCTAssertEqual(decoded.data, [])
    }

    // MARK: - Sizes

    func testOnlyTheLastChunkMayBeSmallerThan8192Bytes() {
        var decoder = Self.unsignedDecoder(decodedLength: 8191 * 2 + 100)
        assertThrows(
            ExpectedError(
                .invalidChunkSizeError, "Only the last chunk is allowed to have a size less than 8192 bytes",
                details: [("Chunk", "1"), ("BadChunkSize", "8191")])
        ) { () throws(S3Error) in try decode(Self.unsignedBody([8191, 8191, 100]), with: &decoder) }

        var accepted = Self.unsignedDecoder(decodedLength: 8192 * 2 + 1)
        let decoded = assertSucceeds { () throws(S3Error) in
            try decode(Self.unsignedBody([8192, 8192, 1]), with: &accepted, pieceSize: 1000)
        }
        XCTAssertEqual(decoded?.data.count, 16385)
        XCTAssertEqual(decoded?.trailers.map(\.name), ["x-amz-checksum-crc32"])
    }

    func testDecodedContentLengthMustMatch() throws {
        var shorter = try Self.signedDecoder(decodedLength: 66559)
        assertThrows(Self.incomplete, "content longer than declared") { () throws(S3Error) in
            try decode(Docs.chunkedBody(), with: &shorter)
        }
        var longer = try Self.signedDecoder(decodedLength: 66561)
        assertThrows(Self.incomplete, "content shorter than declared") { () throws(S3Error) in
            try decode(Docs.chunkedBody(), with: &longer)
        }
    }

    func testBodyThatEndsEarlyIsIncomplete() throws {
        let body = Docs.chunkedBody()
        for cut in [1, 2, 90, 1100, 65_600, body.count - 1] {
            var decoder = try Self.signedDecoder()
            assertThrows(Self.incomplete, "cut at \(cut)") { () throws(S3Error) in
                try decode(Array(body.prefix(cut)), with: &decoder)
            }
        }
    }

    func testFramingErrorsAreIncompleteBody() {
        let bodies: [(String, [UInt8])] = [
            ("a size that is not hex", Array("zz\r\nabc\r\n0\r\n\r\n".utf8)),
            ("no CRLF after the data", Array("3\r\nabcd\r\n0\r\n\r\n".utf8)),
            ("a bare LF after the size", Array("3\nabc\r\n0\r\n\r\n".utf8)),
            ("bytes after the end", Array("3\r\nabc\r\n0\r\n\r\nextra".utf8)),
            ("a size of 16 hex digits", Array("1000000000000000\r\n".utf8)),
        ]
        for (name, body) in bodies {
            var decoder = Self.unsignedDecoder(decodedLength: nil, expectedTrailer: nil)
            assertThrows(Self.incomplete, name) { () throws(S3Error) in try decode(body, with: &decoder) }
        }
    }

    // MARK: - Trailers

    func testTrailersMustBeTheDeclaredOnes() {
        let cases: [(String, String?, [UInt8])] = [
            ("declared, not sent", "x-amz-checksum-crc32", Self.unsignedBody([3], trailer: nil)),
            ("sent, not declared", nil, Self.unsignedBody([3])),
            ("another checksum", "x-amz-checksum-crc32c", Self.unsignedBody([3])),
            ("a line without a colon", "x-amz-checksum-crc32", Self.unsignedBody([3], trailer: "x-amz-checksum-crc32")),
            ("twice", "x-amz-checksum-crc32",
             Self.unsignedBody([3], trailer: "x-amz-checksum-crc32:AAAAAA==\r\nx-amz-checksum-crc32:AAAAAA==")),
        ]
        for (name, declared, body) in cases {
            var decoder = Self.unsignedDecoder(decodedLength: 3, expectedTrailer: declared)
            assertThrows(Self.malformedTrailer, name) { () throws(S3Error) in try decode(body, with: &decoder) }
        }
    }

    func testTrailerDeclaredForASignedBodyWithoutTrailerIsMalformed() throws {
        let result = try Example.authenticator().authenticate(Docs.chunkedHead)
        var decoder = AWSChunkedDecoder(
            mode: result.payload, signingContext: result.signingContext, seedSignature: result.seedSignature,
            decodedContentLength: 66560, expectedTrailer: "x-amz-checksum-crc32")
        assertThrows(Self.malformedTrailer) { () throws(S3Error) in try decode(Docs.chunkedBody(), with: &decoder) }
    }

    func testUnsignedTrailerIsReturned() throws {
        var decoder = Self.unsignedDecoder(decodedLength: 20000)
        let decoded = try decode(Self.unsignedBody([20000], trailer: "X-Amz-Checksum-CRC32 :  y/Q5Jg== "), with: &decoder, pieceSize: 7)
        XCTAssertEqual(decoded.data.count, 20000)
        XCTAssertEqual(decoded.trailers.map { "\($0.name)=\($0.value)" }, ["x-amz-checksum-crc32=y/Q5Jg=="])
    }

    func testTrailerWithoutTheFinalEmptyLineIsAccepted() throws {
        var decoder = Self.unsignedDecoder(decodedLength: 3)
        let body = Array("3\r\nabc\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n".utf8)
        let decoded = try decode(body, with: &decoder)
        XCTAssertEqual(decoded.data, Array("abc".utf8))
        XCTAssertEqual(decoded.trailers.count, 1)
    }

    func testEmptyUnsignedBody() throws {
        var decoder = Self.unsignedDecoder(decodedLength: 0)
        let decoded = try decode(Self.unsignedBody([]), with: &decoder, pieceSize: 1)
        XCTAssertEqual(decoded.data, [])
        XCTAssertEqual(decoded.trailers.count, 1)
    }

    // MARK: - Bodies that are not aws-chunked

    func testSHA256PayloadIsCheckedAtTheEnd() throws {
        let body = Array("Welcome to Amazon S3.".utf8)
        var matching = AWSChunkedDecoder(
            mode: .sha256(Docs.putPayload), signingContext: nil, seedSignature: nil, decodedContentLength: nil,
            expectedTrailer: nil)
        XCTAssertEqual(try decode(body, with: &matching, pieceSize: 4).data, body)

        var other = AWSChunkedDecoder(
            mode: .sha256(Docs.putPayload), signingContext: nil, seedSignature: nil, decodedContentLength: nil,
            expectedTrailer: nil)
        assertThrows(
            ExpectedError(
                .xAmzContentSHA256Mismatch, "The provided 'x-amz-content-sha256' header does not match what was computed.",
                details: [
                    ("ClientComputedContentSHA256", Docs.putPayload),
                    ("S3ComputedContentSHA256", "028be12cd44c8f8b79a9b862b2dcefb1bdcf25f66cc95ac1a1ffb544d568182f"),
                ])
        ) { () throws(S3Error) in try decode(Array("Welcome to Amazon S3!".utf8), with: &other) }
    }

    func testUnsignedPayloadPassesThrough() throws {
        var decoder = AWSChunkedDecoder(
            mode: .unsignedPayload, signingContext: nil, seedSignature: nil, decodedContentLength: nil,
            expectedTrailer: nil)
        let body = Self.unsignedBody([5])
        XCTAssertEqual(try decode(body, with: &decoder, pieceSize: 3).data, body)
        XCTAssertEqual(decoder.decodedByteCount, Int64(body.count))
    }

    // MARK: - Behaviour

    func testFailureIsFinal() throws {
        var decoder = Self.unsignedDecoder(decodedLength: nil, expectedTrailer: nil)
        assertThrows(Self.incomplete) { () throws(S3Error) in try decode(Array("zz".utf8), with: &decoder) }
        assertThrows(Self.incomplete, "feed after the failure") { () throws(S3Error) in
            try feed(Self.unsignedBody([], trailer: nil), to: &decoder)
        }
        assertThrows(Self.incomplete, "finish after the failure") { () throws(S3Error) in try decoder.finish() }
    }

    func testOutputErrorStopsDecoding() {
        var decoder = Self.unsignedDecoder(decodedLength: 3, expectedTrailer: nil)
        let full = ExpectedError(.internalError, "disk full")
        assertThrows(full) { () throws(S3Error) in
            try feed(Array("3\r\nabc\r\n".utf8), to: &decoder) { _ throws(S3Error) in
                throw S3Error(.internalError, message: "disk full")
            }
        }
        assertThrows(full, "afterwards") { () throws(S3Error) in try decoder.finish() }
    }

    func testLargeBodyFedInSmallPieces() throws {
        let sizes = [Int](repeating: 65536, count: 64) + [123]
        let total = sizes.reduce(0, +)
        var decoder = Self.unsignedDecoder(decodedLength: Int64(total))
        let decoded = try decode(Self.unsignedBody(sizes), with: &decoder, pieceSize: 997)
        XCTAssertEqual(decoded.data.count, total)
        XCTAssertEqual(decoder.decodedByteCount, Int64(total))
    }
}
