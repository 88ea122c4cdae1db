import Crypto
import Foundation
import NIOCore
import S3Emulator
import S3EmulatorAuth
import S3EmulatorCore
import Synchronization
import XCTest

/// A request body for ``S3Emulator/send(_:_:query:host:headers:body:payload:contentLength:credentials:)``:
/// a string literal, a `String` or bytes.
struct TestBody: ExpressibleByStringInterpolation, Sendable {
    var bytes: [UInt8]

    init(_ bytes: some Sequence<UInt8>) { self.bytes = Array(bytes) }
    init(_ text: String) { self.bytes = Array(text.utf8) }
    init(stringLiteral value: String) { self.bytes = Array(value.utf8) }

    static let empty = TestBody([UInt8]())
}

/// How the test request signs its payload.
enum TestPayloadSigning {
    /// `x-amz-content-sha256` is the body's SHA-256, as botocore sends over HTTP.
    case signed
    /// `x-amz-content-sha256: UNSIGNED-PAYLOAD`.
    case unsigned
}

/// How the test request declares its length.
enum TestContentLength {
    /// `Content-Length` is the body's length for PUT and POST and for any non-empty body.
    case automatic
    /// No `Content-Length` header at all.
    case omitted
}

extension S3Emulator {
    /// An emulator with in-memory storage for one test, on a ``ManualClock`` set to `now`.
    static func makeForTests(
        region: String = "us-east-1", domains: [String] = ["localhost"], clock: ManualClock = ManualClock(Date())
    ) throws -> S3Emulator {
        var configuration = EmulatorConfiguration()
        configuration.storage = .inMemory
        configuration.region = region
        configuration.domains = domains
        configuration.clock = clock
        configuration.ioThreads = 2
        return try S3Emulator(configuration: configuration)
    }

    /// Sends one request through the whole pipeline, signed with SigV4 (header form) by the root
    /// user's keys (`test`/`test`) in the emulator's region at the emulator's clock.
    ///
    /// `path` and `query` are sent exactly as given (still percent-encoded). `host` defaults to
    /// the path-style endpoint `localhost:9000`.
    func send(
        _ method: String, _ path: String, query: String? = nil, host: String = "localhost:9000",
        headers: [(String, String)] = [], body: TestBody = .empty, payload: TestPayloadSigning = .signed,
        contentLength: TestContentLength = .automatic, credentials: AccessKey? = nil
    ) async -> S3Response {
        var fields: [(name: String, value: String)] = [("host", host)]
        fields += headers.map { (name: $0.0.lowercased(), value: $0.1) }
        let hasLength = fields.contains { $0.name == "content-length" }
        if contentLength == .automatic, !hasLength, !body.bytes.isEmpty || method == "PUT" || method == "POST" {
            fields.append(("content-length", String(body.bytes.count)))
        }
        let key = credentials ?? configuration.rootCredentials
        let signer = SigV4Signer(accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, region: configuration.region)
        let payloadHash: String
        switch payload {
        case .signed: payloadHash = SHA256.hash(data: body.bytes).map { String(format: "%02x", $0) }.joined()
        case .unsigned: payloadHash = SigV4Signer.unsignedPayload
        }
        let head = AuthRequestHead(method: method, rawPath: path, rawQuery: query, headers: fields)
        let signed = signer.sign(head, payloadHash: payloadHash, date: configuration.clock.now()).head
        // The HTTP layer moves Host out of the header fields into the request authority.
        let request = S3Request(
            method: method, rawPath: path, rawQuery: query, host: host,
            headers: S3Headers(signed.headers.filter { $0.name != "host" }),
            body: S3RequestBody(buffer: ByteBuffer(bytes: body.bytes)), remoteAddress: "127.0.0.1"
        )
        return await handle(request)
    }

    /// PutObject of `body` under `/bucket/key` (the key percent-encoded as a path), asserting 200.
    @discardableResult
    func put(
        _ bucket: String, _ key: String, _ body: TestBody = "", headers: [(String, String)] = [],
        file: StaticString = #filePath, line: UInt = #line
    ) async -> S3Response {
        let response = await send("PUT", "/\(bucket)/\(Self.encodePath(key))", headers: headers, body: body)
        XCTAssertEqual(response.status, 200, "PUT \(bucket)/\(key): \(response.text)", file: file, line: line)
        return response
    }

    /// CreateBucket without a configuration, asserting 200.
    func makeBucket(_ bucket: String, file: StaticString = #filePath, line: UInt = #line) async {
        let response = await send("PUT", "/\(bucket)")
        XCTAssertEqual(response.status, 200, "CreateBucket \(bucket): \(response.text)", file: file, line: line)
    }

    /// A key as a URL path: every byte but unreserved ones and `/` percent-encoded (as SDKs send it).
    static func encodePath(_ key: String) -> String {
        URIEncoding.encode(key, encodeSlash: false)
    }

    /// A value for a query string: every byte but unreserved ones percent-encoded.
    static func encodeQuery(_ value: String) -> String {
        URIEncoding.encode(value, encodeSlash: true)
    }
}

// MARK: - Responses

extension S3Response {
    /// The body of a buffered response as UTF-8 text ("" for an empty or streamed body).
    var text: String {
        if case .buffer(let buffer) = body { return String(buffer: buffer) }
        return ""
    }

    /// Every byte of the body, buffered or streamed.
    func bodyBytes() async throws -> [UInt8] {
        switch body {
        case .empty: return []
        case .buffer(let buffer): return Array(buffer.readableBytesView)
        case .stream(_, let produce):
            let collector = BodyCollector()
            try await produce(collector)
            return collector.bytes
        }
    }

    /// The XML body parsed with S3EmulatorCore's parser; fails the test when it does not parse.
    func xml(file: StaticString = #filePath, line: UInt = #line) -> XMLNode? {
        guard case .buffer(let buffer) = body else {
            XCTFail("the response has no XML body (status \(status))", file: file, line: line)
            return nil
        }
        do {
            return try S3EmulatorCore.XMLParser.parse(Array(buffer.readableBytesView))
        } catch {
            XCTFail("the body is not XML: \(error): \(text)", file: file, line: line)
            return nil
        }
    }
}

/// Collects a streamed response body.
final class BodyCollector: S3ResponseBodyWriter {
    private let storage = Mutex<[UInt8]>([])

    var bytes: [UInt8] { storage.withLock { $0 } }

    func write(_ buffer: ByteBuffer) async throws {
        storage.withLock { $0 += buffer.readableBytesView }
    }
}

extension XMLNode {
    /// The text of the element at `path` below this one (`"Owner/ID"`).
    func text(at path: String) -> String? {
        var node: XMLNode? = self
        for name in path.split(separator: "/") {
            node = node?.child(String(name))
        }
        return node?.text
    }

    /// The texts of every child `name`'s `field` (`Contents` → `Key`).
    func texts(_ name: String, _ field: String) -> [String] {
        children(named: name).compactMap { $0.childText(field) }
    }
}

// MARK: - Assertions

/// Asserts that every response carries `x-amz-request-id` and `x-amz-id-2`.
func assertRequestIDs(_ response: S3Response, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertFalse(response.headers["x-amz-request-id"]?.isEmpty ?? true, "x-amz-request-id", file: file, line: line)
    XCTAssertFalse(response.headers["x-amz-id-2"]?.isEmpty ?? true, "x-amz-id-2", file: file, line: line)
}

/// Asserts an S3 error response: the status, the XML `Error` body with `Code` (and `Message`
/// when given), `RequestId` and `HostId` equal to the `x-amz-request-id` and `x-amz-id-2`
/// headers. Returns the `Error` element for further checks.
@discardableResult
func assertS3Error(
    _ response: S3Response, status: Int, code: String, message: String? = nil,
    file: StaticString = #filePath, line: UInt = #line
) -> XMLNode? {
    XCTAssertEqual(response.status, status, response.text, file: file, line: line)
    assertRequestIDs(response, file: file, line: line)
    XCTAssertEqual(response.headers["content-type"], "application/xml", file: file, line: line)
    guard let error = response.xml(file: file, line: line) else { return nil }
    XCTAssertEqual(error.name, "Error", file: file, line: line)
    XCTAssertEqual(error.childText("Code"), code, response.text, file: file, line: line)
    if let message {
        XCTAssertEqual(error.childText("Message"), message, file: file, line: line)
    }
    XCTAssertEqual(error.childText("RequestId"), response.headers["x-amz-request-id"], file: file, line: line)
    XCTAssertEqual(error.childText("HostId"), response.headers["x-amz-id-2"], file: file, line: line)
    return error
}

/// Asserts a HEAD error (or a 304): the status, no body, and the request id headers.
func assertBodilessError(_ response: S3Response, status: Int, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(response.status, status, file: file, line: line)
    XCTAssertEqual(response.body.length, 0, "no body", file: file, line: line)
    assertRequestIDs(response, file: file, line: line)
}

/// Base64 of the MD5 of `bytes`, as `Content-MD5` carries it.
func contentMD5(_ bytes: some Sequence<UInt8>) -> String {
    Data(Insecure.MD5.hash(data: Array(bytes))).base64EncodedString()
}

/// The quoted hex MD5 of `bytes`: the ETag of a single-part object.
func quotedMD5(_ bytes: some Sequence<UInt8>) -> String {
    "\"" + Insecure.MD5.hash(data: Array(bytes)).map { String(format: "%02x", $0) }.joined() + "\""
}

/// Asserts the status of a response, showing its body when it differs.
func assertStatus(_ response: S3Response, _ status: Int, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(response.status, status, "\(message) \(response.text)", file: file, line: line)
}
