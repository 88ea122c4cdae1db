import Foundation
import S3EmulatorCore

extension SigV4Authenticator {
    /// The usual presigned URL (what SDKs make: the six `X-Amz-*` parameters once each, plain
    /// names, no security token, an unsigned payload), verified on the bytes of its query with
    /// almost no allocation.
    ///
    /// Returns a result only when the request passes every check ``authenticateQueryV4(_:query:now:)``
    /// makes, and then the same result. Anything else (an unusual shape, a wrong signature, an
    /// expired URL, an unknown key) returns nil, and the general path decides and words the
    /// refusal. `PresignedFastPathTests` holds the two paths to that.
    func authenticatePresignedURL(_ head: AuthRequestHead, now: Date) -> AuthResult? {
        guard let rawQuery = head.rawQuery, !head.hasHeader("authorization"), !head.hasHeader("x-amz-security-token") else {
            return nil
        }
        return URIEncoding.withUTF8(rawQuery) { query -> AuthResult? in
            guard let parameters = PresignedParameters(query) else { return nil }
            return verify(parameters, in: query, head: head, now: now)
        }
    }

    private func verify(
        _ parameters: PresignedParameters, in query: UnsafeBufferPointer<UInt8>, head: AuthRequestHead, now: Date
    ) -> AuthResult? {
        func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: query[range]) }

        let algorithm = bytes(parameters.algorithm)
        guard algorithm.elementsEqual(SigV4.algorithm.utf8) else { return nil }
        let date = bytes(parameters.date)
        guard let requestDate = AmazonDate.parseBasic(bytes: date) else { return nil }
        let expiresBytes = bytes(parameters.expires)
        guard (1...6).contains(expiresBytes.count), expiresBytes.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        let expires = expiresBytes.reduce(Int64(0)) { $0 * 10 + Int64($1 - 0x30) }
        guard expires >= 1, expires <= Self.maximumExpires else { return nil }

        // <key>/<yyyyMMdd>/<region>/s3/aws4_request, its slashes sent as %2F.
        guard let scope = credentialScope(bytes(parameters.credential), date: date) else { return nil }
        guard let credential = credentials.credential(forAccessKeyId: scope.accessKeyId) else { return nil }

        guard let signedHeaders = Self.signedHeaders(bytes(parameters.signedHeaders)),
            (try? Self.checkSignedHeaders(signedHeaders, in: head)) != nil
        else { return nil }

        let canonicalRequestHash = CanonicalRequest.sha256Hex(
            head: head, signedHeaders: signedHeaders, payloadHash: SigV4Signer.unsignedPayload, excludingSignatureParameter: true
        )
        let signingKey = signingKeys.signingKey(secret: credential.secretAccessKey, date: scope.date, region: region, service: "s3")
        // AWS4-HMAC-SHA256\n<date>\n<yyyyMMdd>/<region>/s3/aws4_request\n<hash>
        let capacity = algorithm.count + date.count + scope.date.utf8.count + region.utf8.count + canonicalRequestHash.utf8.count + 24
        let signature = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer -> String in
            var out = ByteWriter(buffer)
            out.append(algorithm)
            out.append(0x0A)
            out.append(date)
            out.append(0x0A)
            out.append(scope.date)
            out.append(0x2F)
            out.append(region)
            out.append(0x2F)
            out.append("s3")
            out.append(0x2F)
            out.append(SigV4.terminator)
            out.append(0x0A)
            out.append(canonicalRequestHash)
            return signingKey.hexSignature(of: UnsafeRawBufferPointer(out.written(0..<out.count)))
        }
        let provided = String(decoding: bytes(parameters.signature), as: UTF8.self)
        guard AuthBytes.hexSignatureMatches(computed: signature, provided: provided) else { return nil }

        let age = Self.milliseconds(from: requestDate, to: now)
        guard age <= expires * 1000, -age <= SigV4.maximumSkew * 1000 else { return nil }
        return AuthResult(
            method: .queryV4, credential: credential, payload: .unsignedPayload, signatureAge: TimeInterval(age),
            seedSignature: signature, signingContext: nil)
    }

    /// The names of `X-Amz-SignedHeaders` (`host;x-amz-meta-a`, its `;` sent as `%3B`) when they
    /// are lowercase names; nil for anything else.
    private static func signedHeaders(_ value: UnsafeBufferPointer<UInt8>) -> [String]? {
        var names: [String] = []
        var name: [UInt8] = []
        var index = 0
        while index <= value.count {
            let byte = index < value.count ? value[index] : UInt8(ascii: ";")
            switch byte {
            case UInt8(ascii: ";"):
                if !name.isEmpty { names.append(String(decoding: name, as: UTF8.self)) }
                name.removeAll(keepingCapacity: true)
            case UInt8(ascii: "%"):
                guard index + 2 < value.count, value[index + 1] == UInt8(ascii: "3"),
                    value[index + 2] == UInt8(ascii: "B") || value[index + 2] == UInt8(ascii: "b")
                else { return nil }
                if !name.isEmpty { names.append(String(decoding: name, as: UTF8.self)) }
                name.removeAll(keepingCapacity: true)
                index += 2
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                name.append(byte)
            default:
                return nil
            }
            index += 1
        }
        return names.isEmpty ? nil : names
    }

    /// The access key id and date of a credential whose scope is this authenticator's region and
    /// S3, and whose date is the request's (`date`, `yyyyMMddTHHmmssZ`); nil for anything else.
    private func credentialScope(_ value: UnsafeBufferPointer<UInt8>, date: UnsafeBufferPointer<UInt8>) -> (accessKeyId: String, date: String)? {
        // The value with %2F decoded; any other escape or a `+` goes to the general path.
        guard value.count <= 512 else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: value.count) { decoded -> (accessKeyId: String, date: String)? in
            var count = 0
            var index = 0
            while index < value.count {
                let byte = value[index]
                if byte == UInt8(ascii: "%") {
                    guard index + 2 < value.count, value[index + 1] == UInt8(ascii: "2"),
                        value[index + 2] == UInt8(ascii: "F") || value[index + 2] == UInt8(ascii: "f")
                    else { return nil }
                    decoded[count] = UInt8(ascii: "/")
                    index += 3
                } else {
                    guard byte != UInt8(ascii: "+") else { return nil }
                    decoded[count] = byte
                    index += 1
                }
                count += 1
            }
            // `key/date/region/s3/aws4_request`, its parts found in place (no array of slices).
            let scope = UnsafeBufferPointer(rebasing: decoded[0..<count])
            func part(from start: Int) -> Slice<UnsafeBufferPointer<UInt8>> {
                scope[start..<(scope[start...].firstIndex(of: UInt8(ascii: "/")) ?? count)]
            }
            let key = part(from: 0)
            guard key.endIndex < count else { return nil }
            let day = part(from: key.endIndex + 1)
            guard day.endIndex < count else { return nil }
            let scopeRegion = part(from: day.endIndex + 1)
            guard scopeRegion.endIndex < count else { return nil }
            let service = part(from: scopeRegion.endIndex + 1)
            guard service.endIndex < count else { return nil }
            let terminator = part(from: service.endIndex + 1)
            guard terminator.endIndex == count, !key.isEmpty,
                day.elementsEqual(date.prefix(8)),
                scopeRegion.elementsEqual(region.utf8),
                service.elementsEqual("s3".utf8),
                terminator.elementsEqual(SigV4.terminator.utf8)
            else { return nil }
            return (String(decoding: key, as: UTF8.self), String(decoding: day, as: UTF8.self))
        }
    }
}

/// Where the six parameters of a presigned URL are in its query (their values' byte ranges),
/// when the query has each of them once, under a plain name, and nothing that makes it another
/// kind of request (a security token, a signed payload hash, Signature Version 2 parameters).
private struct PresignedParameters {
    var algorithm: Range<Int>
    var credential: Range<Int>
    var date: Range<Int>
    var expires: Range<Int>
    var signedHeaders: Range<Int>
    var signature: Range<Int>

    private enum Slot {
        case algorithm, credential, date, expires, signedHeaders, signature
    }

    /// The slots found so far: six optionals on the stack (this runs for every presigned request).
    private struct Found {
        var algorithm, credential, date, expires, signedHeaders, signature: Range<Int>?

        /// Fills `slot`; false when it was filled already (a repeated parameter).
        mutating func fill(_ slot: Slot, with value: Range<Int>) -> Bool {
            func fill(_ field: inout Range<Int>?) -> Bool {
                guard field == nil else { return false }
                field = value
                return true
            }
            switch slot {
            case .algorithm: return fill(&algorithm)
            case .credential: return fill(&credential)
            case .date: return fill(&date)
            case .expires: return fill(&expires)
            case .signedHeaders: return fill(&signedHeaders)
            case .signature: return fill(&signature)
            }
        }
    }

    init?(_ query: UnsafeBufferPointer<UInt8>) {
        var found = Found()
        var usable = true
        URIEncoding.forEachQueryPart(in: query) { name, value in
            let nameBytes = UnsafeBufferPointer(rebasing: query[name])
            if nameBytes.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") || $0 >= 0x80 }) {
                // An encoded name could decode to anything, and Unicode lowercasing can turn a
                // name outside ASCII into an `x-amz-` one (the Kelvin sign lowercases to "k").
                usable = false
                return false
            }
            if let value, query[value].contains(UInt8(ascii: "+")) {
                usable = false
                return false
            }
            switch Self.classify(nameBytes) {
            case .other:
                return true
            case .refused:
                usable = false
                return false
            case .slot(let slot):
                guard let value, found.fill(slot, with: value) else {
                    usable = false
                    return false
                }
                return true
            }
        }
        guard usable, let algorithm = found.algorithm, let credential = found.credential, let date = found.date,
            let expires = found.expires, let signedHeaders = found.signedHeaders, let signature = found.signature
        else { return nil }
        func isEscaped(_ range: Range<Int>) -> Bool { query[range].contains(UInt8(ascii: "%")) }
        guard !isEscaped(algorithm), !isEscaped(date), !isEscaped(expires), !isEscaped(signature) else { return nil }
        self.algorithm = algorithm
        self.credential = credential
        self.date = date
        self.expires = expires
        self.signedHeaders = signedHeaders
        self.signature = signature
    }

    private enum Kind {
        case slot(Slot)
        /// A parameter that takes the request off this path.
        case refused
        case other
    }

    /// What a parameter's name is to this path. Signature Version 2's names count only in their
    /// exact case, SigV4's in any case. Picked by length first: most names are passed over
    /// without a comparison.
    private static func classify(_ name: UnsafeBufferPointer<UInt8>) -> Kind {
        func equals(_ literal: StaticString) -> Bool { name.elementsEqual(literal.utf8Bytes) }
        func equalsIgnoringCase(_ lowercased: StaticString) -> Bool {
            AuthBytes.equalsIgnoringASCIICase(name, lowercased: lowercased.utf8Bytes)
        }
        switch name.count {
        case 9 where equals("Signature"), 14 where equals("AWSAccessKeyId"): return .refused
        case 10 where equalsIgnoringCase("x-amz-date"): return .slot(.date)
        case 13 where equalsIgnoringCase("x-amz-expires"): return .slot(.expires)
        case 15 where equalsIgnoringCase("x-amz-algorithm"): return .slot(.algorithm)
        case 15 where equalsIgnoringCase("x-amz-signature"): return .slot(.signature)
        case 16 where equalsIgnoringCase("x-amz-credential"): return .slot(.credential)
        case 19 where equalsIgnoringCase("x-amz-signedheaders"): return .slot(.signedHeaders)
        case 20 where equalsIgnoringCase("x-amz-security-token") || equalsIgnoringCase("x-amz-content-sha256"): return .refused
        default: return .other
        }
    }
}
