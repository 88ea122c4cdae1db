import Foundation
import S3EmulatorAccess
import S3EmulatorCore
import S3EmulatorStorage

/// CORS: preflight requests (`OPTIONS`), answered from the bucket's rules before any
/// authentication, and the CORS headers of actual requests.
///
/// Every request with an `Origin` whose bucket has a rule matching that origin and the
/// method gets the rule's headers on its response, errors included; a request no rule
/// matches gets none. There is no global allow-all.
extension S3Emulator {
    /// `Vary` on every response that carries CORS headers.
    static let corsVary = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"

    /// S3's message when no rule matches a preflight (its spelling, "evalution" included).
    static let corsNotAllowedMessage =
        "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."

    /// Answers a preflight (`OPTIONS` on a bucket or object):
    /// - 400 BadRequest without `Origin`, or without (or with an unknown)
    ///   `Access-Control-Request-Method`;
    /// - 403 AccessForbidden "CORSResponse: …" when the bucket does not exist, has no CORS
    ///   configuration, or no rule matches the origin, the method and every requested header;
    /// - 200 with the first matching rule's headers otherwise.
    func preflightResponse(_ request: S3Request, address: RequestAddress, requestID: String, hostID: String) -> S3Response {
        do {
            var response = try preflight(request, address: address)
            response.headers.append("x-amz-request-id", requestID)
            response.headers.append("x-amz-id-2", hostID)
            return response
        } catch {
            return errorResponse(error, method: request.method, requestID: requestID, hostID: hostID)
        }
    }

    private func preflight(_ request: S3Request, address: RequestAddress) throws(S3Error) -> S3Response {
        let headers = request.headers
        guard let origin = headers["origin"] else {
            throw S3Error(.badRequest, message: "Insufficient information. Origin request header needed.")
        }
        let method = headers["access-control-request-method"]
        if let method, !CORSConfiguration.methods.contains(method) {
            throw S3Error(.badRequest, message: "Invalid Access-Control-Request-Method: \(method)")
        }
        let bucket = address.bucket ?? ""
        let forbidden = { (message: String, resourceType: String) -> S3Error in
            S3Error(.corsResponse, message: message, details: [("Method", method ?? "OPTIONS"), ("ResourceType", resourceType)])
        }
        guard (try? store.metadata.bucket(named: bucket)) != nil else {
            throw forbidden("CORSResponse: Bucket not found", "BUCKET")
        }
        guard let configuration = bucketSettings(bucket).cors else {
            throw forbidden("CORSResponse: CORS is not enabled for this bucket.", "BUCKET")
        }
        guard let method else {
            throw S3Error(.badRequest, message: "Invalid Access-Control-Request-Method: null")
        }
        let requestedHeaders = Self.requestedHeaders(headers["access-control-request-headers"])
        guard let match = configuration.preflight(origin: origin, method: method, requestHeaders: requestedHeaders) else {
            throw forbidden(Self.corsNotAllowedMessage, address.key == nil ? "BUCKET" : "OBJECT")
        }
        var response = S3Headers()
        Self.appendCORSHeaders(match, origin: origin, allowHeaders: requestedHeaders, to: &response)
        return S3Response(status: 200, headers: response)
    }

    /// Adds the matching rule's headers to the response of an actual (non-preflight) request
    /// with an `Origin`. The rule is matched on the origin and the method (an
    /// `Access-Control-Request-Method` header, when the request has one, stands for it).
    func applyCORSHeaders(_ response: inout S3Response, request: S3Request, address: RequestAddress?) {
        guard let origin = request.headers["origin"], request.method != "OPTIONS", let bucket = address?.bucket,
            let configuration = bucketSettings(bucket).cors
        else { return }
        let method = request.headers["access-control-request-method"] ?? request.method
        guard let match = configuration.match(origin: origin, method: method) else { return }
        Self.appendCORSHeaders(match, origin: origin, allowHeaders: [], to: &response.headers)
    }

    /// `Access-Control-Allow-Origin` (`*` for a `*` rule, else the origin, with
    /// `Access-Control-Allow-Credentials: true`), `-Allow-Methods` (the rule's), `-Allow-Headers`
    /// (the requested ones, lowercased), `-Expose-Headers`, `-Max-Age` and `Vary`.
    static func appendCORSHeaders(_ match: CORSConfiguration.Match, origin: String, allowHeaders: [String], to headers: inout S3Headers) {
        let rule = match.rule
        headers.set("access-control-allow-origin", match.anyOrigin ? "*" : origin)
        headers.set("access-control-allow-methods", rule.allowedMethods.joined(separator: ", "))
        if !allowHeaders.isEmpty {
            headers.set("access-control-allow-headers", allowHeaders.joined(separator: ", "))
        }
        if !rule.exposeHeaders.isEmpty {
            headers.set("access-control-expose-headers", rule.exposeHeaders.joined(separator: ", "))
        }
        if let maxAge = rule.maxAgeSeconds {
            headers.set("access-control-max-age", String(maxAge))
        }
        if !match.anyOrigin {
            headers.set("access-control-allow-credentials", "true")
        }
        headers.set("vary", corsVary)
    }

    /// The names of `Access-Control-Request-Headers`, lowercased, in order, empty items dropped.
    static func requestedHeaders(_ value: String?) -> [String] {
        guard let value else { return [] }
        return value.split(separator: ",").compactMap { item in
            let name = item.trimmingCharacters(in: .whitespaces).lowercased()
            return name.isEmpty ? nil : name
        }
    }
}

extension CORSConfiguration {
    /// The configuration file's rules (the console's JSON form), checked as PutBucketCors checks them.
    init(seeds: [CORSRuleSeed]) throws(S3Error) {
        try self.init(rules: seeds.map { seed in
            CORSRule(
                id: seed.id, allowedOrigins: seed.allowedOrigins, allowedMethods: seed.allowedMethods,
                allowedHeaders: seed.allowedHeaders, exposeHeaders: seed.exposeHeaders, maxAgeSeconds: seed.maxAgeSeconds
            )
        })
    }
}
