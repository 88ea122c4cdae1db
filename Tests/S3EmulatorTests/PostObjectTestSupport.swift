import Crypto
import Foundation
import NIOCore
import S3Emulator
import S3EmulatorAuth
import S3EmulatorCore
import XCTest

/// Browser-upload fixtures: an emulator with the djave-photos users, multipart bodies, presigned
/// POST forms and signed requests, all through ``S3Emulator/handle(_:)`` (no socket).
class PostObjectTestCase: XCTestCase {
    static let account = "123456789012"
    static let root = AccessKey(accessKeyId: "test", secretAccessKey: "test")
    static let steve = AccessKey(accessKeyId: "AKIASTEVE00000000001", secretAccessKey: "steve-secret")
    static let narrow = AccessKey(accessKeyId: "AKIASTEVENARROW00001", secretAccessKey: "steve-narrow-secret")
    static let boundary = "----s3emuBoundary7MA4YWxkTrZu0gW"
    static let host = "localhost:9000"
    /// 2015-12-29T00:00:00Z.
    static let start = Date(timeIntervalSince1970: 1_451_347_200)

    var emulator: S3Emulator!
    var clock: ManualClock!

    /// Extra buckets and their seeds; override to seed CORS rules.
    var bucketSeeds: [BucketSeed] { [] }

    override func setUp() async throws {
        clock = ManualClock(Self.start)
        var configuration = EmulatorConfiguration()
        configuration.storage = .inMemory
        configuration.accountID = Self.account
        configuration.clock = clock
        configuration.ioThreads = 2
        configuration.users = [
            IAMUser(name: "steve", accessKeys: [Self.steve], policies: [
                "user-policy": #"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*"], "Resource": ["arn:aws:s3:::photos", "arn:aws:s3:::photos/*", "arn:aws:s3:::public", "arn:aws:s3:::public/*"]}]}"#,
            ]),
            IAMUser(name: "steve-narrow", accessKeys: [Self.narrow], policies: [
                "targeted-policy": #"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::photos"}]}"#,
            ]),
        ]
        configuration.buckets = bucketSeeds
        emulator = try S3Emulator(configuration: configuration)
        try await emulator.createBucket("photos")
    }

    override func tearDown() async throws {
        try await emulator?.shutdown()
        emulator = nil
    }

    // MARK: - Forms

    /// A presigned POST form for `photos` signed by `credentials` at the clock's time.
    func presignedForm(
        bucket: String = "photos", key: String = "uploads/${filename}", expiresIn: Int = 3600,
        fields: [(name: String, value: String)] = [], conditions: [PostPolicyBuilder.Condition] = [],
        credentials: AccessKey = PostObjectTestCase.steve
    ) -> [(name: String, value: String)] {
        let signer = SigV4Signer(accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, region: "us-east-1")
        return PostPolicyBuilder(signer: signer).presignedPost(
            bucket: bucket, key: key, expiresIn: expiresIn, date: clock.now(), fields: fields, conditions: conditions
        ).fields
    }

    /// A `multipart/form-data` body: `fields`, then the file part (unless `file` is nil), then `after`.
    func multipartBody(
        _ fields: [(name: String, value: String)], file: [UInt8]? = Array("file content".utf8), filename: String? = "cat.png",
        fileContentType: String? = "image/png", after: [(name: String, value: String)] = [], boundary: String = PostObjectTestCase.boundary
    ) -> [UInt8] {
        var body: [UInt8] = []
        func part(_ name: String, filename: String? = nil, contentType: String? = nil, _ content: [UInt8]) {
            body += Array("--\(boundary)\r\n".utf8)
            var disposition = "Content-Disposition: form-data; name=\"\(name)\""
            if let filename { disposition += "; filename=\"\(filename)\"" }
            body += Array("\(disposition)\r\n".utf8)
            if let contentType { body += Array("Content-Type: \(contentType)\r\n".utf8) }
            body += Array("\r\n".utf8)
            body += content
            body += Array("\r\n".utf8)
        }
        for field in fields { part(field.name, Array(field.value.utf8)) }
        if let file { part("file", filename: filename, contentType: fileContentType, file) }
        for field in after { part(field.name, Array(field.value.utf8)) }
        body += Array("--\(boundary)--\r\n".utf8)
        return body
    }

    /// POST Object of `body` to `/bucket`, delivered in pieces of `chunkSize` bytes when given.
    func post(
        _ body: [UInt8], bucket: String = "photos", contentType: String? = "multipart/form-data; boundary=\(PostObjectTestCase.boundary)",
        contentLength: Int? = nil, chunkSize: Int? = nil, headers: [(String, String)] = []
    ) async -> S3Response {
        var fields: [(name: String, value: String)] = []
        if let contentType { fields.append(("content-type", contentType)) }
        fields.append(("content-length", String(contentLength ?? body.count)))
        fields += headers.map { (name: $0.0, value: $0.1) }
        let requestBody: S3RequestBody
        if let chunkSize {
            let pieces = stride(from: 0, to: body.count, by: chunkSize).map { ByteBuffer(bytes: body[$0..<min($0 + chunkSize, body.count)]) }
            requestBody = S3RequestBody(stream: AsyncThrowingStream<ByteBuffer, any Error> { continuation in
                for piece in pieces { continuation.yield(piece) }
                continuation.finish()
            })
        } else {
            requestBody = S3RequestBody(buffer: ByteBuffer(bytes: body))
        }
        let request = S3Request(
            method: "POST", rawPath: "/\(bucket)", host: Self.host, headers: S3Headers(fields), body: requestBody,
            remoteAddress: "127.0.0.1")
        return await emulator.handle(request)
    }

    // MARK: - Other requests

    /// A request signed with SigV4 in the `Authorization` header (`credentials` root by default).
    func signed(
        _ method: String, _ path: String, query: String? = nil, headers: [(String, String)] = [], body: [UInt8] = [],
        credentials: AccessKey = PostObjectTestCase.root
    ) async -> S3Response {
        var fields: [(name: String, value: String)] = [("host", Self.host)]
        fields += headers.map { (name: $0.0.lowercased(), value: $0.1) }
        if !body.isEmpty || method == "PUT" { fields.append(("content-length", String(body.count))) }
        let signer = SigV4Signer(accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, region: "us-east-1")
        let hash = SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
        let head = AuthRequestHead(method: method, rawPath: path, rawQuery: query, headers: fields)
        let signedHead = signer.sign(head, payloadHash: hash, date: clock.now()).head
        let request = S3Request(
            method: method, rawPath: path, rawQuery: query, host: Self.host,
            headers: S3Headers(signedHead.headers.filter { $0.name != "host" }), body: S3RequestBody(buffer: ByteBuffer(bytes: body)),
            remoteAddress: "127.0.0.1")
        return await emulator.handle(request)
    }

    /// An unsigned request (a browser's preflight, an anonymous GET).
    func unsigned(_ method: String, _ path: String, query: String? = nil, headers: [(String, String)] = []) async -> S3Response {
        let request = S3Request(
            method: method, rawPath: path, rawQuery: query, host: Self.host, headers: S3Headers(headers.map { (name: $0.0, value: $0.1) }),
            remoteAddress: "127.0.0.1")
        return await emulator.handle(request)
    }

    /// PutBucketCors of `xml` by the root user, asserting 200.
    func putBucketCors(_ bucket: String, _ xml: String, file: StaticString = #filePath, line: UInt = #line) async {
        let body = Array(xml.utf8)
        let md5 = Base64.encode(Array(Insecure.MD5.hash(data: body)))
        let response = await signed("PUT", "/\(bucket)", query: "cors", headers: [("content-md5", md5)], body: body)
        XCTAssertEqual(response.status, 200, response.bodyText, file: file, line: line)
    }
}

extension S3Response {
    /// A buffered body as UTF-8 text ("" for an empty or streamed body).
    var bodyText: String {
        if case .buffer(let buffer) = body { return String(buffer: buffer) }
        return ""
    }

    /// A child element's text of an XML error body (`Code`, `Message`, …).
    func errorElement(_ name: String) -> String? {
        guard let root = try? S3EmulatorCore.XMLParser.parse(Array(bodyText.utf8)) else { return nil }
        return root.childText(name)
    }
}
