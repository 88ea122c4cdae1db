import NIOCore
import NIOHTTP1

/// The NIO end of one HTTP/1.1 connection: it hands the request parts NIO's decoder produces
/// to the connection's task (``S3Server``'s request loop) and writes that task's responses.
///
/// The task runs on this channel's event loop (``S3HTTPChannel`` gives it the loop as its
/// executor preference), so the two meet without locks or an asynchronous stream in between: a
/// part that arrives while the task waits resumes it directly; otherwise it waits in a queue.
/// When the queue holds ``highWatermark`` parts the handler stops reading from the socket, and
/// reads again once the task has taken it down to ``lowWatermark``: a body that arrives faster
/// than it is stored waits in the client's socket, not in memory.
///
/// It also keeps the connection's lifecycle, as S3's front end does:
/// - a connection idle for `idleTimeout` (no request in progress, nothing received) is closed;
/// - on graceful shutdown (`ChannelShouldQuiesceEvent`) an idle connection closes at once and
///   a busy one after the response in progress;
/// - a write that finds the socket's buffers full waits until they drain, so a large response
///   is sent at the client's pace.
///
/// `@unchecked Sendable`: the handler is shared between its channel's pipeline and the
/// connection's task, and every access happens on the channel's event loop (the task-facing
/// methods check it with a precondition).
final class S3ConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    /// Parts queued before the handler stops reading from the socket.
    static let highWatermark = 16
    /// Parts left in the queue when the handler reads from the socket again.
    static let lowWatermark = 4

    /// Why no more parts will come.
    private enum InboundEnd {
        /// The peer closed its side, or the connection closed.
        case closed
        /// The decoder failed (a request that is not HTTP), or the body timed out.
        case failed(any Error)
    }

    let eventLoop: any EventLoop
    private let idleTimeout: TimeAmount?
    private var context: ChannelHandlerContext?

    // Inbound
    private var parts = CircularBuffer<HTTPServerRequestPart>(initialCapacity: 4)
    private var inboundEnd: InboundEnd?
    /// The task, while it waits for a part.
    private var reader: UnsafeContinuation<HTTPServerRequestPart?, any Error>?
    /// A `read` held back while the queue is full.
    private var readHeld = false

    // Outbound
    /// The task, while it waits for the socket's buffers to drain.
    private var writer: UnsafeContinuation<Void, any Error>?

    // Lifecycle
    /// Requests whose head arrived and whose response has not ended.
    private var requestsInProgress = 0
    /// True between a request's head and its end.
    private var isReadingRequest = false
    private var lastActivity = NIODeadline.now()
    private var idleCheck: Scheduled<Void>?
    private var closesAfterResponse = false
    /// The output is shut: what still arrives is read and dropped until the peer closes.
    private var isFinishing = false
    /// The channel has closed (or the handler left it): nothing can be written any more.
    private var isClosed = false

    init(eventLoop: any EventLoop, idleTimeout: TimeAmount?) {
        self.eventLoop = eventLoop
        self.idleTimeout = idleTimeout
    }

    // MARK: - For the connection's task (on the event loop)

    /// The next request part; nil once the peer has closed its side or the connection closed.
    /// Throws the decoder's error for bytes that are not HTTP, or the body's timeout.
    func nextPart() async throws -> HTTPServerRequestPart? {
        switch try arrivedPart() {
        case .part(let part): return part
        case .connectionEnded: return nil
        case .nothingYet: break
        }
        return try await withUnsafeThrowingContinuation { continuation in
            reader = continuation
        }
    }

    /// What ``arrivedPart()`` found.
    enum Arrival {
        case part(HTTPServerRequestPart)
        /// The peer has closed its side, or the connection closed: no part will come.
        case connectionEnded
        /// The next part has to be waited for (``nextPart()``).
        case nothingYet
    }

    /// The next request part if it has arrived, without waiting; throws as ``nextPart()`` does.
    func arrivedPart() throws -> Arrival {
        eventLoop.preconditionInEventLoop()
        if let part = parts.popFirst() {
            if readHeld, parts.count <= Self.lowWatermark, let context {
                readHeld = false
                context.read()
            }
            return .part(part)
        }
        switch inboundEnd {
        case .closed: return .connectionEnded
        case .failed(let error): throw error
        case nil: return .nothingYet
        }
    }

    /// Writes response bytes (see ``ResponseHead``); `endsResponse` when they are the last of
    /// a response, `flush` to send what is buffered, `thenClose` to close the connection once
    /// they are written.
    func write(_ bytes: ByteBuffer, endsResponse: Bool, flush: Bool, thenClose: Bool = false) {
        eventLoop.preconditionInEventLoop()
        guard let context else { return }
        var closes = thenClose
        if endsResponse {
            responseEnded(context: context)
            // On graceful shutdown the connection closes after the last response in progress.
            closes = closes || (requestsInProgress == 0 && closesAfterResponse)
        }
        var promise: EventLoopPromise<Void>?
        if closes {
            // Closed once the bytes are written: a close before would drop what is still queued.
            let written = context.eventLoop.makePromise(of: Void.self)
            let channel = context.channel
            written.futureResult.whenComplete { _ in channel.close(promise: nil) }
            promise = written
        }
        if flush || closes {
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(bytes)), promise: promise)
        } else {
            context.write(wrapOutboundOut(.byteBuffer(bytes)), promise: promise)
        }
    }

    /// The end of a response whose bytes are all written (a streamed body's end).
    func endResponse(flush: Bool, thenClose: Bool = false) {
        write(ByteBuffer(), endsResponse: true, flush: flush, thenClose: thenClose)
    }

    /// Writes and sends a piece of a streamed body, then waits while the socket's buffers are
    /// full. Throws once the connection has closed.
    func writeAndWait(_ bytes: ByteBuffer) async throws {
        eventLoop.preconditionInEventLoop()
        guard let context, !isClosed else { throw ChannelError.ioOnClosedChannel }
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(bytes)), promise: nil)
        // The flush may have failed and closed the channel, which never becomes writable again.
        guard !isClosed else { throw ChannelError.ioOnClosedChannel }
        guard !context.channel.isWritable else { return }
        try await withUnsafeThrowingContinuation { continuation in
            writer = continuation
        }
    }

    /// Closes the connection.
    func close() {
        eventLoop.preconditionInEventLoop()
        context?.close(promise: nil)
    }

    /// Sends nothing more: the socket's output is shut down once what was written is sent
    /// (the client reads the end of the last response, then end of file).
    func finishOutput() {
        eventLoop.preconditionInEventLoop()
        guard let context else { return }
        // No request of this connection will be answered: none is in progress, and the idle
        // timeout (or a graceful shutdown) ends a peer that never closes.
        isFinishing = true
        requestsInProgress = 0
        isReadingRequest = false
        scheduleIdleCheck(context)
        context.close(mode: .output, promise: nil)
    }

    /// The connection's task was cancelled: it stops waiting (for a part or for the socket)
    /// with `CancellationError`, and the connection closes.
    func cancel() {
        eventLoop.preconditionInEventLoop()
        end(.failed(CancellationError()))
        resumeWriter(throwing: CancellationError())
        context?.close(promise: nil)
    }

    /// The parts waiting for the task (for tests).
    var queuedPartCount: Int {
        eventLoop.preconditionInEventLoop()
        return parts.count
    }

    // MARK: - Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive {
            scheduleIdleCheck(context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        idleCheck?.cancel()
        idleCheck = nil
        self.context = nil
        isClosed = true
        end(.closed)
        resumeWriter(throwing: ChannelError.ioOnClosedChannel)
    }

    func channelActive(context: ChannelHandlerContext) {
        scheduleIdleCheck(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleCheck?.cancel()
        idleCheck = nil
        isClosed = true
        end(.closed)
        resumeWriter(throwing: ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard inboundEnd == nil else { return }
        let part = unwrapInboundIn(data)
        switch part {
        case .head where !isFinishing:
            requestsInProgress += 1
            isReadingRequest = true
        case .end where !isFinishing:
            isReadingRequest = false
        default:
            break
        }
        lastActivity = .now()
        if let reader {
            self.reader = nil
            reader.resume(returning: part)
        } else {
            parts.append(part)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // The decoder's error (bytes that are not HTTP), or a body's timeout: the task gets it
        // once it has taken what arrived before.
        end(.failed(error))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case ChannelEvent.inputClosed:
            end(.closed)
        case is ChannelShouldQuiesceEvent:
            if requestsInProgress > 0, !isFinishing {
                closesAfterResponse = true
            } else {
                context.close(promise: nil)
            }
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, let writer {
            self.writer = nil
            writer.resume()
        }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if parts.count >= Self.highWatermark {
            readHeld = true
        } else {
            context.read()
        }
    }

    // MARK: - Private

    private func resumeWriter(throwing error: any Error) {
        guard let writer else { return }
        self.writer = nil
        writer.resume(throwing: error)
    }

    /// No more parts will come: wakes a waiting reader with the end (or error).
    private func end(_ end: InboundEnd) {
        guard inboundEnd == nil else { return }
        inboundEnd = end
        guard let reader, parts.isEmpty else { return }
        self.reader = nil
        switch end {
        case .closed: reader.resume(returning: nil)
        case .failed(let error): reader.resume(throwing: error)
        }
    }

    /// A response's end is about to be written: one request fewer in progress, and the idle
    /// clock starts again when none is left.
    private func responseEnded(context: ChannelHandlerContext) {
        requestsInProgress = max(0, requestsInProgress - 1)
        if requestsInProgress == 0 {
            lastActivity = .now()
            scheduleIdleCheck(context)
        }
    }

    /// Checks for idleness once the timeout has passed since the last activity.
    private func scheduleIdleCheck(_ context: ChannelHandlerContext) {
        guard let idleTimeout, idleCheck == nil, context.channel.isActive else { return }
        idleCheck = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(deadline: lastActivity + idleTimeout) {
            self.idleCheck = nil
            // A request whose response is being prepared is not idle; its response's end checks again.
            if !self.isReadingRequest, self.requestsInProgress > 0 { return }
            if NIODeadline.now() >= self.lastActivity + idleTimeout {
                context.close(promise: nil)
            } else {
                self.scheduleIdleCheck(context)
            }
        }
    }
}
