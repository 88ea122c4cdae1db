import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The application code under test: stores user avatars through URLs its backend presigns.
public struct AvatarStore: Sendable {
    /// What S3 answered when it refused a request.
    public struct Failure: Error, Equatable {
        public var status: Int
    }

    private let session: URLSession

    public init(session: URLSession) {
        self.session = session
    }

    /// Uploads `avatar` to a presigned PUT URL.
    public func upload(_ avatar: Data, to presignedURL: URL, contentType: String = "image/png") async throws {
        var request = URLRequest(url: presignedURL)
        request.httpMethod = "PUT"
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        let (_, response) = try await session.upload(for: request, from: avatar)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else { throw Failure(status: status) }
    }

    /// Downloads an avatar from a presigned GET URL.
    public func download(from presignedURL: URL) async throws -> Data {
        let (data, response) = try await session.data(from: presignedURL)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else { throw Failure(status: status) }
        return data
    }
}
