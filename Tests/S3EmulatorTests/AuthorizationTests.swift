import Crypto
import Foundation
import NIOCore
import S3Emulator
import S3EmulatorAuth
import S3EmulatorCore
import XCTest

/// Authorization through the whole pipeline (`S3Emulator.handle(_:)`, no socket): requests
/// signed with ``SigV4Signer`` as IAM users of the configuration, unsigned requests as
/// anonymous, and the answers AWS gives — AccessDenied with its explicit message, and the
/// `x-s3emu-authz` explanation on every authorized or denied response.
final class AuthorizationTests: XCTestCase {
    static let account = "123456789012"
    static let root = AccessKey(accessKeyId: "test", secretAccessKey: "test")
    static let alice = AccessKey(accessKeyId: "AKIAALICE00000000001", secretAccessKey: "alice-secret")
    static let bob = AccessKey(accessKeyId: "AKIABOB0000000000001", secretAccessKey: "bob-secret")
    static let olssont = AccessKey(accessKeyId: "AKIAOLSSONT000000001", secretAccessKey: "olssont-secret")
    static let shift = AccessKey(accessKeyId: "AKIASHIFT00000000001", secretAccessKey: "shift-secret")

    /// dtool-datasets' policy as published: no Version, so `${aws:username}` is literal text.
    static let dtoolPolicy = #"""
        {"Statement": [
          {"Sid": "AllowReadonlyAccess", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"],
           "Resource": ["arn:aws:s3:::my-bucket", "arn:aws:s3:::my-bucket/*"]},
          {"Sid": "AllowPartialWriteAccess", "Effect": "Allow", "Action": ["s3:DeleteObject", "s3:PutObject"],
           "Resource": ["arn:aws:s3:::my-bucket/dtool-*", "arn:aws:s3:::my-bucket/u/${aws:username}/*"]}
        ]}
        """#

    var emulator: S3Emulator!

    override func setUp() async throws {
        var configuration = EmulatorConfiguration()
        configuration.storage = .inMemory
        configuration.accountID = Self.account
        configuration.users = [
            IAMUser(name: "alice", accessKeys: [Self.alice], policies: [
                "photos": #"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::photos", "arn:aws:s3:::photos/*"]}]}"#,
            ]),
            IAMUser(name: "bob", accessKeys: [Self.bob]),
            IAMUser(name: "olssont", accessKeys: [Self.olssont], policies: ["user-policy": Self.dtoolPolicy]),
            IAMUser(name: "shift", accessKeys: [Self.shift], groups: ["media-uploaders"]),
        ]
        configuration.groups = [
            IAMGroup(name: "media-uploaders", policies: [
                "group-policy": #"{"Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "arn:aws:s3:::*"}, {"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::shift-media-bucket", "arn:aws:s3:::shift-media-bucket/*"]}]}"#,
            ]),
        ]
        emulator = try S3Emulator(configuration: configuration)
        for bucket in ["photos", "my-bucket", "shift-media-bucket", "other"] {
            try await emulator.createBucket(bucket)
        }
        try await emulator.putObject(bucket: "photos", key: "cat.jpg", data: Data("meow".utf8))
    }

    override func tearDown() async throws {
        try await emulator?.shutdown()
        emulator = nil
    }

    // MARK: - Requests

    /// A request signed with `key` (SigV4, header form, `UNSIGNED-PAYLOAD`), or unsigned for nil.
    func request(
        _ method: String, _ path: String, query: String? = nil, headers: [(String, String)] = [], body: String = "",
        as key: AccessKey?, from address: String = "127.0.0.1"
    ) -> S3Request {
        let host = "127.0.0.1:9000"
        var fields: [(name: String, value: String)] = [("host", host)]
        if method == "PUT" || method == "POST" {
            fields.append(("content-length", String(body.utf8.count)))
        }
        fields += headers.map { (name: $0.0.lowercased(), value: $0.1) }
        var head = AuthRequestHead(method: method, rawPath: path, rawQuery: query, headers: fields)
        if let key {
            let signer = SigV4Signer(accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, region: "us-east-1")
            head = signer.sign(head, payloadHash: SigV4Signer.unsignedPayload, date: Date()).head
        }
        return S3Request(
            method: method, rawPath: path, rawQuery: query, host: host, headers: S3Headers(head.headers),
            body: S3RequestBody(buffer: ByteBuffer(string: body)), remoteAddress: address
        )
    }

    func send(
        _ method: String, _ path: String, query: String? = nil, headers: [(String, String)] = [], body: String = "",
        as key: AccessKey?, from address: String = "127.0.0.1"
    ) async -> S3Response {
        await emulator.handle(request(method, path, query: query, headers: headers, body: body, as: key, from: address))
    }

    func bodyText(_ response: S3Response) -> String {
        if case .buffer(let buffer) = response.body { return String(buffer: buffer) }
        return ""
    }

    /// The text of `<name>` in an XML body (error bodies have no nesting that matters here).
    func element(_ name: String, in response: S3Response) -> String? {
        let text = bodyText(response)
        guard let open = text.range(of: "<\(name)>"), let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex)
        else { return nil }
        return String(text[open.upperBound..<close.lowerBound])
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
    }

    func assertAllowed(_ response: S3Response, status: Int = 200, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(response.status, status, bodyText(response), file: file, line: line)
        XCTAssertNotNil(response.headers["x-s3emu-authz"], "an authorized response explains itself", file: file, line: line)
    }

    /// AccessDenied (403) with exactly `message`; the explanation header contains `explanation`.
    func assertDenied(
        _ response: S3Response, message: String, explanation: String? = nil, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(response.status, 403, bodyText(response), file: file, line: line)
        XCTAssertEqual(response.errorCode, "AccessDenied", file: file, line: line)
        XCTAssertEqual(element("Code", in: response), "AccessDenied", file: file, line: line)
        XCTAssertEqual(element("Message", in: response), message, file: file, line: line)
        let header = response.headers["x-s3emu-authz"]
        XCTAssertNotNil(header, "a denial explains itself", file: file, line: line)
        if let explanation {
            XCTAssertTrue(header?.contains(explanation) ?? false, "x-s3emu-authz: \(header ?? "-")", file: file, line: line)
        }
    }

    static func userARN(_ name: String) -> String { "arn:aws:iam::\(account):user/\(name)" }

    static func notAllowed(_ principal: String, _ action: String, _ resource: String?) -> String {
        let on = resource.map { " on resource: \"\($0)\"" } ?? ""
        return "User: \(principal) is not authorized to perform: \(action)\(on) because no identity-based policy allows the \(action) action"
    }

    func putBucketPolicy(_ bucket: String, _ policy: String, file: StaticString = #filePath, line: UInt = #line) async {
        let response = await send("PUT", "/\(bucket)", query: "policy", body: policy, as: Self.root)
        XCTAssertEqual(response.status, 204, bodyText(response), file: file, line: line)
    }

    func turnBlockPublicAccessOff(_ bucket: String) async {
        let xml = "<PublicAccessBlockConfiguration><BlockPublicAcls>false</BlockPublicAcls><IgnorePublicAcls>false</IgnorePublicAcls>"
            + "<BlockPublicPolicy>false</BlockPublicPolicy><RestrictPublicBuckets>false</RestrictPublicBuckets></PublicAccessBlockConfiguration>"
        let response = await send("PUT", "/\(bucket)", query: "publicAccessBlock", body: xml, as: Self.root)
        XCTAssertEqual(response.status, 200, bodyText(response))
    }

    // MARK: - Identity policies

    func testIdentityPolicyAllowsPutObjectAndGetObject() async {
        assertAllowed(await send("PUT", "/photos/dog.jpg", body: "woof", as: Self.alice))
        let get = await send("GET", "/photos/dog.jpg", as: Self.alice)
        assertAllowed(get)
        XCTAssertEqual(bodyText(get), "woof")
    }

    func testUserWithoutPolicyIsDeniedWithTheExplicitMessage() async {
        let cases: [(method: String, path: String, query: String?, action: String, resource: String?, line: UInt)] = [
            ("PUT", "/photos/dog.jpg", nil, "s3:PutObject", "arn:aws:s3:::photos/dog.jpg", #line),
            ("GET", "/photos/cat.jpg", nil, "s3:GetObject", "arn:aws:s3:::photos/cat.jpg", #line),
            ("DELETE", "/photos/cat.jpg", nil, "s3:DeleteObject", "arn:aws:s3:::photos/cat.jpg", #line),
            ("GET", "/photos", "list-type=2", "s3:ListBucket", "arn:aws:s3:::photos", #line),
            ("DELETE", "/photos", nil, "s3:DeleteBucket", "arn:aws:s3:::photos", #line),
            ("GET", "/photos", "policy", "s3:GetBucketPolicy", "arn:aws:s3:::photos", #line),
            ("GET", "/photos", "publicAccessBlock", "s3:GetBucketPublicAccessBlock", "arn:aws:s3:::photos", #line),
            // ListBuckets takes no resource: the message names none.
            ("GET", "/", nil, "s3:ListAllMyBuckets", nil, #line),
        ]
        for c in cases {
            let response = await send(c.method, c.path, query: c.query, as: Self.bob)
            assertDenied(response, message: Self.notAllowed(Self.userARN("bob"), c.action, c.resource),
                         explanation: "implicit deny", line: c.line)
        }
        let stored = try? await emulator.object(bucket: "photos", key: "cat.jpg")
        XCTAssertEqual(stored?.data, Data("meow".utf8), "the refused DELETE deleted nothing")
    }

    func testIdentityPolicyOutsideItsResourcesDenies() async {
        assertDenied(await send("PUT", "/other/x", body: "x", as: Self.alice),
                     message: Self.notAllowed(Self.userARN("alice"), "s3:PutObject", "arn:aws:s3:::other/x"))
    }

    func testGroupPolicyAllowsItsMembers() async {
        assertAllowed(await send("PUT", "/shift-media-bucket/clip.mp4", body: "clip", as: Self.shift))
        assertAllowed(await send("GET", "/", as: Self.shift))
        assertDenied(await send("PUT", "/photos/clip.mp4", body: "clip", as: Self.shift),
                     message: Self.notAllowed(Self.userARN("shift"), "s3:PutObject", "arn:aws:s3:::photos/clip.mp4"))
    }

    func testRootUserIsAllowedWithoutPolicies() async {
        assertAllowed(await send("PUT", "/other/x", body: "x", as: Self.root))
        assertAllowed(await send("GET", "/other", query: "list-type=2", as: Self.root))
    }

    // MARK: - Anonymous requests

    func testAnonymousRequestsAreDeniedWithThePlainMessage() async {
        assertDenied(await send("GET", "/photos/cat.jpg", as: nil), message: "Access Denied", explanation: "implicit deny")
        assertDenied(await send("PUT", "/photos/x", body: "x", as: nil), message: "Access Denied")
    }

    func testPublicBucketPolicyServesAnonymousReadsOnceBlockPublicAccessIsOff() async {
        let policy = #"{"Version": "2012-10-17", "Statement": [{"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}]}"#
        let refused = await send("PUT", "/photos", query: "policy", body: policy, as: Self.root)
        assertDenied(
            refused,
            message: "User: arn:aws:iam::\(Self.account):root is not authorized to perform: s3:PutBucketPolicy on resource: "
                + "\"arn:aws:s3:::photos\" because public policies are blocked by the BlockPublicPolicy block public access setting.",
            explanation: "BlockPublicPolicy")
        await turnBlockPublicAccessOff("photos")
        await putBucketPolicy("photos", policy)
        let get = await send("GET", "/photos/cat.jpg", as: nil)
        assertAllowed(get)
        XCTAssertEqual(bodyText(get), "meow")
        XCTAssertTrue(get.headers["x-s3emu-authz"]?.contains("PublicRead") ?? false, get.headers["x-s3emu-authz"] ?? "-")
        // The grant is GetObject only.
        assertDenied(await send("GET", "/photos", query: "list-type=2", as: nil), message: "Access Denied")
    }

    // MARK: - Explicit deny, conditions, variables

    func testBucketPolicyDenyBeatsIdentityAllow() async {
        await putBucketPolicy("photos", #"{"Version": "2012-10-17", "Statement": [{"Sid": "NoDeletes", "Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::123456789012:user/alice"}, "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::photos/*"}]}"#)
        assertDenied(
            await send("DELETE", "/photos/cat.jpg", as: Self.alice),
            message: "User: \(Self.userARN("alice")) is not authorized to perform: s3:DeleteObject on resource: "
                + "\"arn:aws:s3:::photos/cat.jpg\" with an explicit deny in a resource-based policy",
            explanation: "NoDeletes")
        assertAllowed(await send("GET", "/photos/cat.jpg", as: Self.alice))
    }

    func testSourceIpConditionOfABucketPolicy() async {
        await putBucketPolicy("photos", #"{"Version": "2012-10-17", "Statement": [{"Sid": "FromHere", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/bob"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*", "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.1/32"}}}]}"#)
        assertAllowed(await send("GET", "/photos/cat.jpg", as: Self.bob, from: "127.0.0.1"))
        assertDenied(
            await send("GET", "/photos/cat.jpg", as: Self.bob, from: "192.0.2.7"),
            message: Self.notAllowed(Self.userARN("bob"), "s3:GetObject", "arn:aws:s3:::photos/cat.jpg"))
    }

    func testPolicyWithoutVersionExplainsThatItsVariableIsLiteralText() async {
        let response = await send("PUT", "/my-bucket/u/olssont/ds1/README.yml", body: "name: ds1", as: Self.olssont)
        assertDenied(
            response,
            message: Self.notAllowed(Self.userARN("olssont"), "s3:PutObject", "arn:aws:s3:::my-bucket/u/olssont/ds1/README.yml"),
            explanation: "resource arn:aws:s3:::my-bucket/u/${aws:username}/* is literal text because the policy has no Version 2012-10-17")
        assertAllowed(await send("PUT", "/my-bucket/dtool-1234", body: "registration", as: Self.olssont))
    }

    // MARK: - Handler-level checks

    func testDeleteObjectsRefusesKeysOneByOne() async {
        await putBucketPolicy("photos", #"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::123456789012:user/alice"}, "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::photos/keep/*"}]}"#)
        _ = try? await emulator.putObject(bucket: "photos", key: "keep/a", data: Data("a".utf8))
        _ = try? await emulator.putObject(bucket: "photos", key: "tmp/b", data: Data("b".utf8))
        let body = "<Delete><Object><Key>keep/a</Key></Object><Object><Key>tmp/b</Key></Object></Delete>"
        let md5 = Data(Insecure.MD5.hash(data: Data(body.utf8))).base64EncodedString()
        let response = await send("POST", "/photos", query: "delete", headers: [("content-md5", md5)], body: body, as: Self.alice)
        XCTAssertEqual(response.status, 200, bodyText(response))
        let text = bodyText(response)
        XCTAssertTrue(text.contains("<Deleted><Key>tmp/b</Key></Deleted>"), text)
        XCTAssertTrue(text.contains("<Error><Key>keep/a</Key><Code>AccessDenied</Code>"), text)
        XCTAssertEqual(
            element("Message", in: response),
            "User: \(Self.userARN("alice")) is not authorized to perform: s3:DeleteObject on resource: "
                + "\"arn:aws:s3:::photos/keep/a\" with an explicit deny in a resource-based policy")
        let kept = try? await emulator.object(bucket: "photos", key: "keep/a")
        XCTAssertNotNil(kept)
    }

    func testCopyObjectNeedsGetObjectOnTheSource() async {
        // alice may write photos/* but has nothing on `other`.
        _ = try? await emulator.putObject(bucket: "other", key: "secret", data: Data("s".utf8))
        let response = await send("PUT", "/photos/copy", headers: [("x-amz-copy-source", "/other/secret")], as: Self.alice)
        assertDenied(response, message: Self.notAllowed(Self.userARN("alice"), "s3:GetObject", "arn:aws:s3:::other/secret"))
        let copied = try? await emulator.object(bucket: "photos", key: "copy")
        XCTAssertNil(copied ?? nil)
        assertAllowed(await send("PUT", "/photos/copy", headers: [("x-amz-copy-source", "/photos/cat.jpg")], as: Self.alice))
    }

    func testPutObjectWithAPublicACLOnABucketOwnerEnforcedBucket() async {
        let response = await send("PUT", "/photos/public.jpg", headers: [("x-amz-acl", "public-read")], body: "x", as: Self.alice)
        XCTAssertEqual(response.status, 400, bodyText(response))
        XCTAssertEqual(element("Code", in: response), "AccessControlListNotSupported")
        XCTAssertEqual(element("Message", in: response), "The bucket does not allow ACLs")
    }

    func testWrongSecretIsRefusedBeforeAuthorization() async {
        let wrong = AccessKey(accessKeyId: Self.alice.accessKeyId, secretAccessKey: "not-the-secret")
        let response = await send("GET", "/photos/cat.jpg", as: wrong)
        XCTAssertEqual(response.status, 403)
        XCTAssertEqual(element("Code", in: response), "SignatureDoesNotMatch")
        XCTAssertNil(response.headers["x-s3emu-authz"], "authentication failed: there was no authorization decision")
    }
}
