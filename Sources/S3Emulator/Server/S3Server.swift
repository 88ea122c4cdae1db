public import Logging
import Foundation
import HummingbirdCore
import HummingbirdTLS
import NIOCore
import NIOHTTP1
import NIOPosix
public import ServiceLifecycle
import S3EmulatorCore

/// The network server: an ``S3Emulator`` behind HTTP/1.1 on a host and port, or behind
/// HTTPS when given a ``ServerCertificate`` (requests then carry `aws:SecureTransport = true`).
///
/// Run it as a `Service` (in a `ServiceGroup`, which handles SIGTERM/SIGINT), or call
/// ``run()`` in a task and cancel it. Port 0 picks a free port; `onReady` receives the port
/// actually bound, once the server accepts connections.
///
/// ```swift
/// let emulator = try S3Emulator(configuration: EmulatorConfiguration())
/// let server = S3Server(emulator: emulator, host: "127.0.0.1", port: 0) { port in
///     print("listening on \(port)")
/// }
/// try await server.run()
/// ```
public final class S3Server: Service {
    public let emulator: S3Emulator
    public let host: String
    public let port: Int
    private let logger: Logger
    private let onReady: @Sendable (Int) async -> Void
    /// Closes connections that send nothing for this long: idle ones, half-sent heads, bodies
    /// nobody reads. Keep it longer than ``EmulatorConfiguration/requestTimeout``, which answers a
    /// stalled body that a handler reads with 400 RequestTimeout first.
    private let idleTimeout: TimeAmount
    /// When set, the server speaks HTTPS only, with this certificate.
    public let certificate: ServerCertificate?

    public init(
        emulator: S3Emulator,
        host: String = "127.0.0.1",
        port: Int,
        idleTimeoutSeconds: Int64 = 60,
        certificate: ServerCertificate? = nil,
        logger: Logger = Logger(label: "s3emu"),
        onReady: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.emulator = emulator
        self.host = host
        self.port = port
        self.idleTimeout = .seconds(idleTimeoutSeconds)
        self.certificate = certificate
        self.logger = logger
        self.onReady = onReady
    }

    /// Serves until graceful shutdown (or cancellation), then drains in-flight requests.
    public func run() async throws {
        let isSecure = certificate != nil
        let requestLog = RequestLog(logger)
        let channel = S3HTTPChannel(idleTimeout: idleTimeout) { [emulator] connection in
            await Self.serve(connection, isSecure: isSecure, emulator: emulator, requestLog: requestLog)
        }
        let configuration = ServerConfiguration(address: .hostname(host, port: port), serverName: nil)
        let onServerRunning: @Sendable (any Channel) async -> Void = { [onReady] channel in
            await onReady(channel.localAddress?.port ?? 0)
        }
        let server: any Service
        if let certificate {
            server = try TLSChannel(channel, tlsConfiguration: certificate.configuration).server(
                configuration: configuration, onServerRunning: onServerRunning,
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger
            )
        } else {
            server = channel.server(
                configuration: configuration, onServerRunning: onServerRunning,
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger
            )
        }
        try await server.run()
    }

    /// One connection's requests, in order, until the client closes it or a response ends it.
    ///
    /// Runs on the connection's event loop. A request body the handler did not read is read
    /// and dropped before the next request. Bytes that are not HTTP are answered
    /// `400 Bad Request`. When a request or its response asks to close the connection, the
    /// server stops sending (a FIN after the response) and reads until the client closes, so
    /// that the client reads the whole response before the connection goes.
    private static func serve(
        _ connection: S3HTTPChannel.Connection, isSecure: Bool, emulator: S3Emulator, requestLog: RequestLog
    ) async {
        let handler = connection.handler
        let remoteAddress = connection.channel.remoteAddress?.ipAddress
        var dates = ResponseDate()
        do {
            while let part = try await handler.nextPart() {
                guard case .head(let head) = part else {
                    break  // a body without a head: nothing after it can be trusted
                }
                let outcome = try await respond(
                    to: head, handler: handler, channel: connection.channel, remoteAddress: remoteAddress, isSecure: isSecure,
                    emulator: emulator, requestLog: requestLog, dates: &dates
                )
                switch outcome {
                case .keepAlive(let body):
                    do {
                        // Most bodies have ended by now: no suspension (each costs the task a
                        // look at its executor preference).
                        if try !body.skipArrived() {
                            try await body.skipRest()
                        }
                    } catch {
                        // The body broke (bytes that are not HTTP, a timeout): it was answered.
                        await finish(connection)
                        return
                    }
                case .finish:
                    await finish(connection)
                    return
                case .close:
                    return
                }
            }
        } catch is HTTPParserError {
            handler.write(ResponseHead.badRequest, endsResponse: true, flush: true)
            await finish(connection)
            return
        } catch {
            // The connection failed, or a request body timed out: nothing more can be read.
        }
        handler.close()
    }

    /// Ends a connection after its last response: no more is sent, what the client still sends
    /// is read and dropped until it closes (after bytes that are not HTTP, until it closes or the
    /// idle timeout), then the connection is closed.
    private static func finish(_ connection: S3HTTPChannel.Connection) async {
        let handler = connection.handler
        handler.finishOutput()
        do {
            while try await handler.nextPart() != nil {}
        } catch is HTTPParserError {
            try? await connection.channel.closeFuture.get()
        } catch {
            // A body that timed out: close at once.
        }
        handler.close()
    }

    /// What happens to the connection after a response.
    private enum Outcome {
        /// The next request may follow, once the rest of this one's body is read.
        case keepAlive(ConnectionRequestBody)
        /// The connection is closing: no more is sent, and reading goes on until the client closes.
        case finish
        /// The connection is closed.
        case close
    }

    private static func respond(
        to head: HTTPRequestHead,
        handler: S3ConnectionHandler,
        channel: any Channel,
        remoteAddress: String?,
        isSecure: Bool,
        emulator: S3Emulator,
        requestLog: RequestLog,
        dates: inout ResponseDate
    ) async throws -> Outcome {
        let started = ContinuousClock.now
        let (rawPath, rawQuery) = RequestTarget.split(head.uri)
        let (host, headers) = HTTPFieldSanitizer.requestFields(head.headers)
        let body = ConnectionRequestBody(handler: handler, hasBody: HTTPFieldSanitizer.hasBody(head.headers))
        let s3Request = S3Request(
            method: head.method.rawValue,
            rawPath: rawPath,
            rawQuery: rawQuery,
            host: host,
            headers: headers,
            body: body.hasBody
                ? S3RequestBody(stream: RequestBodyTimeout(body, timeout: emulator.configuration.requestTimeout, channel: channel))
                : S3RequestBody(),
            remoteAddress: remoteAddress,
            isSecure: isSecure
        )
        var response: S3Response
        switch emulator.prepare(s3Request) {
        case .respond(let answer):
            response = answer
            if s3Request.headers["expect"]?.lowercased() == "100-continue" {
                // The body was never asked for: do not keep a connection whose next bytes are unknown.
                response.headers.set("connection", "close")
            }
        case .proceed(let context):
            if context.expectsContinue, context.readsBody {
                handler.write(ResponseHead.continueHead, endsResponse: false, flush: true)
            }
            response = await emulator.execute(context)
            if response.errorCode == S3ErrorCode.requestTimeout.code {
                // As S3: the rest of the body is never read, so the connection cannot be reused.
                response.headers.set("connection", "close")
            }
        }
        // HTTP/1.0 keeps the connection only when the client asked and the response says so.
        let http10KeepAlive: Bool? = head.version.major == 1 && head.version.minor == 0 ? head.isKeepAlive : nil
        var closes = false
        if let http10KeepAlive {
            if let said = response.headers["connection"] {
                closes = said.lowercased().contains("close") || !http10KeepAlive
            } else {
                response.headers.append("connection", http10KeepAlive ? "keep-alive" : "close")
                closes = !http10KeepAlive
            }
        }
        // NIO writes every answer to CONNECT without a body or a length: only the close ends it.
        closes = closes || s3Request.method == "CONNECT"
        let bytes = response.body.length
        let date = dates.current(emulator.configuration.clock)
        switch response.body {
        case .stream(let length, let produce):
            try await writeStreamed(
                response, length: length, produce: produce, method: s3Request.method, to: handler, date: date,
                channel: channel, writeTimeout: emulator.configuration.requestTimeout, thenClose: closes
            )
        case .buffer(let body):
            write(response, body: body, method: s3Request.method, to: handler, date: date, allocator: channel.allocator, thenClose: closes)
        case .empty:
            write(response, body: nil, method: s3Request.method, to: handler, date: date, allocator: channel.allocator, thenClose: closes)
        }

        if requestLog.isEnabled {
            requestLog.record(
                s3Request, status: response.status, bytes: bytes, elapsed: ContinuousClock.now - started,
                requestID: response.headers["x-amz-request-id"]
            )
        }
        if closes {
            return .close
        }
        if !head.isKeepAlive || response.headers["connection"]?.lowercased() == "close" {
            return .finish
        }
        return .keepAlive(body)
    }

    /// Whether a response has a body (no framing and no body for a status without one or an
    /// answer to CONNECT, only the close ends that: what NIO's encoder sends), and whether it is
    /// sent (not for HEAD).
    private static func framing(status: Int, method: String) -> (hasBody: Bool, sendsBody: Bool) {
        let hasBody = status != 204 && status != 304 && !(100..<200).contains(status) && method != "CONNECT"
        return (hasBody, hasBody && method != "HEAD")
    }

    /// Writes a response whose body is in memory (`body`; nil for none), without suspending: a
    /// suspension costs the connection's task a look at its executor preference.
    private static func write(
        _ response: S3Response, body: ByteBuffer?, method: String, to handler: S3ConnectionHandler, date: String,
        allocator: ByteBufferAllocator, thenClose: Bool
    ) {
        let status = response.status
        let (hasBody, sendsBody) = framing(status: status, method: method)
        guard let body else {
            let head = ResponseHead.bytes(
                status: status, headers: response.headers, contentLength: hasBody ? 0 : nil, date: date, allocator: allocator
            )
            handler.write(head, endsResponse: true, flush: true, thenClose: thenClose)
            return
        }
        let inline = sendsBody && body.readableBytes <= Self.inlineBodySize
        var head = ResponseHead.bytes(
            status: status, headers: response.headers, contentLength: hasBody ? Int64(body.readableBytes) : nil,
            date: date, allocator: allocator, reservingBody: inline ? body.readableBytes : 0
        )
        if inline {
            head.writeImmutableBuffer(body)
            handler.write(head, endsResponse: true, flush: true, thenClose: thenClose)
        } else if sendsBody {
            handler.write(head, endsResponse: false, flush: false)
            handler.write(body, endsResponse: true, flush: true, thenClose: thenClose)
        } else {
            handler.write(head, endsResponse: true, flush: true, thenClose: thenClose)
        }
    }

    /// Writes a response with a streamed body: the head, then the body at the client's pace.
    private static func writeStreamed(
        _ response: S3Response, length: Int64, produce: @Sendable (any S3ResponseBodyWriter) async throws -> Void,
        method: String, to handler: S3ConnectionHandler, date: String, channel: any Channel, writeTimeout: Duration,
        thenClose: Bool
    ) async throws {
        let (hasBody, sendsBody) = framing(status: response.status, method: method)
        let head = ResponseHead.bytes(
            status: response.status, headers: response.headers, contentLength: hasBody ? length : nil, date: date,
            allocator: channel.allocator
        )
        handler.write(head, endsResponse: false, flush: true)
        if sendsBody {
            let timeout = ResponseWriteTimeout(timeout: writeTimeout, channel: channel)
            defer { timeout.stop() }
            try await produce(BodyWriter(handler: handler, timeout: timeout))
        }
        handler.endResponse(flush: true, thenClose: thenClose)
    }

    /// Bodies up to this size are copied behind their head, so the response leaves in one write.
    static let inlineBodySize = 16 * 1024
}

/// Lets a handler's stream closure write through the connection, at the client's pace.
private struct BodyWriter: S3ResponseBodyWriter {
    let handler: S3ConnectionHandler
    /// Closes the connection when a write cannot proceed for the request timeout (a client that stopped reading).
    let timeout: ResponseWriteTimeout

    func write(_ buffer: ByteBuffer) async throws {
        try await timeout.guarding { try await handler.writeAndWait(buffer) }
    }
}
