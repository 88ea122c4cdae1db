import NIOCore
import NIOHTTP1

/// A request's body as it arrives on its connection: the body parts up to the request's end.
///
/// The request loop keeps it after the response, to read and drop whatever the handler left
/// (``skipRest()``) before the next request's head.
///
/// `@unchecked Sendable`: like its ``S3ConnectionHandler``, it is used only on the connection's
/// event loop, by the connection's task.
final class ConnectionRequestBody: AsyncSequence, @unchecked Sendable {
    typealias Element = ByteBuffer

    private let handler: S3ConnectionHandler
    /// False when the head announced no body (no `Content-Length` above 0, no `Transfer-Encoding`).
    let hasBody: Bool
    private var ended = false

    init(handler: S3ConnectionHandler, hasBody: Bool) {
        self.handler = handler
        self.hasBody = hasBody
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate let body: ConnectionRequestBody

        func next() async throws -> ByteBuffer? {
            try await body.nextBuffer()
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(body: self)
    }

    /// What ``arrivedBuffer()`` found.
    enum Arrival {
        /// The next piece of the body, or nil at its end (or when the connection ended first).
        case buffer(ByteBuffer?)
        /// The next piece has to be waited for (``AsyncIterator/next()``).
        case nothingYet
    }

    /// The next piece of the body if it has arrived, without waiting.
    func arrivedBuffer() throws -> Arrival {
        guard !ended else { return .buffer(nil) }
        switch try handler.arrivedPart() {
        case .part(let part): return .buffer(try buffer(of: part))
        case .connectionEnded: return .buffer(try buffer(of: nil))
        case .nothingYet: return .nothingYet
        }
    }

    /// The next piece of the body; nil at its end (or when the connection ended first).
    func nextBuffer() async throws -> ByteBuffer? {
        guard !ended else { return nil }
        return try buffer(of: try await handler.nextPart())
    }

    /// The body's piece in `part` (nil: the connection ended); nil at the body's end.
    private func buffer(of part: HTTPServerRequestPart?) throws -> ByteBuffer? {
        guard let part else {
            ended = true
            return nil
        }
        switch part {
        case .body(let buffer):
            return buffer
        case .end:
            ended = true
            return nil
        case .head:
            ended = true
            throw S3ConnectionError.headInsideBody
        }
    }

    /// Drops the pieces of the body that have already arrived, without waiting; true when the
    /// body has ended (then ``skipRest()`` has nothing to do).
    func skipArrived() throws -> Bool {
        while true {
            switch try arrivedBuffer() {
            case .buffer(nil): return true
            case .buffer: continue
            case .nothingYet: return false
            }
        }
    }

    /// Reads and drops the rest of the body.
    func skipRest() async throws {
        while try await nextBuffer() != nil {}
    }
}

/// A connection whose parts arrive out of order cannot be served further.
enum S3ConnectionError: Error {
    /// A request head arrived before the previous request's end.
    case headInsideBody
}
