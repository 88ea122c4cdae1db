import Crypto
import Foundation
import S3EmulatorCore

/// The pieces of Signature Version 4 that the verifier and the signer share.
enum SigV4 {
    static let algorithm = "AWS4-HMAC-SHA256"
    static let terminator = "aws4_request"
    /// SHA-256 of the empty string.
    static let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// The largest difference S3 allows between the time of a request and its own, in seconds.
    static let maximumSkew: Int64 = 900

    /// `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
    static func signingKey(secret: String, date: String, region: String, service: String) -> [UInt8] {
        var key = hmac(key: Array(("AWS4" + secret).utf8), message: date)
        key = hmac(key: key, message: region)
        key = hmac(key: key, message: service)
        return hmac(key: key, message: terminator)
    }

    static func hmac(key: [UInt8], message: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: key)))
    }

    /// The lowercase hex HMAC-SHA256 of `message` under `key`.
    static func hexSignature(key: [UInt8], message: String) -> String {
        AuthBytes.hex(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: key)))
    }

    static func sha256Hex(_ text: String) -> String {
        var text = text
        return text.withUTF8 { sha256Hex(UnsafeRawBufferPointer($0)) }
    }

    static func sha256Hex(_ bytes: UnsafeRawBufferPointer) -> String {
        AuthBytes.hex(SHA256.hash(data: bytes))
    }

    /// `AWS4-HMAC-SHA256\n<timestamp>\n<scope>\n<hex SHA-256 of the canonical request>`.
    static func stringToSign(timestamp: String, scope: String, canonicalRequest: String) -> String {
        stringToSign(timestamp: timestamp, scope: scope, canonicalRequestHash: sha256Hex(canonicalRequest))
    }

    /// The string to sign, from the hex SHA-256 of the canonical request.
    static func stringToSign(timestamp: String, scope: String, canonicalRequestHash hash: String) -> String {
        ByteWriter.string(capacity: algorithm.utf8.count + timestamp.utf8.count + scope.utf8.count + hash.utf8.count + 3) { out in
            out.append(algorithm)
            out.append(0x0A)
            out.append(timestamp)
            out.append(0x0A)
            out.append(scope)
            out.append(0x0A)
            out.append(hash)
        }
    }

    /// `2013-05-24T00:00:00Z`, as S3 writes `ServerTime`, `Expires` and the like in error bodies.
    static func errorTime(_ date: Date) -> String {
        let basic = Array(AmazonDate.formatBasic(date).utf8)  // 20130524T000000Z
        guard basic.count == 16 else { return AmazonDate.formatBasic(date) }
        var out: [UInt8] = []
        out.reserveCapacity(20)
        out += basic[0..<4]
        out.append(UInt8(ascii: "-"))
        out += basic[4..<6]
        out.append(UInt8(ascii: "-"))
        out += basic[6..<8]
        out.append(UInt8(ascii: "T"))
        out += basic[9..<11]
        out.append(UInt8(ascii: ":"))
        out += basic[11..<13]
        out.append(UInt8(ascii: ":"))
        out += basic[13..<15]
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }
}
