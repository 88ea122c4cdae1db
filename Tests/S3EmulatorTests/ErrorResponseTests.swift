import Foundation
import S3Emulator
import S3EmulatorAuth
import S3EmulatorCore
import XCTest

/// S3's error model and routing: the XML error body (Code, Message, the code's extra
/// elements, RequestId, HostId), `x-amz-request-id` and `x-amz-id-2` on every response,
/// NotImplemented (501) for sub-resources s3emu does not serve and MethodNotAllowed (405)
/// for methods no operation takes.
final class ErrorResponseTests: XCTestCase {
    var emulator: S3Emulator!

    override func setUp() async throws {
        emulator = try S3Emulator.makeForTests()
        await emulator.makeBucket("photos")
        await emulator.put("photos", "cat.jpg", "meow")
    }

    override func tearDown() async throws {
        try await emulator?.shutdown()
        emulator = nil
    }

    // MARK: - The error body

    func testErrorBodyIsTheS3ErrorDocument() async {
        let response = await emulator.send("GET", "/photos/missing.jpg")
        XCTAssertTrue(response.text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"), response.text)
        let error = assertS3Error(response, status: 404, code: "NoSuchKey", message: "The specified key does not exist.")
        XCTAssertEqual(error?.childText("Key"), "missing.jpg")
        XCTAssertEqual(error?.children.map(\.name).first, "Code")
        XCTAssertEqual(error?.children.map(\.name).dropFirst().first, "Message")
        XCTAssertEqual(error?.children.map(\.name).suffix(2), ["RequestId", "HostId"])
        XCTAssertEqual(response.errorCode, "NoSuchKey")
    }

    func testNoSuchBucketNamesTheBucket() async {
        let response = await emulator.send("GET", "/no-such-bucket", query: "list-type=2")
        let error = assertS3Error(response, status: 404, code: "NoSuchBucket", message: "The specified bucket does not exist")
        XCTAssertEqual(error?.childText("BucketName"), "no-such-bucket")
    }

    func testErrorsOfEveryStageCarryTheRequestIDs() async {
        let wrongSecret = AccessKey(accessKeyId: "test", secretAccessKey: "not-the-secret")
        let unknownKey = AccessKey(accessKeyId: "AKIANOSUCHKEY0000000", secretAccessKey: "x")
        // Addressing, routing, authentication, the handler.
        assertS3Error(await emulator.send("GET", "/photos/%zz"), status: 400, code: "InvalidURI")
        assertS3Error(await emulator.send("PATCH", "/photos/cat.jpg"), status: 405, code: "MethodNotAllowed")
        assertS3Error(await emulator.send("GET", "/photos/cat.jpg", credentials: wrongSecret), status: 403, code: "SignatureDoesNotMatch")
        assertS3Error(await emulator.send("GET", "/photos/cat.jpg", credentials: unknownKey), status: 403, code: "InvalidAccessKeyId")
        assertS3Error(await emulator.send("GET", "/photos", query: "torrent"), status: 501, code: "NotImplemented")
        assertS3Error(await emulator.send("DELETE", "/photos"), status: 409, code: "BucketNotEmpty")
    }

    func testEverySuccessfulResponseCarriesTheRequestIDs() async {
        let requests: [(method: String, path: String, query: String?, headers: [(String, String)], status: Int, line: UInt)] = [
            ("GET", "/", nil, [], 200, #line),
            ("PUT", "/videos", nil, [], 200, #line),
            ("HEAD", "/photos", nil, [], 200, #line),
            ("GET", "/photos", "location", [], 200, #line),
            ("GET", "/photos", "list-type=2", [], 200, #line),
            ("GET", "/photos", nil, [], 200, #line),
            ("PUT", "/photos/dog.jpg", nil, [], 200, #line),
            ("GET", "/photos/cat.jpg", nil, [], 200, #line),
            ("GET", "/photos/cat.jpg", nil, [("Range", "bytes=0-1")], 206, #line),
            ("GET", "/photos/cat.jpg", nil, [("If-None-Match", "*")], 304, #line),
            ("HEAD", "/photos/cat.jpg", nil, [], 200, #line),
            ("PUT", "/photos/copy.jpg", nil, [("x-amz-copy-source", "/photos/cat.jpg")], 200, #line),
            ("DELETE", "/photos/copy.jpg", nil, [], 204, #line),
            ("DELETE", "/videos", nil, [], 204, #line),
        ]
        for r in requests {
            let response = await emulator.send(r.method, r.path, query: r.query, headers: r.headers)
            XCTAssertEqual(response.status, r.status, "\(r.method) \(r.path): \(response.text)", line: r.line)
            assertRequestIDs(response, line: r.line)
        }
    }

    func testEveryRequestGetsItsOwnRequestID() async {
        var ids: Set<String> = []
        for _ in 0..<20 {
            let response = await emulator.send("HEAD", "/photos/cat.jpg")
            ids.insert(response.headers["x-amz-request-id"] ?? "")
        }
        XCTAssertEqual(ids.count, 20)
        XCTAssertFalse(ids.contains(""))
    }

    func testHeadErrorsHaveNoBodyButKeepTheRequestIDs() async {
        assertBodilessError(await emulator.send("HEAD", "/photos/missing"), status: 404)
        assertBodilessError(await emulator.send("HEAD", "/no-such-bucket"), status: 404)
        assertBodilessError(await emulator.send("HEAD", "/photos/cat.jpg", query: "torrent"), status: 501)
        assertBodilessError(
            await emulator.send("HEAD", "/photos/cat.jpg", credentials: AccessKey(accessKeyId: "test", secretAccessKey: "wrong")),
            status: 403)
    }

    func testErrorMessagesEscapeXML() async {
        let response = await emulator.send("GET", "/photos/\(S3Emulator.encodePath("<a & \"b\">"))")
        let error = assertS3Error(response, status: 404, code: "NoSuchKey")
        XCTAssertEqual(error?.childText("Key"), "<a & \"b\">")
    }

    // MARK: - Routing

    func testUnimplementedSubresourceAnswersNotImplemented() async {
        let requests: [(method: String, path: String, query: String, line: UInt)] = [
            ("GET", "/photos", "torrent", #line),
            ("GET", "/photos", "requestPayment", #line),
            ("PUT", "/photos", "requestPayment", #line),
            ("DELETE", "/photos", "requestPayment", #line),
            ("GET", "/photos/cat.jpg", "torrent", #line),
            ("PUT", "/photos/cat.jpg", "torrent", #line),
            ("DELETE", "/photos/cat.jpg", "torrent", #line),
            ("POST", "/photos/cat.jpg", "select&select-type=2", #line),
        ]
        for r in requests {
            let response = await emulator.send(r.method, r.path, query: r.query)
            assertS3Error(response, status: 501, code: "NotImplemented",
                          message: "A header you provided implies functionality that is not implemented", line: r.line)
        }
        let get = await emulator.send("GET", "/photos/cat.jpg")
        let body = try? await get.bodyBytes()
        XCTAssertEqual(body, Array("meow".utf8), "a refused sub-resource request changed nothing")
    }

    func testUnknownQueryParametersDoNotChangeTheOperation() async throws {
        let response = await emulator.send("GET", "/photos/cat.jpg", query: "x-id=GetObject&unknown=1")
        XCTAssertEqual(response.status, 200, response.text)
        let body = try await response.bodyBytes()
        XCTAssertEqual(body, Array("meow".utf8))
    }

    func testMethodNoOperationTakesAnswersMethodNotAllowed() async {
        let requests: [(method: String, path: String, resourceType: String, line: UInt)] = [
            ("POST", "/", "SERVICE", #line),
            ("PUT", "/", "SERVICE", #line),
            ("DELETE", "/", "SERVICE", #line),
            ("PATCH", "/photos", "BUCKET", #line),
            ("PATCH", "/photos/cat.jpg", "OBJECT", #line),
            ("POST", "/photos/cat.jpg", "OBJECT", #line),
        ]
        for r in requests {
            let response = await emulator.send(r.method, r.path)
            let error = assertS3Error(response, status: 405, code: "MethodNotAllowed",
                                      message: "The specified method is not allowed against this resource.", line: r.line)
            XCTAssertEqual(error?.childText("Method"), r.method, line: r.line)
            XCTAssertEqual(error?.childText("ResourceType"), r.resourceType, line: r.line)
        }
        let service = await emulator.send("POST", "/")
        XCTAssertEqual(service.headers["allow"], "GET")
    }
}
