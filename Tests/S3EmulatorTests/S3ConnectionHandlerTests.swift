import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization
import XCTest

@testable import S3Emulator

/// The connection layer under ``S3Server``, over real loopback connections: parts reach the
/// request loop in order, a body nobody reads waits in the socket instead of in memory, and
/// idle and shutting-down connections close as S3's front end closes them.
final class S3ConnectionHandlerTests: XCTestCase {
    // MARK: - Requests and responses

    func testPipelinedRequestsAreAnsweredInOrder() async throws {
        try await withServer(serve: Self.echoPaths) { port, _ in
            try await RawClient.with(port: port) { client in
                try await client.send("GET /one HTTP/1.1\r\nHost: h\r\n\r\nGET /two HTTP/1.1\r\nHost: h\r\n\r\nGET /three HTTP/1.1\r\nHost: h\r\n\r\n")
                var bodies: [String] = []
                for _ in 0..<3 {
                    bodies.append(try await client.readResponse().body)
                }
                XCTAssertEqual(bodies, ["/one", "/two", "/three"])
            }
        }
    }

    func testABodyNobodyReadsWaitsInTheSocket() async throws {
        let gate = Gate()
        let queued = Mutex<[Int]>([])
        let received = Mutex<Int>(0)
        let serve: @Sendable (S3HTTPChannel.Connection) async -> Void = { connection in
            let handler = connection.handler
            guard case .head = try? await handler.nextPart() else { return }
            await gate.wait()  // the body piles up meanwhile
            queued.withLock { $0.append(handler.queuedPartCount) }
            var bytes = 0
            while case .body(let buffer)? = try? await handler.nextPart() {
                bytes += buffer.readableBytes
            }
            received.withLock { $0 = bytes }
            Self.respond(handler, body: "stored \(bytes)")
        }
        try await withServer(serve: serve) { port, _ in
            try await RawClient.with(port: port) { client in
                let size = 64 << 20
                try await client.send("PUT /big HTTP/1.1\r\nHost: h\r\nContent-Length: \(size)\r\n\r\n")
                let sending = Task { try await client.send(ByteBuffer(repeating: 7, count: size)) }
                try await Task.sleep(for: .milliseconds(500))
                await gate.open()
                try await sending.value
                let response = try await client.readResponse()
                XCTAssertEqual(response.body, "stored \(size)")
            }
        }
        XCTAssertEqual(received.withLock { $0 }, 64 << 20)
        let waiting = try XCTUnwrap(queued.withLock { $0.first })
        // NIO makes up to 4 socket reads per readable event before it asks for the next read,
        // so the queue may pass the watermark by a few parts; without the hold it takes all
        // 64 MiB (about 260 parts).
        XCTAssertLessThanOrEqual(waiting, 2 * S3ConnectionHandler.highWatermark, "parts held while nobody read")
    }

    // MARK: - Lifecycle

    func testAnIdleConnectionIsClosedAfterTheIdleTimeout() async throws {
        try await withServer(idleTimeout: .milliseconds(200), serve: Self.echoPaths) { port, _ in
            try await RawClient.with(port: port) { client in
                try await client.send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
                let response = try await client.readResponse()
                XCTAssertEqual(response.body, "/x")
                let started = ContinuousClock.now
                let closed = try await client.readsEndOfFile()
                XCTAssertTrue(closed, "closed by the server")
                XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
            }
        }
    }

    func testGracefulShutdownClosesIdleConnectionsAndFinishesTheRequestInProgress() async throws {
        let gate = Gate()
        let serve: @Sendable (S3HTTPChannel.Connection) async -> Void = { connection in
            let handler = connection.handler
            while case .head(let head)? = try? await handler.nextPart() {
                _ = try? await handler.nextPart()  // the end
                if head.uri == "/slow" { await gate.wait() }
                Self.respond(handler, body: head.uri)
            }
            handler.close()
        }
        try await withServer(serve: serve) { port, group in
            try await RawClient.with(port: port) { idle in
                try await idle.send("GET /first HTTP/1.1\r\nHost: h\r\n\r\n")
                let first = try await idle.readResponse()
                XCTAssertEqual(first.body, "/first")
                try await RawClient.with(port: port) { busy in
                    try await busy.send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n")
                    try await Task.sleep(for: .milliseconds(200))

                    await group.triggerGracefulShutdown()
                    let idleClosed = try await idle.readsEndOfFile()
                    XCTAssertTrue(idleClosed, "the idle connection closes at once")
                    await gate.open()
                    let slow = try await busy.readResponse()
                    XCTAssertEqual(slow.body, "/slow", "the request in progress is answered")
                    let busyClosed = try await busy.readsEndOfFile()
                    XCTAssertTrue(busyClosed, "then its connection closes")
                }
            }
        }
    }

    func testAStreamedResponseEndsWhenTheClientGoesAway() async throws {
        let ended = Mutex<(any Error)?>(nil)
        let serve: @Sendable (S3HTTPChannel.Connection) async -> Void = { connection in
            let handler = connection.handler
            guard case .head? = try? await handler.nextPart() else { return }
            _ = try? await handler.nextPart()  // the end
            handler.write(ByteBuffer(string: "HTTP/1.1 200 OK\r\ncontent-length: \(1 << 40)\r\n\r\n"), endsResponse: false, flush: true)
            do {
                while true {
                    try await handler.writeAndWait(ByteBuffer(repeating: 1, count: 256 << 10))
                }
            } catch {
                ended.withLock { $0 = error }
            }
            handler.close()
        }
        try await withServer(serve: serve) { port, _ in
            try await RawClient.with(port: port) { client in
                try await client.send("GET /endless HTTP/1.1\r\nHost: h\r\n\r\n")
                try await Task.sleep(for: .milliseconds(100))
                try await client.reset()
            }
            let deadline = ContinuousClock.now + .seconds(10)
            while ended.withLock({ $0 == nil }), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        XCTAssertNotNil(ended.withLock { $0 }, "the writer stopped with an error once the client was gone")
    }

    func testCancellingTheServerEndsConnectionsThatWait() async throws {
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let waiting = Mutex<Int>(0)
        let serve: @Sendable (S3HTTPChannel.Connection) async -> Void = { connection in
            waiting.withLock { $0 += 1 }
            _ = try? await connection.handler.nextPart()  // nothing ever arrives
            waiting.withLock { $0 -= 1 }
            connection.handler.close()
        }
        let server = S3HTTPChannel(idleTimeout: .seconds(60), serve: serve).server(
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let running = Task { try await server.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { return XCTFail("the server did not start") }
        try await RawClient.with(port: port) { _ in
            let deadline = ContinuousClock.now + .seconds(5)
            while waiting.withLock({ $0 }) == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            XCTAssertEqual(waiting.withLock { $0 }, 1)
            running.cancel()
            let stopped = ContinuousClock.now + .seconds(5)
            while waiting.withLock({ $0 }) > 0, ContinuousClock.now < stopped {
                try await Task.sleep(for: .milliseconds(10))
            }
            XCTAssertEqual(waiting.withLock { $0 }, 0, "the waiting request loop ended")
        }
        _ = await running.result
    }

    // MARK: - Support

    /// Answers every request with its path.
    private static let echoPaths: @Sendable (S3HTTPChannel.Connection) async -> Void = { connection in
        let handler = connection.handler
        while let part = try? await handler.nextPart() {
            if case .head(let head) = part {
                _ = try? await handler.nextPart()  // the end
                respond(handler, body: head.uri)
            }
        }
        handler.close()
    }

    private static func respond(_ handler: S3ConnectionHandler, body: String) {
        handler.write(
            ByteBuffer(string: "HTTP/1.1 200 OK\r\ncontent-length: \(body.utf8.count)\r\n\r\n\(body)"), endsResponse: true, flush: true
        )
    }

    /// Runs an ``S3HTTPChannel`` with `serve` on a free port for the duration of `body`.
    private func withServer(
        idleTimeout: TimeAmount = .seconds(60),
        serve: @escaping @Sendable (S3HTTPChannel.Connection) async -> Void,
        _ body: (Int, ServiceGroup) async throws -> Void
    ) async throws {
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let server = S3HTTPChannel(idleTimeout: idleTimeout, serve: serve).server(
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let group = ServiceGroup(services: [server], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { return XCTFail("the server did not start") }
        do {
            try await body(port, group)
        } catch {
            await group.triggerGracefulShutdown()
            _ = await running.result
            throw error
        }
        await group.triggerGracefulShutdown()
        try await running.value
    }
}

/// One raw HTTP/1.1 client connection.
///
/// `@unchecked Sendable`: a test reads from one task; another task may only write.
private final class RawClient: @unchecked Sendable {
    private let channel: any Channel
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private var buffer = ByteBuffer()

    private init(
        channel: any Channel, inbound: NIOAsyncChannelInboundStream<ByteBuffer>, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) {
        self.channel = channel
        self.outbound = outbound
        self.inbound = inbound.makeAsyncIterator()
    }

    /// Connects, runs `body` with the connection, and closes it (also when `body` throws).
    static func with(port: Int, _ body: (RawClient) async throws -> Void) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            try await body(RawClient(channel: channel.channel, inbound: inbound, outbound: outbound))
        }
    }

    func send(_ text: String) async throws {
        try await send(ByteBuffer(string: text))
    }

    func send(_ bytes: ByteBuffer) async throws {
        try await outbound.write(bytes)
    }

    /// Closes the connection with a reset (`SO_LINGER` 0), as a client that crashes does.
    func reset() async throws {
        let options = try XCTUnwrap(channel as? any SocketOptionProvider)
        try await options.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        try await channel.close()
    }

    /// The next response's status and body (responses here always have a length).
    func readResponse() async throws -> (status: Int, body: String) {
        while true {
            if let response = Self.takeResponse(from: &buffer) {
                return response
            }
            guard var more = try await inbound.next() else { throw ChannelError.eof }
            buffer.writeBuffer(&more)
        }
    }

    /// True when the server closes the connection (within 10 s), after any bytes it still sends.
    func readsEndOfFile() async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            guard try await inbound.next() != nil else { return true }
        }
        return false
    }

    private static func takeResponse(from buffer: inout ByteBuffer) -> (status: Int, body: String)? {
        guard let text = buffer.getString(at: buffer.readerIndex, length: buffer.readableBytes),
            let headEnd = text.range(of: "\r\n\r\n")
        else { return nil }
        let head = text[..<headEnd.lowerBound]
        let lines = head.split(separator: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        let length = lines.dropFirst().compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
            return Int(parts[1].trimmingCharacters(in: .whitespaces))
        }.first ?? 0
        let headBytes = text[..<headEnd.upperBound].utf8.count
        guard buffer.readableBytes >= headBytes + length else { return nil }
        buffer.moveReaderIndex(forwardBy: headBytes)
        let body = buffer.readString(length: length) ?? ""
        return (status, body)
    }
}

/// A one-shot gate for a task to wait at.
private actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in waiters { waiter.resume() }
        waiters = []
    }
}
