import NIOCore
import NIOHTTP1

/// HTTP/1.0 connection semantics (RFC 9112 §9.3), which the HTTP types Hummingbird works with
/// cannot express (they carry no version): an HTTP/1.0 connection closes after the response
/// unless the client sent `Connection: keep-alive`, and the server keeps it open only when its
/// response says `Connection: keep-alive`.
///
/// Sits between NIO's HTTP/1 decoder and the conversion to HTTP types. For each request it
/// remembers the version and the client's wish; on the final response head it adds
/// `Connection: keep-alive` or `Connection: close` for an HTTP/1.0 request (unless the response
/// already says), and closes the connection once a closing response has been written. HTTP/1.1
/// requests pass untouched.
final class HTTP10ConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// One entry per request whose final response head is not written yet, in order: nil for
    /// HTTP/1.1, otherwise whether the HTTP/1.0 client asked to keep the connection open.
    private var requests = CircularBuffer<Bool?>()
    /// True while writing a response after which the connection closes.
    private var closesAfterResponse = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) {
            requests.append(head.version == .http1_0 ? head.isKeepAlive : nil)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status.code >= 200:
            guard let request = requests.popFirst(), let keepAlive = request else { break }
            if let said = head.headers.first(name: "connection") {
                closesAfterResponse = said.lowercased().contains("close") || !keepAlive
            } else {
                head.headers.add(name: "connection", value: keepAlive ? "keep-alive" : "close")
                closesAfterResponse = !keepAlive
            }
            context.write(wrapOutboundOut(.head(head)), promise: promise)
            return
        case .end where closesAfterResponse:
            closesAfterResponse = false
            let written = promise ?? context.eventLoop.makePromise()
            let channel = context.channel
            written.futureResult.whenComplete { _ in channel.close(promise: nil) }
            context.write(data, promise: written)
            return
        default:
            break
        }
        context.write(data, promise: promise)
    }
}
