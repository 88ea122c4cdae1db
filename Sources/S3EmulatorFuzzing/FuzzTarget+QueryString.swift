import Foundation
import S3Emulator
import S3EmulatorAuth
import S3EmulatorCore

extension FuzzTarget {
    /// A request target `path?query` on the first line, a `Host` on the second (optional).
    /// Parses and decodes the query, addresses the request, builds SigV4's canonical request of
    /// it, presigns it and authenticates the result.
    /// Invariant: every decoded name and value survives `UriEncode` and decoding unchanged.
    static func fuzzQueryString(_ input: [UInt8]) -> FuzzOutcome {
        let lines = FuzzInput.lines(input)
        let target = lines.first ?? ""
        let host = lines.count > 1 ? lines[1] : "s3.amazonaws.com"
        let (rawPath, rawQuery) = splitTarget(target)
        return FuzzOutcome.of {
            if let rawQuery, let parameters = URIEncoding.parseQuery(rawQuery) {
                for (name, value) in parameters {
                    for text in [name, value ?? ""] {
                        let encoded = URIEncoding.encode(text, encodeSlash: true)
                        try expect(URIEncoding.percentDecode(encoded[...]) == text, "percentDecode(encode(\(text.debugDescription)))")
                        try expect(URIEncoding.formDecode(encoded[...]) == text, "formDecode(encode(\(text.debugDescription)))")
                        _ = URIEncoding.encode(text, encodeSlash: false)
                    }
                }
            }
            _ = URIEncoding.percentDecode(rawPath[...])
            if let query = try? QueryParameters(rawQuery: rawQuery) {
                _ = try? RequestParsing.versionID(query["versionId"])
                _ = try? RequestParsing.partNumber(query["partNumber"] ?? "")
            }
            _ = try? RequestAddress.resolve(host: host, rawPath: rawPath, domains: Example.domains)
            let head = AuthRequestHead(method: "GET", rawPath: rawPath, rawQuery: rawQuery, headers: [("host", host)])
            _ = Example.signer.canonicalRequest(head, signedHeaders: ["host"], payloadHash: SigV4Signer.unsignedPayload)
            _ = Example.signer.canonicalRequest(head, signedHeaders: ["host"], payloadHash: SigV4Signer.unsignedPayload, presigned: true)
            let presigned = Example.signer.presign(head, expires: 3600, date: Example.date)
            _ = try? Example.authenticator.authenticate(presigned)
            let signed = Example.signer.sign(head, payloadHash: SigV4Signer.emptyPayloadSHA256, date: Example.date)
            _ = try Example.authenticator.authenticate(signed.head)
        }
    }
}
