import Foundation
import S3EmulatorAuth
import S3EmulatorCore

extension FuzzTarget {
    /// The seed signature of the AWS documentation's chunked upload example.
    static let chunkedSeedSignature = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"

    /// Byte 0 picks the mode, byte 1 the piece size the body arrives in (0: one piece), byte 2
    /// the `x-amz-decoded-content-length` (0: none, else a multiple of 64); the rest is the body.
    ///
    /// Modes 0–3 decode the body as sent: signed (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`), signed
    /// with a trailer, unsigned with an `x-amz-checksum-crc32` trailer, unsigned with none
    /// declared. Modes 4–6 take the rest as the payload, frame it correctly (signed, signed
    /// trailer, unsigned trailer; chunks of 8 KiB + byte 2) and decode that.
    ///
    /// Invariants: the body decodes the same whole and in pieces (the same bytes and trailers,
    /// or the same error code); a correctly framed payload decodes to itself and its trailer.
    static func fuzzAWSChunked(_ input: [UInt8]) -> FuzzOutcome {
        guard input.count >= 3 else { return .refused }
        let modeByte = input[0] % 7
        let pieceSize = Int(input[1])
        let lengthByte = input[2]
        let rest = Array(input[3...])
        let context = Example.signer.chunkSigningContext(date: Example.date)
        let trailer = (name: "x-amz-checksum-crc32c", value: "sOO8/Q==")

        func decoder(_ mode: PayloadMode, decodedLength: Int64?, expectedTrailer: String?) -> AWSChunkedDecoder {
            let signed = mode == .streamingSigned || mode == .streamingSignedTrailer
            return AWSChunkedDecoder(
                mode: mode, signingContext: signed ? context : nil, seedSignature: signed ? chunkedSeedSignature : nil,
                decodedContentLength: decodedLength, expectedTrailer: expectedTrailer)
        }
        let declared: Int64? = lengthByte == 0 ? nil : Int64(lengthByte) * 64

        return FuzzOutcome.of {
            switch modeByte {
            case 0, 1, 2, 3:
                let (mode, expected): (PayloadMode, String?) = switch modeByte {
                case 0: (.streamingSigned, nil)
                case 1: (.streamingSignedTrailer, trailer.name)
                case 2: (.streamingUnsignedTrailer, "x-amz-checksum-crc32")
                default: (.streamingUnsignedTrailer, nil)
                }
                let whole = decode(rest, pieceSize: 0, with: decoder(mode, decodedLength: declared, expectedTrailer: expected))
                let split = decode(rest, pieceSize: pieceSize, with: decoder(mode, decodedLength: declared, expectedTrailer: expected))
                try expect(whole == split, "decoded whole: \(whole), in pieces of \(pieceSize): \(split)")
                if case .failed(let code, let message) = whole { throw S3Error(code, message: message) }
            default:
                let mode: PayloadMode = switch modeByte {
                case 4: .streamingSigned
                case 5: .streamingSignedTrailer
                default: .streamingUnsignedTrailer
                }
                let trailers = mode.hasTrailer ? [trailer] : []
                let body = Example.signer.awsChunkedBody(
                    rest, chunkSize: Int(AWSChunkedDecoder.minimumChunkSize) + Int(lengthByte), mode: mode,
                    seedSignature: chunkedSeedSignature, date: Example.date, trailers: trailers)
                let result = decode(
                    body, pieceSize: pieceSize,
                    with: decoder(mode, decodedLength: Int64(rest.count), expectedTrailer: mode.hasTrailer ? trailer.name : nil))
                let expected = Decoded(data: rest, trailers: trailers.map { "\($0.name):\($0.value)" })
                try expect(result == .decoded(expected), "a correctly framed \(mode) body of \(rest.count) bytes decoded to \(result)")
            }
        }
    }

    /// What a decoder made of a whole body.
    struct Decoded: Equatable {
        var data: [UInt8]
        var trailers: [String]
    }

    /// A body decoded, or the error it was refused with.
    enum DecodeResult: Equatable {
        case decoded(Decoded)
        case failed(S3ErrorCode, message: String)

        static func == (lhs: Self, rhs: Self) -> Bool {
            switch (lhs, rhs) {
            case (.decoded(let a), .decoded(let b)): a == b
            case (.failed(let a, _), .failed(let b, _)): a == b
            default: false
            }
        }
    }

    /// `body` through `decoder` in pieces of `pieceSize` bytes; the decoded bytes and trailers, or the error's code.
    static func decode(_ body: [UInt8], pieceSize: Int, with decoder: AWSChunkedDecoder) -> DecodeResult {
        var decoder = decoder
        var data: [UInt8] = []
        do throws(S3Error) {
            for piece in FuzzInput.pieces(body, size: pieceSize) {
                try decoder.feed(piece) { data += $0 }
            }
            let trailers = try decoder.finish()
            guard decoder.decodedByteCount == Int64(data.count) else {
                return .failed(.internalError, message: "decodedByteCount \(decoder.decodedByteCount) != \(data.count)")
            }
            return .decoded(Decoded(data: data, trailers: trailers.map { "\($0.name):\($0.value)" }))
        } catch {
            return .failed(error.code, message: error.message)
        }
    }
}
