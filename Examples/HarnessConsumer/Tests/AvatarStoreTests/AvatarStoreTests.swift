import AvatarStore
import EmulatorHarness
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

final class AvatarStoreTests: XCTestCase {
    private var s3: EmulatorHarness!
    private var session: URLSession!

    override func setUp() async throws {
        var configuration = EmulatorConfiguration()
        configuration.buckets = [BucketSeed(name: "avatars")]
        s3 = try await EmulatorHarness.start(configuration, options: .init(clock: .manual()))
        session = URLSession(configuration: .ephemeral)
    }

    override func tearDown() async throws {
        session.invalidateAndCancel()
        try await s3.shutdown()
    }

    func testUploadStoresTheAvatar() async throws {
        let avatar = Data("PNG".utf8)
        let url = try s3.presignedURL(method: "PUT", bucket: "avatars", key: "users/1/avatar")

        try await AvatarStore(session: session).upload(avatar, to: url)

        let stored = try await s3.object(bucket: "avatars", key: "users/1/avatar")
        XCTAssertEqual(stored?.data, avatar)
        XCTAssertEqual(stored?.contentType, "image/png")
        XCTAssertEqual(s3.requests.map(\.operation), ["PutObject"])
        XCTAssertEqual(s3.requests.first?.status, 200)
    }

    func testDownloadFailsOnceThePresignedURLHasExpired() async throws {
        try await s3.putObject(bucket: "avatars", key: "users/2/avatar", data: Data("GIF".utf8), contentType: "image/gif")
        let url = try s3.presignedURL(bucket: "avatars", key: "users/2/avatar", expires: 60)
        let store = AvatarStore(session: session)

        let avatar = try await store.download(from: url)
        XCTAssertEqual(avatar, Data("GIF".utf8))

        s3.clock.advance(by: 61)
        do {
            _ = try await store.download(from: url)
            XCTFail("an expired URL was honoured")
        } catch let failure as AvatarStore.Failure {
            XCTAssertEqual(failure.status, 403)
        }
        XCTAssertEqual(s3.requests.last?.errorCode, "AccessDenied")
    }
}
