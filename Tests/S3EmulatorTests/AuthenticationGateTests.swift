import Foundation
import NIOCore
import S3Emulator
import S3EmulatorAuth
import S3EmulatorCore
import Synchronization
import XCTest

/// No request reaches data without passing authentication and authorization: every
/// ``S3Operation``, sent unsigned (anonymous, to a private bucket) and signed with a wrong
/// secret, is refused with 403 — AccessDenied or SignatureDoesNotMatch — and leaves every
/// bucket, object, upload and configuration exactly as it was.
final class AuthenticationGateTests: XCTestCase {
    /// One request per operation: what to send, and the operation it must route to.
    struct Case {
        var operation: S3Operation
        var method: String
        var path: String
        var query: String?
        var headers: [(String, String)] = []
        var body: String = ""
    }

    static let bucket = "gate-private"
    static let boundary = "----s3emu-gate-boundary"

    static let cors = """
        <CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>
        """
    static let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::gate-private/*"}]}"#
    static let publicAccessBlockOff = """
        <PublicAccessBlockConfiguration><BlockPublicAcls>false</BlockPublicAcls><IgnorePublicAcls>false</IgnorePublicAcls>\
        <BlockPublicPolicy>false</BlockPublicPolicy><RestrictPublicBuckets>false</RestrictPublicBuckets></PublicAccessBlockConfiguration>
        """
    static let ownership = "<OwnershipControls><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule></OwnershipControls>"
    static let versioning = "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"
    static let tagging = "<Tagging><TagSet><Tag><Key>pwned</Key><Value>yes</Value></Tag></TagSet></Tagging>"
    static let acl = """
        <AccessControlPolicy><Owner><ID>x</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
        xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>FULL_CONTROL</Permission></Grant>\
        </AccessControlList></AccessControlPolicy>
        """

    /// Every operation once. `UPLOAD` in a query stands for the id of an upload in progress.
    static func cases() -> [Case] {
        let b = "/" + bucket
        let o = b + "/secret.txt"
        let md5 = [("content-md5", "placeholder")]
        let form = "--\(boundary)\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nposted.txt\r\n"
            + "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nevil\r\n--\(boundary)--\r\n"
        let complete = "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"x\"</ETag></Part></CompleteMultipartUpload>"
        return [
            Case(operation: .listBuckets, method: "GET", path: "/"),
            Case(operation: .createBucket, method: "PUT", path: "/gate-new-bucket"),
            Case(operation: .headBucket, method: "HEAD", path: b),
            Case(operation: .deleteBucket, method: "DELETE", path: b),
            Case(operation: .getBucketLocation, method: "GET", path: b, query: "location"),
            Case(operation: .listObjects, method: "GET", path: b),
            Case(operation: .listObjectsV2, method: "GET", path: b, query: "list-type=2"),
            Case(operation: .deleteObjects, method: "POST", path: b, query: "delete", headers: md5,
                 body: "<Delete><Object><Key>secret.txt</Key></Object></Delete>"),
            Case(operation: .getBucketPolicy, method: "GET", path: b, query: "policy"),
            Case(operation: .putBucketPolicy, method: "PUT", path: b, query: "policy", body: policy),
            Case(operation: .deleteBucketPolicy, method: "DELETE", path: b, query: "policy"),
            Case(operation: .getBucketPolicyStatus, method: "GET", path: b, query: "policyStatus"),
            Case(operation: .getPublicAccessBlock, method: "GET", path: b, query: "publicAccessBlock"),
            Case(operation: .putPublicAccessBlock, method: "PUT", path: b, query: "publicAccessBlock", body: publicAccessBlockOff),
            Case(operation: .deletePublicAccessBlock, method: "DELETE", path: b, query: "publicAccessBlock"),
            Case(operation: .getBucketOwnershipControls, method: "GET", path: b, query: "ownershipControls"),
            Case(operation: .putBucketOwnershipControls, method: "PUT", path: b, query: "ownershipControls", body: ownership),
            Case(operation: .deleteBucketOwnershipControls, method: "DELETE", path: b, query: "ownershipControls"),
            Case(operation: .getBucketAcl, method: "GET", path: b, query: "acl"),
            Case(operation: .listObjectVersions, method: "GET", path: b, query: "versions"),
            Case(operation: .getBucketVersioning, method: "GET", path: b, query: "versioning"),
            Case(operation: .putBucketVersioning, method: "PUT", path: b, query: "versioning", body: versioning),
            Case(operation: .getBucketTagging, method: "GET", path: b, query: "tagging"),
            Case(operation: .putBucketTagging, method: "PUT", path: b, query: "tagging", headers: md5, body: tagging),
            Case(operation: .deleteBucketTagging, method: "DELETE", path: b, query: "tagging"),
            Case(operation: .putBucketAcl, method: "PUT", path: b, query: "acl", headers: [("x-amz-acl", "public-read-write")]),
            Case(operation: .putObject, method: "PUT", path: o, body: "overwritten"),
            Case(operation: .getObject, method: "GET", path: o),
            Case(operation: .headObject, method: "HEAD", path: o),
            Case(operation: .deleteObject, method: "DELETE", path: o),
            Case(operation: .copyObject, method: "PUT", path: b + "/copied.txt", headers: [("x-amz-copy-source", o)]),
            Case(operation: .getObjectAcl, method: "GET", path: o, query: "acl"),
            Case(operation: .getObjectTagging, method: "GET", path: o, query: "tagging"),
            Case(operation: .putObjectTagging, method: "PUT", path: o, query: "tagging", body: tagging),
            Case(operation: .deleteObjectTagging, method: "DELETE", path: o, query: "tagging"),
            Case(operation: .putObjectAcl, method: "PUT", path: o, query: "acl", body: acl),
            Case(operation: .createMultipartUpload, method: "POST", path: b + "/new-upload.bin", query: "uploads"),
            Case(operation: .uploadPart, method: "PUT", path: b + "/upload.bin", query: "partNumber=2&uploadId=UPLOAD", body: "part two"),
            Case(operation: .uploadPartCopy, method: "PUT", path: b + "/upload.bin", query: "partNumber=3&uploadId=UPLOAD",
                 headers: [("x-amz-copy-source", o)]),
            Case(operation: .completeMultipartUpload, method: "POST", path: b + "/upload.bin", query: "uploadId=UPLOAD", body: complete),
            Case(operation: .abortMultipartUpload, method: "DELETE", path: b + "/upload.bin", query: "uploadId=UPLOAD"),
            Case(operation: .listParts, method: "GET", path: b + "/upload.bin", query: "uploadId=UPLOAD"),
            Case(operation: .listMultipartUploads, method: "GET", path: b, query: "uploads"),
            Case(operation: .postObject, method: "POST", path: b,
                 headers: [("content-type", "multipart/form-data; boundary=\(boundary)")], body: form),
            Case(operation: .getBucketCors, method: "GET", path: b, query: "cors"),
            Case(operation: .putBucketCors, method: "PUT", path: b, query: "cors", body: cors),
            Case(operation: .deleteBucketCors, method: "DELETE", path: b, query: "cors"),
            Case(operation: .corsPreflight, method: "OPTIONS", path: o,
                 headers: [("origin", "https://evil.example"), ("access-control-request-method", "PUT")]),
            Case(operation: .notImplemented, method: "PUT", path: b, query: "lifecycle",
                 body: "<LifecycleConfiguration><Rule><Status>Enabled</Status></Rule></LifecycleConfiguration>"),
        ]
    }

    var emulator: S3Emulator!
    var uploadID = ""
    let log = RecordLog()

    override func setUp() async throws {
        var configuration = EmulatorConfiguration()
        configuration.storage = .inMemory
        configuration.ioThreads = 2
        let log = self.log
        configuration.onRequest = { record in log.records.withLock { $0.append(record) } }
        emulator = try S3Emulator(configuration: configuration)
        await emulator.makeBucket(Self.bucket)
        await emulator.put(Self.bucket, "secret.txt", "top secret", headers: [("x-amz-tagging", "class=secret")])
        let created = await emulator.send("POST", "/\(Self.bucket)/upload.bin", query: "uploads")
        uploadID = created.xml()?.childText("UploadId") ?? ""
        XCTAssertFalse(uploadID.isEmpty, created.text)
        let part = await emulator.send(
            "PUT", "/\(Self.bucket)/upload.bin", query: "partNumber=1&uploadId=\(uploadID)", body: "part one")
        assertStatus(part, 200)
        log.records.withLock { $0.removeAll() }
    }

    override func tearDown() async throws {
        try await emulator?.shutdown()
        emulator = nil
    }

    func testTheTableCoversEveryOperation() {
        let covered = Set(Self.cases().map(\.operation))
        XCTAssertEqual(Set(S3Operation.allCases).subtracting(covered).map(\.rawValue).sorted(), [], "operations without a row")
        XCTAssertEqual(Self.cases().count, S3Operation.allCases.count, "one row per operation")
    }

    func testEveryOperationSentUnsignedIsRefusedWithoutSideEffects() async throws {
        let before = try await snapshot()
        for testCase in Self.cases() {
            let response = await emulator.handle(request(testCase, signedWith: nil))
            let label = "\(testCase.operation.rawValue) unsigned"
            XCTAssertEqual(routedOperation(), testCase.operation.rawValue, label)
            switch testCase.operation {
            case .corsPreflight:
                // A preflight is answered from the bucket's CORS rules alone; this bucket has none (AccessForbidden).
                assertS3Error(response, status: 403, code: "AccessForbidden")
            case .notImplemented:
                assertS3Error(response, status: 501, code: "NotImplemented")
            case .deleteObjects:
                // Decided per key: 200 with each key's own AccessDenied, as S3 answers.
                assertStatus(response, 200, label)
                XCTAssertEqual(response.xml()?.child("Error")?.childText("Code"), "AccessDenied", label)
                XCTAssertNil(response.xml()?.child("Deleted"), label)
            case .headBucket, .headObject:
                XCTAssertEqual(response.status, 403, label)
                XCTAssertEqual(response.errorCode, "AccessDenied", label)
            default:
                XCTAssertEqual(response.status, 403, "\(label): \(response.text)")
                XCTAssertEqual(response.errorCode, "AccessDenied", "\(label): \(response.text)")
            }
            let after = try await snapshot()
            XCTAssertEqual(after, before, "\(label) changed the emulator's state")
        }
    }

    func testEveryOperationSignedWithAWrongSecretIsRefusedWithoutSideEffects() async throws {
        let before = try await snapshot()
        let wrong = AccessKey(accessKeyId: "test", secretAccessKey: "not-the-secret")
        for testCase in Self.cases() {
            let response = await emulator.handle(request(testCase, signedWith: wrong))
            let label = "\(testCase.operation.rawValue) with a wrong signature"
            XCTAssertEqual(routedOperation(), testCase.operation.rawValue, label)
            switch testCase.operation {
            case .corsPreflight:
                assertS3Error(response, status: 403, code: "AccessForbidden")
            case .postObject:
                // POST Object carries its signature in the form; this form has none (anonymous).
                XCTAssertEqual(response.status, 403, "\(label): \(response.text)")
                XCTAssertEqual(response.errorCode, "AccessDenied", label)
            default:
                XCTAssertEqual(response.status, 403, "\(label): \(response.text)")
                XCTAssertEqual(response.errorCode, "SignatureDoesNotMatch", "\(label): \(response.text)")
            }
            let after = try await snapshot()
            XCTAssertEqual(after, before, "\(label) changed the emulator's state")
        }
    }

    func testAnUnknownAccessKeyIsRefusedForEveryOperation() async throws {
        let before = try await snapshot()
        let unknown = AccessKey(accessKeyId: "AKIANOBODY0000000001", secretAccessKey: "whatever")
        for testCase in Self.cases() where testCase.operation != .corsPreflight && testCase.operation != .postObject {
            let response = await emulator.handle(request(testCase, signedWith: unknown))
            XCTAssertEqual(response.status, 403, testCase.operation.rawValue)
            XCTAssertEqual(response.errorCode, "InvalidAccessKeyId", testCase.operation.rawValue)
        }
        let after = try await snapshot()
        XCTAssertEqual(after, before)
    }

    // MARK: - Support

    /// The operation of the last request, as the pipeline routed it.
    func routedOperation() -> String? {
        log.records.withLock { records in
            defer { records.removeAll() }
            return records.last?.operation
        }
    }

    func request(_ testCase: Case, signedWith key: AccessKey?) -> S3Request {
        let host = "localhost:9000"
        let query = testCase.query?.replacingOccurrences(of: "UPLOAD", with: uploadID)
        var fields: [(name: String, value: String)] = [("host", host)]
        var extra = testCase.headers.map { (name: $0.0, value: $0.1) }
        if let index = extra.firstIndex(where: { $0.name == "content-md5" }) {
            extra[index].value = contentMD5(Array(testCase.body.utf8))
        }
        fields += extra
        if testCase.method == "PUT" || testCase.method == "POST" {
            fields.append(("content-length", String(testCase.body.utf8.count)))
        }
        var head = AuthRequestHead(method: testCase.method, rawPath: testCase.path, rawQuery: query, headers: fields)
        if let key {
            let signer = SigV4Signer(accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, region: "us-east-1")
            head = signer.sign(head, payloadHash: SigV4Signer.unsignedPayload, date: Date()).head
        }
        return S3Request(
            method: testCase.method, rawPath: testCase.path, rawQuery: query, host: host,
            headers: S3Headers(head.headers.filter { $0.name != "host" }),
            body: S3RequestBody(buffer: ByteBuffer(string: testCase.body)), remoteAddress: "192.0.2.10"
        )
    }

    /// Everything a refused request could have changed, read by the root user.
    func snapshot() async throws -> [String] {
        let b = "/" + Self.bucket
        let reads: [(String, String?)] = [
            ("/", nil), (b, "list-type=2"), (b, "versions"), (b, "uploads"), (b, "policy"), (b, "cors"),
            (b, "publicAccessBlock"), (b, "ownershipControls"), (b, "acl"), (b, "versioning"), (b, "tagging"), (b + "/secret.txt", nil),
            (b + "/secret.txt", "tagging"), (b + "/secret.txt", "acl"), (b + "/upload.bin", "uploadId=\(uploadID)"),
            ("/gate-new-bucket", "list-type=2"), (b + "/copied.txt", nil), (b + "/posted.txt", nil),
        ]
        var state: [String] = []
        for (path, query) in reads {
            let response = await emulator.send("GET", path, query: query)
            let body = String(decoding: try await response.bodyBytes(), as: UTF8.self)
            // Error bodies carry fresh request ids; keep only their code.
            let text = response.status >= 300 ? (response.errorCode ?? "?") : body
            state.append("GET \(path)?\(query ?? "") → \(response.status) \(response.headers["etag"] ?? "") \(text)")
        }
        return state
    }
}

/// The requests an emulator reported, in order.
final class RecordLog: Sendable {
    let records = Mutex<[RequestRecord]>([])
}
