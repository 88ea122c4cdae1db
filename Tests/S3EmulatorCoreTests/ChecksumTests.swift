import S3EmulatorCore
import XCTest

/// Expected values computed independently with Python's `zlib.crc32` and
/// `awscrt.checksums.crc32c` / `crc64nvme` (the AWS Common Runtime that the SDKs use).
final class ChecksumTests: XCTestCase {
    struct Vector {
        let input: [UInt8]
        let crc32: UInt32
        let crc32c: UInt32
        let crc64nvme: UInt64
        let crc32Base64: String
        let crc32cBase64: String
        let crc64nvmeBase64: String
    }

    static let vectors: [Vector] = [
        Vector(
            input: [], crc32: 0, crc32c: 0, crc64nvme: 0,
            crc32Base64: "AAAAAA==", crc32cBase64: "AAAAAA==", crc64nvmeBase64: "AAAAAAAAAAA="),
        Vector(
            input: Array("a".utf8), crc32: 0xE8B7_BE43, crc32c: 0xC1D0_4330, crc64nvme: 0x8C2F_8445_B4CB_FC3C,
            crc32Base64: "6Le+Qw==", crc32cBase64: "wdBDMA==", crc64nvmeBase64: "jC+ERbTL/Dw="),
        Vector(
            input: Array("123456789".utf8), crc32: 0xCBF4_3926, crc32c: 0xE306_9283, crc64nvme: 0xAE8B_1486_0A79_9888,
            crc32Base64: "y/Q5Jg==", crc32cBase64: "4waSgw==", crc64nvmeBase64: "rosUhgp5mIg="),
        Vector(
            input: Array("Hello world".utf8), crc32: 0x8BD6_9E52, crc32c: 0x72B5_1F78, crc64nvme: 0x38E2_59D0_3F31_2ADB,
            crc32Base64: "i9aeUg==", crc32cBase64: "crUfeA==", crc64nvmeBase64: "OOJZ0D8xKts="),
        Vector(
            input: Array("The quick brown fox jumps over the lazy dog".utf8),
            crc32: 0x414F_A339, crc32c: 0x2262_0404, crc64nvme: 0xD76C_5405_4954_C143,
            crc32Base64: "QU+jOQ==", crc32cBase64: "ImIEBA==", crc64nvmeBase64: "12xUBUlUwUM="),
        Vector(
            input: Array((0..<4).flatMap { _ in (0...255).map { UInt8($0) } }) + Array("xyz".utf8),
            crc32: 0x1C50_5903, crc32c: 0x1B22_2F45, crc64nvme: 0xB38C_643A_4876_F0A7,
            crc32Base64: "HFBZAw==", crc32cBase64: "GyIvRQ==", crc64nvmeBase64: "s4xkOkh28Kc="),
    ]

    func testCRC32MatchesZlibAndTheCheckValue() {
        for vector in Self.vectors {
            var crc = CRC32()
            crc.update(vector.input)
            XCTAssertEqual(crc.value, vector.crc32, "\(vector.input.prefix(12))")
            XCTAssertEqual(Base64.encode(crc.bigEndianBytes), vector.crc32Base64)
        }
    }

    func testCRC32CMatchesAWSCommonRuntimeAndTheCheckValue() {
        for vector in Self.vectors {
            var crc = CRC32C()
            crc.update(vector.input)
            XCTAssertEqual(crc.value, vector.crc32c, "\(vector.input.prefix(12))")
            XCTAssertEqual(Base64.encode(crc.bigEndianBytes), vector.crc32cBase64)
        }
    }

    func testCRC64NVMEMatchesAWSCommonRuntimeAndTheCheckValue() {
        for vector in Self.vectors {
            var crc = CRC64NVME()
            crc.update(vector.input)
            XCTAssertEqual(crc.value, vector.crc64nvme, "\(vector.input.prefix(12))")
            XCTAssertEqual(Base64.encode(crc.bigEndianBytes), vector.crc64nvmeBase64)
        }
    }

    func testIncrementalUpdatesAtEverySplitPointGiveTheSameChecksum() {
        let input = Self.vectors[4].input
        for split in 0...input.count {
            var crc32 = CRC32()
            var crc32c = CRC32C()
            var crc64 = CRC64NVME()
            input[..<split].withUnsafeBytes { crc32.update($0); crc32c.update($0); crc64.update($0) }
            input[split...].withUnsafeBytes { crc32.update($0); crc32c.update($0); crc64.update($0) }
            XCTAssertEqual(crc32.value, 0x414F_A339, "split at \(split)")
            XCTAssertEqual(crc32c.value, 0x2262_0404, "split at \(split)")
            XCTAssertEqual(crc64.value, 0xD76C_5405_4954_C143, "split at \(split)")
        }
    }

    func testUnalignedBuffersGiveTheSameChecksum() {
        let input = Self.vectors[5].input
        for offset in 0..<8 {
            let padded = [UInt8](repeating: 0xAA, count: offset) + input
            var crc = CRC64NVME()
            padded.withUnsafeBytes { crc.update(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            XCTAssertEqual(crc.value, 0xB38C_643A_4876_F0A7, "offset \(offset)")
            var crc32c = CRC32C()
            padded.withUnsafeBytes { crc32c.update(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            XCTAssertEqual(crc32c.value, 0x1B22_2F45, "offset \(offset)")
        }
    }

    func testNonContiguousSequencesTakeTheSlowPathCorrectly() {
        let lazyDigits = (1...9).lazy.map { UInt8(ascii: "0") + UInt8($0) }
        var crc32 = CRC32()
        crc32.update(lazyDigits)
        XCTAssertEqual(crc32.value, 0xCBF4_3926)
        // Longer than the internal 4 KiB chunk.
        let long = (0..<1024).lazy.map { UInt8(truncatingIfNeeded: $0 % 256) } + Array("xyz".utf8)
        var crc64 = CRC64NVME()
        crc64.update(long)
        XCTAssertEqual(crc64.value, 0xB38C_643A_4876_F0A7)
        var many = CRC32C()
        many.update((0..<10_000).lazy.map { _ in UInt8(ascii: "a") })
        var reference = CRC32C()
        reference.update([UInt8](repeating: UInt8(ascii: "a"), count: 10_000))
        XCTAssertEqual(many.value, reference.value)
    }

    func testOneMebibytePatternMatchesReference() {
        let input = (0..<1_000_003).map { UInt8(($0 * 31 + 7) % 251) }
        var crc32 = CRC32()
        var crc32c = CRC32C()
        var crc64 = CRC64NVME()
        crc32.update(input)
        crc32c.update(input)
        crc64.update(input)
        XCTAssertEqual(crc32.value, 0xAC01_ADF2)
        XCTAssertEqual(crc32c.value, 0x6277_1C74)
        XCTAssertEqual(crc64.value, 0x0C89_141C_B462_CA69)
    }

    func testBigEndianBytesAreMostSignificantFirst() {
        var crc = CRC32()
        crc.update(Array("123456789".utf8))
        XCTAssertEqual(crc.bigEndianBytes, [0xCB, 0xF4, 0x39, 0x26])
        var crc64 = CRC64NVME()
        crc64.update(Array("123456789".utf8))
        XCTAssertEqual(crc64.bigEndianBytes, [0xAE, 0x8B, 0x14, 0x86, 0x0A, 0x79, 0x98, 0x88])
    }

    // MARK: - ChecksumAlgorithm

    func testChecksumAlgorithmHeaderNamesAndDigestLengths() {
        let expected: [(ChecksumAlgorithm, String, Int)] = [
            (.crc32, "x-amz-checksum-crc32", 4),
            (.crc32c, "x-amz-checksum-crc32c", 4),
            (.crc64nvme, "x-amz-checksum-crc64nvme", 8),
            (.sha1, "x-amz-checksum-sha1", 20),
            (.sha256, "x-amz-checksum-sha256", 32),
        ]
        XCTAssertEqual(ChecksumAlgorithm.allCases.count, expected.count)
        for (algorithm, header, length) in expected {
            XCTAssertEqual(algorithm.headerName, header)
            XCTAssertEqual(algorithm.digestLength, length)
            XCTAssertEqual(ChecksumAlgorithm(headerName: header), algorithm)
            XCTAssertEqual(ChecksumAlgorithm(headerName: header.uppercased()), algorithm)
            XCTAssertEqual(ChecksumAlgorithm(algorithmName: algorithm.rawValue), algorithm)
            XCTAssertEqual(ChecksumAlgorithm(algorithmName: algorithm.rawValue.lowercased()), algorithm)
        }
        XCTAssertEqual(ChecksumAlgorithm(headerName: "X-Amz-Checksum-Crc64Nvme"), .crc64nvme)
        XCTAssertEqual(ChecksumAlgorithm(algorithmName: "Crc32C"), .crc32c)
    }

    func testChecksumAlgorithmRefusesUnknownNames() {
        for name in ["", "crc", "CRC32 ", "md5", "sha512", "crc64", "x-amz-checksum-crc32", "CRC32CC"] {
            XCTAssertNil(ChecksumAlgorithm(algorithmName: name), name)
        }
        for header in ["", "x-amz-checksum-", "x-amz-checksum-md5", "x-amz-checksum-algorithm", "x-amz-checksum-type",
            "crc32", "x-amz-checksum-crc32 "]
        {
            XCTAssertNil(ChecksumAlgorithm(headerName: header), header)
        }
    }

    // MARK: - Base64

    func testBase64EncodesRFC4648TestVectors() {
        let vectors: [(String, String)] = [
            ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ]
        for (plain, encoded) in vectors {
            XCTAssertEqual(Base64.encode(Array(plain.utf8)), encoded)
            XCTAssertEqual(Base64.decode(encoded), Array(plain.utf8), encoded)
        }
        XCTAssertEqual(Base64.encode([0xFB, 0xFF, 0xBF]), "+/+/")
        XCTAssertEqual(Base64.decode("+/+/"), [0xFB, 0xFF, 0xBF])
    }

    func testBase64RoundTripsEveryByteValueAndLength() {
        let bytes = (0..<256).map { UInt8($0) }
        for length in 0...bytes.count {
            let slice = Array(bytes[..<length])
            XCTAssertEqual(Base64.decode(Base64.encode(slice)), slice, "length \(length)")
        }
    }

    func testBase64DecodeRefusesInvalidText() {
        let invalid = [
            "Zg", "Zg=", "Zm9", "Zg===", "=Zg=", "Z===", "Zg==Zg==", "Zm9v\n", " Zm9v", "Zm 9v", "Zm9v-_==",
            "Zm9v!A==", "Zm=v", "Z=9v", "é===", "====",
        ]
        for text in invalid {
            XCTAssertNil(Base64.decode(text), text)
        }
    }

    func testBase64DecodesAWSChecksumHeaderValues() {
        XCTAssertEqual(Base64.decode("i9aeUg=="), [0x8B, 0xD6, 0x9E, 0x52])
        XCTAssertEqual(Base64.decode("OOJZ0D8xKts="), [0x38, 0xE2, 0x59, 0xD0, 0x3F, 0x31, 0x2A, 0xDB])
    }
}

extension ChecksumTests {
    private func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }

    private func crc32c(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc = CRC32C()
        crc.update(bytes)
        return crc.value
    }

    private func crc64(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var crc = CRC64NVME()
        crc.update(bytes)
        return crc.value
    }

    func testCombiningTwoChecksumsEqualsTheChecksumOfTheJoinedBytes() {
        let input = Self.vectors[5].input
        for split in [0, 1, 7, 8, 9, 100, 511, 512, 1000, input.count] {
            let first = input[..<split]
            let second = input[split...]
            let length = Int64(second.count)
            XCTAssertEqual(CRC32.combine(crc32(first), crc32(second), secondLength: length), 0x1C50_5903, "\(split)")
            XCTAssertEqual(CRC32C.combine(crc32c(first), crc32c(second), secondLength: length), 0x1B22_2F45, "\(split)")
            XCTAssertEqual(
                CRC64NVME.combine(crc64(first), crc64(second), secondLength: length), 0xB38C_643A_4876_F0A7, "\(split)")
        }
        let hello = Array("Hello ".utf8)[...]
        let world = Array("world".utf8)[...]
        XCTAssertEqual(CRC32.combine(crc32(hello), crc32(world), secondLength: 5), 0x8BD6_9E52)
        XCTAssertEqual(CRC32C.combine(crc32c(hello), crc32c(world), secondLength: 5), 0x72B5_1F78)
        XCTAssertEqual(CRC64NVME.combine(crc64(hello), crc64(world), secondLength: 5), 0x38E2_59D0_3F31_2ADB)
    }

    func testCombiningManyPartsLikeAFullObjectMultipartChecksum() {
        let input = (0..<1_000_003).map { UInt8(($0 * 31 + 7) % 251) }
        let partSize = 262_144
        var combined32: UInt32 = 0
        var combined32c: UInt32 = 0
        var combined64: UInt64 = 0
        var offset = 0
        var first = true
        while offset < input.count {
            let part = input[offset..<min(offset + partSize, input.count)]
            if first {
                (combined32, combined32c, combined64) = (crc32(part), crc32c(part), crc64(part))
                first = false
            } else {
                let length = Int64(part.count)
                combined32 = CRC32.combine(combined32, crc32(part), secondLength: length)
                combined32c = CRC32C.combine(combined32c, crc32c(part), secondLength: length)
                combined64 = CRC64NVME.combine(combined64, crc64(part), secondLength: length)
            }
            offset += partSize
        }
        XCTAssertEqual(combined32, 0xAC01_ADF2)
        XCTAssertEqual(combined32c, 0x6277_1C74)
        XCTAssertEqual(combined64, 0x0C89_141C_B462_CA69)
    }

    func testCombiningWithAHugeSecondLengthDoesNotTrap() {
        _ = CRC32.combine(1, 2, secondLength: Int64.max)
        _ = CRC64NVME.combine(1, 2, secondLength: 5 << 40)
        XCTAssertEqual(CRC32C.combine(0x1234, 0x5678, secondLength: 0), 0x1234)
        XCTAssertEqual(CRC32C.combine(0x1234, 0, secondLength: -1), 0x1234)
    }
}
