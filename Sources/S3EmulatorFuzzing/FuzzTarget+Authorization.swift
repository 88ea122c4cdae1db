import Foundation
import S3Emulator
import S3EmulatorAuth
import S3EmulatorCore

extension FuzzTarget {
    /// The credentials and time of the AWS documentation's SigV4 examples, so that the seeds
    /// taken from there authenticate and the fuzzer starts from requests that get all the way through.
    enum Example {
        static let accessKeyId = "AKIAIOSFODNN7EXAMPLE"
        static let secretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        /// 2013-05-24T00:00:00Z.
        static let date = Date(timeIntervalSince1970: 1_369_353_600)
        static let authenticator = SigV4Authenticator(
            region: "us-east-1",
            credentials: StaticCredentialStore([
                Credential(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey, principal: "root")
            ]),
            clock: ManualClock(date)
        )
        static let signer = SigV4Signer(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey, region: "us-east-1")
        static let domains = ["s3.amazonaws.com", "localhost"]
    }

    /// A raw request: `METHOD target\n`, header lines `Name: value`, an empty line, the body.
    /// The head is addressed, routed and authenticated as the server does it; when it
    /// authenticates, the body goes through the decoder its payload mode selects.
    static func fuzzAuthorization(_ input: [UInt8]) -> FuzzOutcome {
        let (headBytes, body) = FuzzInput.headAndBody(input)
        let lines = FuzzInput.lines(headBytes)
        let requestLine = lines.first?.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false) ?? []
        let method = requestLine.first.map(String.init) ?? "GET"
        let target = requestLine.count > 1 ? String(requestLine[1]) : "/"
        let (rawPath, rawQuery) = splitTarget(target)
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            if let header = FuzzInput.header(line) { headers.append(header) }
        }
        let host = headers.first { $0.name == "host" }?.value
        // The server stops at a routing error; authentication is tried anyway, for its own coverage.
        let routed = try? RequestParsing.route(
            method: method, host: host, rawPath: rawPath, rawQuery: rawQuery, headers: headers.filter { $0.name != "host" },
            domains: Example.domains)
        return FuzzOutcome.of {
            let head = AuthRequestHead(
                method: method, rawPath: rawPath, rawQuery: rawQuery, headers: headers,
                virtualHostedBucket: routed.flatMap { $0.address.isVirtualHosted ? $0.address.bucket : nil })
            let result = try Example.authenticator.authenticate(head)
            var decoder = result.bodyDecoder(for: head)
            var decoded = 0
            try decoder.feed(body) { decoded += $0.count }
            _ = try decoder.finish()
            try expect(Int64(decoded) == decoder.decodedByteCount, "decodedByteCount \(decoder.decodedByteCount) != \(decoded) bytes handed on")
        }
    }

    /// `path?query` split at the first `?`; the query is nil when there is no `?`.
    static func splitTarget(_ target: String) -> (rawPath: String, rawQuery: String?) {
        guard let mark = target.firstIndex(of: "?") else { return (target, nil) }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }
}
