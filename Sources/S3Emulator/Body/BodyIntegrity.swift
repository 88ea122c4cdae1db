import Crypto
import S3EmulatorCore

/// The integrity checks a request body must pass, read from its headers before the body
/// arrives and applied to it as it streams: Content-MD5 and one `x-amz-checksum-*` value.
/// (The signed payload hash, `x-amz-content-sha256`, is the authentication decoder's check.)
///
/// MD5 is always computed: it is the object's ETag.
struct BodyIntegrity {
    private var md5 = Insecure.MD5()
    private var checksum: ChecksumCalculator?
    private(set) var byteCount: Int64 = 0

    private let expectedMD5: [UInt8]?
    /// The checksum the client sent in a header; nil when it comes in a trailer or not at all.
    private let expectedChecksum: String?

    /// Reads the checks from the request headers. Throws InvalidDigest, InvalidRequest for malformed values.
    init(headers: S3Headers) throws(S3Error) {
        if let contentMD5 = headers["content-md5"] {
            guard let digest = Base64.decode(contentMD5), digest.count == 16 else {
                throw S3Error(.invalidDigest, details: [("Content-MD5", contentMD5)])
            }
            expectedMD5 = digest
        } else {
            expectedMD5 = nil
        }

        var found: (ChecksumAlgorithm, String)?
        for field in headers where field.name.hasPrefix("x-amz-checksum-") && field.name != "x-amz-checksum-type"
            && field.name != "x-amz-checksum-algorithm" && field.name != "x-amz-checksum-mode"
        {
            guard let algorithm = ChecksumAlgorithm(headerName: field.name) else {
                throw S3Error(.invalidRequest, message: "The algorithm type you specified in \(field.name) header is invalid.")
            }
            if let found, found.0 != algorithm {
                throw S3Error(.invalidRequest, message: "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
            }
            guard let bytes = Base64.decode(field.value), bytes.count == algorithm.digestLength else {
                throw S3Error(.invalidRequest, message: "Value for \(algorithm.headerName) header is invalid.")
            }
            found = (algorithm, field.value)
        }
        let declared = try Self.declaredAlgorithm(headers)
        if let found {
            if let declared, declared != found.0 {
                throw S3Error(.invalidRequest, message: "Value for x-amz-sdk-checksum-algorithm header is invalid.")
            }
            checksum = ChecksumCalculator(found.0)
            expectedChecksum = found.1
        } else {
            checksum = declared.map(ChecksumCalculator.init)
            expectedChecksum = nil
        }
    }

    private static func declaredAlgorithm(_ headers: S3Headers) throws(S3Error) -> ChecksumAlgorithm? {
        for name in ["x-amz-sdk-checksum-algorithm", "x-amz-checksum-algorithm"] {
            if let value = headers[name] {
                guard let algorithm = ChecksumAlgorithm(algorithmName: value) else {
                    throw S3Error(.invalidRequest, message: "Value for \(name) header is invalid.")
                }
                return algorithm
            }
        }
        if let trailer = headers["x-amz-trailer"], let algorithm = ChecksumAlgorithm(headerName: trailer) {
            return algorithm
        }
        return nil
    }

    /// The algorithm whose checksum is computed (and stored) for this body.
    var checksumAlgorithm: ChecksumAlgorithm? { checksum?.algorithm }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        byteCount += Int64(bytes.count)
        md5.update(bufferPointer: bytes)
        checksum?.update(bytes)
    }

    /// Checks every digest against the whole body. `trailingChecksum` is the value a trailer carried.
    /// Returns the MD5 (the ETag) and the stored checksum, if any.
    func verify(trailingChecksum: (name: String, value: String)? = nil) throws(S3Error) -> (md5: [UInt8], checksum: (ChecksumAlgorithm, String)?) {
        let md5 = Array(md5.finalize())
        if let expectedMD5, expectedMD5 != md5 {
            throw S3Error(.badDigest, details: [
                ("ExpectedDigest", Self.hex(expectedMD5)), ("CalculatedDigest", Base64.encode(md5)),
            ])
        }
        guard let checksum else { return (md5, nil) }
        let computed = checksum.finalize()
        var expected = expectedChecksum
        if let trailingChecksum {
            guard ChecksumAlgorithm(headerName: trailingChecksum.name) == checksum.algorithm else {
                throw S3Error(.invalidRequest, message: "The value specified in the x-amz-trailer header is not supported")
            }
            expected = trailingChecksum.value
        }
        if let expected, expected != computed {
            throw S3Error(.badDigest, message: "The \(checksum.algorithm.rawValue) you specified did not match the calculated checksum.")
        }
        return (md5, (checksum.algorithm, computed))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
