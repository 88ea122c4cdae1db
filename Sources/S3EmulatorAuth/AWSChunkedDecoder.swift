import Crypto
import Foundation
import S3EmulatorCore

/// Decodes a request body as it streams in, and checks it against what the request head said.
///
/// For the aws-chunked modes (`STREAMING-…`) it takes the chunk framing off —
/// `<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n` … `0[;chunk-signature=<sig>]\r\n`, then the
/// trailing headers and an empty line, or just an empty line — and checks, while streaming:
/// every chunk signature and the final empty chunk's (signed modes), the trailing headers against
/// `x-amz-trailer` and their `x-amz-trailer-signature` (signed-trailer mode), that only the last data
/// chunk is below 8192 bytes, the framing, and `x-amz-decoded-content-length`.
/// For the other modes the body passes through unchanged; with `.sha256` its hash is checked.
///
/// Decoded bytes go to `output` as they arrive, before the chunk that holds them has been
/// verified: keep them provisional (a temporary file) until ``finish()`` returns.
/// Chunk headers may be split anywhere across `feed` calls; the work is linear in the body size.
///
/// ```swift
/// var decoder = result.bodyDecoder(for: head)
/// for try await buffer in body { try buffer.withUnsafeReadableBytes { try decoder.feed($0) { try file.write($0) } } }
/// let trailers = try decoder.finish()   // [("x-amz-checksum-crc32", "…")]
/// ```
public struct AWSChunkedDecoder: Sendable {
    private enum State: Sendable {
        case passThrough
        case chunkSize
        case chunkExtension
        case chunkHeaderLF
        case chunkData
        case chunkDataCR
        case chunkDataLF
        case finalCR
        case finalLF
        case trailerLine
        case trailerLineLF
        case done
    }

    /// The smallest size S3 allows for a data chunk that is not the last one.
    public static let minimumChunkSize: Int64 = 8192
    private static let maximumExtensionLength = 512
    private static let maximumTrailerLength = 16 * 1024
    private static let chunkSignaturePrefix = Array("chunk-signature=".utf8)

    private let mode: PayloadMode
    private let context: ChunkSigningContext?
    private let decodedContentLength: Int64?
    private let expectedTrailers: [String]?
    private var previousSignature: String
    private var state: State
    private var failure: S3Error?

    private var chunkSize: Int64 = 0
    private var sizeDigits = 0
    private var remaining: Int64 = 0
    private var line: [UInt8] = []
    private var chunkSignature = ""
    private var hasher = SendableSHA256()
    private var chunkNumber = 0
    private var previousChunkSize: Int64?
    private var decodedLength: Int64 = 0
    private var trailerLength = 0
    private var trailers: [(name: String, value: String)] = []
    private var trailerSignature: String?

    /// - Parameters:
    ///   - mode: the payload mode of the request (``AuthResult/payload``).
    ///   - signingContext: ``AuthResult/signingContext``; required for the signed streaming modes.
    ///   - seedSignature: ``AuthResult/seedSignature``; the first chunk's signature chains from it.
    ///   - decodedContentLength: the value of `x-amz-decoded-content-length`, checked when given.
    ///   - expectedTrailer: the value of `x-amz-trailer` (for example `x-amz-checksum-crc32`).
    public init(
        mode: PayloadMode,
        signingContext: ChunkSigningContext?,
        seedSignature: String?,
        decodedContentLength: Int64?,
        expectedTrailer: String?
    ) {
        self.mode = mode
        self.context = signingContext
        self.previousSignature = seedSignature?.lowercased() ?? ""
        self.decodedContentLength = decodedContentLength
        self.expectedTrailers = expectedTrailer.map { value in
            value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        }
        self.state = mode.isStreaming ? .chunkSize : .passThrough
        if mode.isSignedStreaming && signingContext == nil {
            failure = S3Error(.internalError, message: "A signed aws-chunked body needs the signing context of its request.")
        }
    }

    /// The number of decoded bytes so far.
    public var decodedByteCount: Int64 { decodedLength }

    /// Consumes `bytes` and hands the decoded payload bytes to `output`, in order.
    public mutating func feed(
        _ bytes: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws(S3Error) -> Void
    ) throws(S3Error) {
        if let failure { throw failure }
        do {
            try consume(bytes, output: output)
        } catch {
            failure = error
            throw error
        }
    }

    /// Ends the body: checks that it was complete and returns the trailing headers
    /// (without `x-amz-trailer-signature`), names lowercased.
    public mutating func finish() throws(S3Error) -> [(name: String, value: String)] {
        if let failure { throw failure }
        do {
            try end()
        } catch {
            failure = error
            throw error
        }
        return trailers
    }

    // MARK: - Decoding

    private mutating func consume(
        _ bytes: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws(S3Error) -> Void
    ) throws(S3Error) {
        var index = 0
        let count = bytes.count
        while index < count {
            switch state {
            case .passThrough:
                let rest = UnsafeRawBufferPointer(rebasing: bytes[index..<count])
                if case .sha256 = mode { hasher.update(rest) }
                decodedLength += Int64(rest.count)
                try output(rest)
                index = count
            case .chunkData:
                let take = Int(min(Int64(count - index), remaining))
                let slice = UnsafeRawBufferPointer(rebasing: bytes[index..<(index + take)])
                if mode.isSignedStreaming { hasher.update(slice) }
                try output(slice)
                remaining -= Int64(take)
                index += take
                if remaining == 0 {
                    if mode.isSignedStreaming {
                        try verifyChunk(sha256: hasher.finalizeHex())
                    }
                    state = .chunkDataCR
                }
            default:
                try step(bytes[index])
                index += 1
            }
        }
    }

    private mutating func step(_ byte: UInt8) throws(S3Error) {
        switch state {
        case .chunkSize:
            if let digit = AuthBytes.hexValue(byte) {
                sizeDigits += 1
                guard sizeDigits <= 15 else { throw .bodyTerminatedUnexpectedly }
                chunkSize = chunkSize << 4 | Int64(digit)
            } else if byte == UInt8(ascii: ";"), sizeDigits > 0 {
                line.removeAll(keepingCapacity: true)
                state = .chunkExtension
            } else if byte == UInt8(ascii: "\r"), sizeDigits > 0 {
                line.removeAll(keepingCapacity: true)
                state = .chunkHeaderLF
            } else {
                throw .bodyTerminatedUnexpectedly
            }
        case .chunkExtension:
            if byte == UInt8(ascii: "\r") {
                state = .chunkHeaderLF
            } else {
                guard line.count < Self.maximumExtensionLength else { throw .bodyTerminatedUnexpectedly }
                line.append(byte)
            }
        case .chunkHeaderLF:
            guard byte == UInt8(ascii: "\n") else { throw .bodyTerminatedUnexpectedly }
            try beginChunk()
        case .chunkDataCR:
            guard byte == UInt8(ascii: "\r") else { throw .bodyTerminatedUnexpectedly }
            state = .chunkDataLF
        case .chunkDataLF:
            guard byte == UInt8(ascii: "\n") else { throw .bodyTerminatedUnexpectedly }
            chunkSize = 0
            sizeDigits = 0
            state = .chunkSize
        case .finalCR:
            guard byte == UInt8(ascii: "\r") else { throw .bodyTerminatedUnexpectedly }
            state = .finalLF
        case .finalLF:
            guard byte == UInt8(ascii: "\n") else { throw .bodyTerminatedUnexpectedly }
            try endTrailers()
            state = .done
        case .trailerLine:
            if byte == UInt8(ascii: "\r") {
                state = .trailerLineLF
            } else {
                trailerLength += 1
                guard trailerLength <= Self.maximumTrailerLength else { throw .malformedTrailer }
                line.append(byte)
            }
        case .trailerLineLF:
            guard byte == UInt8(ascii: "\n") else { throw .malformedTrailer }
            if line.isEmpty {
                try endTrailers()
                state = .done
            } else {
                try addTrailerLine()
                line.removeAll(keepingCapacity: true)
                state = .trailerLine
            }
        case .done:
            throw .bodyTerminatedUnexpectedly
        case .passThrough, .chunkData:
            break  // handled in bulk by consume
        }
    }

    /// A chunk header has ended (after its `\r\n`).
    private mutating func beginChunk() throws(S3Error) {
        chunkNumber += 1
        if mode.isSignedStreaming {
            guard line.count == Self.chunkSignaturePrefix.count + 64,
                line.starts(with: Self.chunkSignaturePrefix)
            else { throw .bodyTerminatedUnexpectedly }
            let signature = line[Self.chunkSignaturePrefix.count...]
            guard signature.allSatisfy({ AuthBytes.hexValue($0) != nil }) else { throw .bodyTerminatedUnexpectedly }
            chunkSignature = String(decoding: signature, as: UTF8.self)
        }
        line.removeAll(keepingCapacity: true)
        if chunkSize > 0 {
            if let previousChunkSize, previousChunkSize < Self.minimumChunkSize {
                throw .invalidChunkSize(chunk: chunkNumber - 1, size: previousChunkSize)
            }
            if let decodedContentLength, decodedLength + chunkSize > decodedContentLength {
                throw .bodyTerminatedUnexpectedly
            }
            previousChunkSize = chunkSize
            remaining = chunkSize
            decodedLength += chunkSize
            if mode.isSignedStreaming { hasher = SendableSHA256() }
            state = .chunkData
        } else {
            if mode.isSignedStreaming {
                try verifyChunk(sha256: SigV4.emptySHA256)
            }
            state = mode.hasTrailer ? .trailerLine : .finalCR
        }
    }

    private mutating func verifyChunk(sha256: String) throws(S3Error) {
        guard let context else { throw .bodyTerminatedUnexpectedly }
        let stringToSign = context.chunkStringToSign(previousSignature: previousSignature, chunkSHA256: sha256)
        let computed = SigV4.hexSignature(key: context.signingKey, message: stringToSign)
        guard AuthBytes.hexSignatureMatches(computed: computed, provided: chunkSignature) else {
            throw .signatureDoesNotMatch(
                accessKeyId: context.accessKeyId, stringToSign: stringToSign, signatureProvided: chunkSignature,
                canonicalRequest: nil)
        }
        previousSignature = computed
    }

    private mutating func addTrailerLine() throws(S3Error) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw .malformedTrailer }
        let name = String(decoding: line[..<colon], as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
        let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw .malformedTrailer }
        if name == "x-amz-trailer-signature" {
            guard mode == .streamingSignedTrailer, trailerSignature == nil else { throw .malformedTrailer }
            trailerSignature = value
        } else {
            guard !trailers.contains(where: { $0.name == name }) else { throw .malformedTrailer }
            trailers.append((name, value))
        }
    }

    /// The body's last line has arrived: check the trailing headers and their signature.
    private mutating func endTrailers() throws(S3Error) {
        let expected = expectedTrailers ?? []
        guard trailers.count == expected.count, trailers.allSatisfy({ expected.contains($0.name) }) else {
            throw .malformedTrailer
        }
        guard mode == .streamingSignedTrailer, !trailers.isEmpty || trailerSignature != nil else { return }
        guard let context, let provided = trailerSignature else { throw .malformedTrailer }
        let stringToSign = context.trailerStringToSign(previousSignature: previousSignature, trailers: trailers)
        let computed = SigV4.hexSignature(key: context.signingKey, message: stringToSign)
        guard AuthBytes.hexSignatureMatches(computed: computed, provided: provided) else {
            throw .signatureDoesNotMatch(
                accessKeyId: context.accessKeyId, stringToSign: stringToSign, signatureProvided: provided,
                canonicalRequest: nil)
        }
        previousSignature = computed
    }

    private mutating func end() throws(S3Error) {
        switch state {
        case .passThrough:
            if case .sha256(let expected) = mode {
                let computed = hasher.finalizeHex()
                guard computed == expected else {
                    throw S3Error(
                        .xAmzContentSHA256Mismatch,
                        details: [("ClientComputedContentSHA256", expected), ("S3ComputedContentSHA256", computed)])
                }
            }
            return
        case .done:
            break
        case .trailerLine where line.isEmpty && !trailers.isEmpty:
            // The trailing headers ended without the final empty line: accept the trailers as sent.
            try endTrailers()
            state = .done
        default:
            throw .bodyTerminatedUnexpectedly
        }
        if let decodedContentLength, decodedLength != decodedContentLength {
            throw .bodyTerminatedUnexpectedly
        }
    }
}

/// An incremental SHA-256 that can be held in a `Sendable` value.
///
/// `@unchecked Sendable` is safe: swift-crypto's `SHA256` is a value type whose state is a
/// copy-on-write box (it copies its context unless uniquely referenced before every update, and
/// `finalize` only reads a copy), so two values never mutate shared state, exactly as with `Array`.
struct SendableSHA256: @unchecked Sendable {
    private var hash = SHA256()

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hash.update(bufferPointer: bytes)
    }

    func finalizeHex() -> String {
        AuthBytes.hex(hash.finalize())
    }
}
