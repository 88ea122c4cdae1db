public import NIOCore

/// The body of a request as it arrives: a stream of byte buffers, never collected whole
/// unless a handler asks for a bounded amount (`collect(upTo:)`).
public struct S3RequestBody: Sendable, AsyncSequence {
    public typealias Element = ByteBuffer

    private enum Backing: Sendable {
        case buffer(ByteBuffer)
        case stream(any AsyncSequence<ByteBuffer, any Error> & Sendable)
    }

    private let backing: Backing

    /// A body already in memory (tests, the harness).
    public init(buffer: ByteBuffer = ByteBuffer()) {
        self.backing = .buffer(buffer)
    }

    /// A body that streams from the connection.
    public init(stream: some AsyncSequence<ByteBuffer, any Error> & Sendable) {
        self.backing = .stream(stream)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate var buffer: ByteBuffer?
        fileprivate var iterator: (any AsyncIteratorProtocol<ByteBuffer, any Error>)?

        public mutating func next() async throws -> ByteBuffer? {
            if let buffer {
                self.buffer = nil
                return buffer.readableBytes > 0 ? buffer : nil
            }
            guard var iterator else { return nil }
            let element = try await iterator.next(isolation: nil)
            self.iterator = iterator
            return element
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        switch backing {
        case .buffer(let buffer):
            return AsyncIterator(buffer: buffer, iterator: nil)
        case .stream(let stream):
            return AsyncIterator(buffer: nil, iterator: stream.makeAsyncIterator())
        }
    }
}
