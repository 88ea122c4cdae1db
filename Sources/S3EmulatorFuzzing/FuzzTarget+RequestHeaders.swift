import Foundation
import S3Emulator
import S3EmulatorCore

extension FuzzTarget {
    /// Header lines (`Name: value`), an empty line, then a body. The headers go to the ACL headers'
    /// reader (`x-amz-acl`, `x-amz-grant-*`), the body checks (`Content-MD5`, `x-amz-checksum-*`,
    /// `x-amz-sdk-checksum-algorithm`, `x-amz-trailer`, applied to the body) and PutObject's
    /// metadata (`x-amz-meta-*`, content headers, `x-amz-tagging`, storage class, encryption);
    /// each value also goes to ListObjectsV2's `continuation-token` decoder.
    /// Invariants: accepted user metadata is at most 2 KiB; an accepted checksum has its
    /// algorithm's length; a continuation token made for a key decodes to that key.
    static func fuzzRequestHeaders(_ input: [UInt8]) -> FuzzOutcome {
        let (head, body) = FuzzInput.headAndBody(input)
        let headers = FuzzInput.lines(head).compactMap(FuzzInput.header)
        return FuzzOutcome.of {
            // Each reader answers on its own; the input is refused when any of them refuses it.
            var refusal: S3Error?
            func reading(_ read: () throws -> Void) throws {
                do {
                    try read()
                } catch let error as S3Error {
                    refusal = refusal ?? error
                }
            }
            try reading { _ = try RequestParsing.grantHeaders(headers) }
            try reading {
                if let checksum = try RequestParsing.bodyIntegrity(headers, body: Array(body)) {
                    try expect(
                        Base64.decode(checksum.value)?.count == checksum.algorithm.digestLength,
                        "\(checksum.algorithm.rawValue) checksum \(checksum.value.debugDescription) has the wrong length")
                }
            }
            try reading {
                let metadata = try RequestParsing.objectMetadata(headers)
                let size = metadata.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
                try expect(size <= 2048, "accepted \(size) bytes of user metadata")
            }
            for (_, value) in headers {
                if let key = RequestParsing.continuationToken(value) {
                    try expect(
                        RequestParsing.continuationToken(RequestParsing.continuationToken(resumingAfter: key)) == key,
                        "continuation token \(value.debugDescription) does not survive re-encoding")
                }
                try expect(
                    RequestParsing.continuationToken(RequestParsing.continuationToken(resumingAfter: value)) == value,
                    "the continuation token made for \(value.debugDescription) does not decode to it")
            }
            if let refusal { throw refusal }
        }
    }
}
