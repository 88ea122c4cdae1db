import EmulatorHarness
import Foundation
import Synchronization
import XCTest

final class EmulatorHarnessRequestLogTests: XCTestCase {
    private static let readWritePolicy = """
        {"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::logged/*"}]}
        """

    func testRequestsRecordOperationStatusAndPrincipal() async throws {
        var configuration = EmulatorConfiguration()
        configuration.users = [IAMUser(name: "writer", policies: ["rw": Self.readWritePolicy])]
        configuration.buckets = [BucketSeed(name: "logged")]
        try await EmulatorHarness.withEmulator(configuration) { s3 in
            let writer = try s3.credentials(forUser: "writer")
            let put = try await RawHTTPConnection.fetch(
                "PUT", try s3.presignedURL(method: "PUT", bucket: "logged", key: "a.txt", credentials: writer), body: [1, 2, 3]
            )
            XCTAssertEqual(put.status, 200, put.text)
            let get = try await RawHTTPConnection.fetch("GET", try s3.presignedURL(bucket: "logged", key: "a.txt"))
            XCTAssertEqual(get.status, 200, get.text)
            let missing = try await RawHTTPConnection.fetch("GET", try s3.presignedURL(bucket: "logged", key: "missing"))
            XCTAssertEqual(missing.status, 404)
            let anonymous = try await RawHTTPConnection.fetch("GET", s3.endpoint.appendingPathComponent("logged/a.txt"))
            XCTAssertEqual(anonymous.status, 403)

            let requests = s3.requests
            XCTAssertEqual(requests.count, 4)
            guard requests.count == 4 else { return }
            XCTAssertEqual(requests.map(\.operation), ["PutObject", "GetObject", "GetObject", "GetObject"])
            XCTAssertEqual(requests.map(\.method), ["PUT", "GET", "GET", "GET"])
            XCTAssertEqual(requests.map(\.status), [200, 200, 404, 403])
            XCTAssertEqual(requests.map(\.errorCode), [nil, nil, "NoSuchKey", "AccessDenied"])
            XCTAssertEqual(requests[0].principal, "user/writer")
            XCTAssertEqual(requests[1].principal, "root")
            XCTAssertEqual(requests.map(\.bucket), ["logged", "logged", "logged", "logged"])
            XCTAssertEqual(requests.map(\.key), ["a.txt", "a.txt", "missing", "a.txt"])
            XCTAssertEqual(Set(requests.map(\.requestID)).count, 4)
            XCTAssertEqual(requests[2].requestID, missing.header("x-amz-request-id"))
        }
    }

    func testRequestsRecordAFailedSignatureWithTheOperation() async throws {
        try await EmulatorHarness.withEmulator { s3 in
            try await s3.createBucket("logged")
            let wrong = AccessKey(accessKeyId: "test", secretAccessKey: "wrong")
            let response = try await RawHTTPConnection.fetch("GET", try s3.presignedURL(bucket: "logged", key: "k", credentials: wrong))
            XCTAssertEqual(response.status, 403)
            let record = try XCTUnwrap(s3.requests.last)
            XCTAssertEqual(record.status, 403)
            XCTAssertEqual(record.errorCode, "SignatureDoesNotMatch")
            XCTAssertNil(record.principal, "authentication failed: no principal")
        }
    }

    func testClearRequestsEmptiesTheLog() async throws {
        try await EmulatorHarness.withEmulator { s3 in
            _ = try await RawHTTPConnection.fetch("GET", s3.endpoint)
            XCTAssertEqual(s3.requests.count, 1)
            s3.clearRequests()
            XCTAssertEqual(s3.requests.count, 0)
            _ = try await RawHTTPConnection.fetch("GET", s3.endpoint)
            XCTAssertEqual(s3.requests.count, 1)
        }
    }

    func testTheConfigurationsOwnOnRequestHookStillSeesEveryRequest() async throws {
        let seen = Mutex<[String]>([])
        var configuration = EmulatorConfiguration()
        configuration.onRequest = { record in seen.withLock { $0.append(record.requestID) } }
        try await EmulatorHarness.withEmulator(configuration) { s3 in
            for _ in 0..<3 {
                _ = try await RawHTTPConnection.fetch("GET", s3.endpoint)
            }
            XCTAssertEqual(seen.withLock { $0 }, s3.requests.map(\.requestID))
            XCTAssertEqual(s3.requests.count, 3)
        }
    }

    func testConcurrentRequestsAreAllLogged() async throws {
        try await EmulatorHarness.withEmulator { s3 in
            try await s3.createBucket("busy")
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<32 {
                    let url = try s3.presignedURL(method: "PUT", bucket: "busy", key: "k\(index)")
                    group.addTask { try await RawHTTPConnection.fetch("PUT", url, body: [UInt8(index)]).status }
                }
                for try await status in group {
                    XCTAssertEqual(status, 200)
                }
            }
            XCTAssertEqual(Set(s3.requests.compactMap(\.key)), Set((0..<32).map { "k\($0)" }))
        }
    }

    func testUsersWithoutAccessKeysGetGeneratedOnesAndConfiguredKeysAreKept() async throws {
        var configuration = EmulatorConfiguration()
        configuration.users = [
            IAMUser(name: "generated"),
            IAMUser(name: "given", accessKeys: [AccessKey(accessKeyId: "AKIAGIVEN", secretAccessKey: "given-secret")]),
        ]
        try await EmulatorHarness.withEmulator(configuration) { s3 in
            let generated = try s3.credentials(forUser: "generated")
            XCTAssertTrue(generated.accessKeyId.hasPrefix("AKIA"))
            XCTAssertEqual(generated.accessKeyId.count, 20)
            XCTAssertEqual(generated.secretAccessKey.count, 40)
            XCTAssertEqual(try s3.credentials(forUser: "given"), AccessKey(accessKeyId: "AKIAGIVEN", secretAccessKey: "given-secret"))
            XCTAssertThrowsError(try s3.credentials(forUser: "nobody")) { error in
                XCTAssertEqual(error as? HarnessError, .noSuchUser("nobody"))
            }
            // The generated key authenticates: a signed request is attributed to the user.
            _ = try await RawHTTPConnection.fetch("GET", try s3.presignedURL(bucket: "none", key: nil, credentials: generated))
            XCTAssertEqual(s3.requests.last?.principal, "user/generated")
        }
    }

    func testParallelHarnessesGenerateDistinctKeys() async throws {
        var configuration = EmulatorConfiguration()
        configuration.users = [IAMUser(name: "app")]
        let first = try await EmulatorHarness.start(configuration)
        let second = try await EmulatorHarness.start(configuration)
        XCTAssertNotEqual(try first.credentials(forUser: "app"), try second.credentials(forUser: "app"))
        try await first.shutdown()
        try await second.shutdown()
    }
}
