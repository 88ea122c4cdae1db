import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// The child channel of ``S3Server``: NIO's HTTP/1.1 decoder and an ``S3ConnectionHandler``,
/// and a task per connection that runs the request loop on the channel's own event loop.
///
/// Hummingbird's `Server` accepts the connections (and wraps this in its TLS channel for
/// HTTPS); the requests themselves never go through Hummingbird's asynchronous channel or the
/// HTTP types: a request head goes from NIO's decoder straight to ``S3Request``, and a response
/// from ``S3Response`` straight to bytes (``ResponseHead``).
struct S3HTTPChannel: ServerChildChannel {
    /// One accepted connection: its channel and its handler.
    ///
    /// `@unchecked Sendable`: the handler is used only on the channel's event loop (see
    /// ``S3ConnectionHandler``).
    struct Connection: ServerChildChannelValue, @unchecked Sendable {
        let channel: any Channel
        let handler: S3ConnectionHandler
    }

    /// Closes a connection that sends nothing and waits for nothing this long.
    let idleTimeout: TimeAmount
    /// Serves the requests of one connection until it ends.
    let serve: @Sendable (Connection) async -> Void

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Connection> {
        channel.eventLoop.makeCompletedFuture {
            try channel.syncOptions?.setOption(
                ChannelOptions.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: 256 << 10)
            )
            var limits = NIOHTTPDecoderLimitConfiguration()
            limits.maxHeaderFieldSize = 80 * 1024
            limits.maxHeaderListSize = 80 * 1024
            limits.maxHeaderFieldCount = 1000
            // Only NIO's decoder: responses are written as bytes (ResponseHead), and the request
            // loop answers in order, and answers bytes that are not HTTP.
            let operations = channel.pipeline.syncOperations
            try operations.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes, limitConfiguration: limits)))
            let handler = S3ConnectionHandler(eventLoop: channel.eventLoop, idleTimeout: idleTimeout)
            try operations.addHandler(handler)
            return Connection(channel: channel, handler: handler)
        }
    }

    /// Runs the connection's request loop with the channel's event loop as its executor.
    /// Cancelling it ends the connection: whatever the loop waits for fails with `CancellationError`.
    func handle(value: Connection, logger: Logger) async {
        await withTaskCancellationHandler {
            await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
                await serve(value)
            }
        } onCancel: {
            value.channel.eventLoop.execute { value.handler.cancel() }
        }
    }
}
