public import Logging
import Foundation
import HTTPTypes
import HummingbirdCore
import HummingbirdTLS
import NIOCore
import NIOHTTPTypes
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
        let configuration = HTTP1Channel.Configuration(idleTimeout: idleTimeout)
        var builder = HTTPServerBuilder { responder in
            S3HTTP1Channel(http1: HTTP1Channel(responder: responder, configuration: configuration))
        }
        if let certificate {
            builder = try .tls(builder, tlsConfiguration: certificate.configuration)
        }
        let isSecure = certificate != nil
        let server = try builder.buildServer(
            configuration: ServerConfiguration(address: .hostname(host, port: port), serverName: nil),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: logger,
            responder: { [emulator, logger] request, responseWriter, channel in
                try await Self.respond(
                    to: request, writer: responseWriter, channel: channel, isSecure: isSecure, emulator: emulator, logger: logger
                )
            },
            onServerRunning: { [onReady] channel in
                await onReady(channel.localAddress?.port ?? 0)
            }
        )
        try await server.run()
    }

    private static func respond(
        to request: Request,
        writer: consuming ResponseWriter,
        channel: any Channel,
        isSecure: Bool,
        emulator: S3Emulator,
        logger: Logger
    ) async throws {
        let started = ContinuousClock.now
        var headers = S3Headers()
        for field in request.headers {
            headers.append(field.name.canonicalName, field.value)
        }
        let s3Request = S3Request(
            method: request.method.rawValue,
            rawPath: request.uri.path,
            rawQuery: request.uri.query,
            host: request.head.authority,
            headers: headers,
            body: S3RequestBody(stream: RequestBodyTimeout(request.body, timeout: emulator.configuration.requestTimeout, channel: channel)),
            remoteAddress: channel.remoteAddress?.ipAddress,
            isSecure: isSecure
        )
        var response: S3Response
        switch await emulator.prepare(s3Request) {
        case .respond(let answer):
            response = answer
            if s3Request.headers["expect"]?.lowercased() == "100-continue" {
                // The body was never asked for: do not keep a connection whose next bytes are unknown.
                response.headers.set("connection", "close")
            }
        case .proceed(let context):
            if context.expectsContinue, context.readsBody {
                try await writer.writeInformationalHead(HTTPResponse(status: .continue))
            }
            response = await emulator.execute(context)
            if response.errorCode == S3ErrorCode.requestTimeout.code {
                // As S3: the rest of the body is never read, so the connection cannot be reused.
                response.headers.set("connection", "close")
            }
        }
        let bytes = response.body.length
        try await write(
            response, method: s3Request.method, to: writer, clock: emulator.configuration.clock,
            channel: channel, writeTimeout: emulator.configuration.requestTimeout
        )
        if s3Request.method == "CONNECT" {
            // NIO writes every answer to CONNECT without a body or a length: only the close ends it.
            channel.close(promise: nil)
        }

        guard logger.logLevel <= .info else { return }
        logger.info(Logger.Message(stringLiteral: requestLine(
            s3Request, status: response.status, bytes: bytes, elapsed: ContinuousClock.now - started,
            requestID: response.headers["x-amz-request-id"]
        )))
    }

    /// The request's log line: `GET /bucket/key?query 200 1024B 0.4ms REQUESTID`, built in one
    /// buffer (no `String(format:)`, no interpolation segments).
    static func requestLine(_ request: S3Request, status: Int, bytes: Int64, elapsed: Duration, requestID: String?) -> String {
        let (seconds, attoseconds) = elapsed.components
        // Tenths of a millisecond, rounded half up (as %.1f, but without Foundation).
        let tenths = max(0, seconds) * 10_000 + (attoseconds + 50_000_000_000_000) / 100_000_000_000_000
        var line = request.method
        line.reserveCapacity(request.rawPath.utf8.count + (request.rawQuery?.utf8.count ?? 0) + 64)
        line += " "
        line += request.rawPath
        if let query = request.rawQuery {
            line += "?"
            line += query
        }
        line += " "
        line += String(status)
        line += " "
        line += String(bytes)
        line += "B "
        line += String(tenths / 10)
        line += "."
        line += String(tenths % 10)
        line += "ms "
        line += requestID ?? "-"
        return line
    }

    private static func write(
        _ response: S3Response, method: String, to writer: consuming ResponseWriter, clock: any S3Clock,
        channel: any Channel, writeTimeout: Duration
    ) async throws {
        var fields = HTTPFields()
        fields.reserveCapacity(response.headers.fields.count + 4)
        for (name, value) in response.headers {
            guard let fieldName = HTTPField.Name(name) else { continue }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        fields[.date] = HTTPDate.format(clock.now())
        fields[.server] = "AmazonS3"
        let status = response.status
        let allowsBody = status != 204 && status != 304 && !(100..<200).contains(status)
        if allowsBody, fields[.contentLength] == nil {
            fields[.contentLength] = String(response.body.length)
        }
        let head = HTTPResponse(status: .init(code: status), headerFields: fields)
        switch response.body {
        case .empty:
            try await writer.writeResponse(head)
        case .buffer(let buffer):
            if method == "HEAD" || !allowsBody {
                try await writer.writeResponse(head)
            } else {
                try await writer.write(response: head, body: ResponseBody(byteBuffer: buffer))
            }
        case .stream(_, let produce):
            let bodyWriter = try await writer.writeHead(head)
            let timeout = ResponseWriteTimeout(timeout: writeTimeout, channel: channel)
            defer { timeout.stop() }
            let adapter = BodyWriterAdapter(bodyWriter, timeout: timeout)
            try await produce(adapter)
            try await adapter.finish()
        }
    }
}

/// Lets a handler's stream closure write through Hummingbird's body writer.
///
/// `@unchecked Sendable`: the adapter lives inside one response-writing task; the closure
/// that receives it awaits each write before the next, so its state is never touched
/// concurrently.
private final class BodyWriterAdapter<Writer: ResponseBodyWriter>: S3ResponseBodyWriter, @unchecked Sendable {
    private var writer: Writer
    /// Closes the connection when a write cannot proceed for the request timeout (a client that stopped reading).
    private let timeout: ResponseWriteTimeout

    init(_ writer: Writer, timeout: ResponseWriteTimeout) {
        self.writer = writer
        self.timeout = timeout
    }

    func write(_ buffer: ByteBuffer) async throws {
        try await timeout.guarding { try await writer.write(buffer) }
    }

    func finish() async throws {
        let writer = self.writer
        try await writer.finish(nil)
    }
}
