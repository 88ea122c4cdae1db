import Foundation
import S3EmulatorAuth

/// A request that a real boto3 client signed (see ``BotocoreFixtureData``).
struct BotocoreFixture: Decodable {
    var name: String
    var method: String
    var rawPath: String
    var rawQuery: String?
    var virtualHostedBucket: String?
    var headers: [[String]]
    /// botocore's canonical request (Signature Version 4, Python signer, header auth).
    var canonicalRequest: String?
    /// botocore's string to sign.
    var stringToSign: String?
    var bodyHex: String

    var head: AuthRequestHead {
        AuthRequestHead(
            method: method, rawPath: rawPath, rawQuery: rawQuery,
            headers: headers.map { (name: $0[0], value: $0[1]) }, virtualHostedBucket: virtualHostedBucket)
    }

    var body: [UInt8] { bytes(hex: bodyHex) }

    func header(_ name: String) -> String? {
        headers.first { $0[0] == name }?[1]
    }

    /// The names in `SignedHeaders` of the Authorization header.
    var signedHeaders: [String]? {
        guard let authorization = header("authorization"), authorization.hasPrefix("AWS4-HMAC-SHA256"),
            let range = authorization.range(of: "SignedHeaders=")
        else { return nil }
        let rest = authorization[range.upperBound...]
        return rest.prefix { $0 != "," }.split(separator: ";").map(String.init)
    }

    var isPresigned: Bool { rawQuery?.contains("Signature=") ?? false }

    struct Sets: Decodable {
        var botocoreSignatureV4: [BotocoreFixture]
        var botocoreSignatureV2: [BotocoreFixture]
        var awscrtSignatureV4: [BotocoreFixture]
    }

    static let sets: Sets = {
        do {
            return try JSONDecoder().decode(Sets.self, from: Data(BotocoreFixtureData.json.utf8))
        } catch {
            fatalError("BotocoreFixtureData.json does not decode: \(error)")
        }
    }()
}
