import Logging
import S3EmulatorCore

/// The line `s3emu serve` logs for each request, at info level:
/// `GET /bucket/key?query 200 1024B 0.4ms REQUESTID` (the target as sent, the status, the body's
/// bytes, the time from the head to the answer, the `x-amz-request-id`).
///
/// Through a ``BatchedLogHandler`` (what `s3emu serve` installs) the line's bytes go straight
/// into the log writer's buffer; through any other handler it is an ordinary `info` message.
/// Made as a `String` and handed to swift-log, the line cost a GET 1 KiB about a tenth of its CPU.
struct RequestLog: Sendable {
    private let logger: Logger
    private let batched: BatchedLogHandler?

    init(_ logger: Logger) {
        self.logger = logger
        self.batched = logger.handler as? BatchedLogHandler
    }

    /// Whether ``record(_:status:bytes:elapsed:requestID:)`` writes anything.
    var isEnabled: Bool {
        (batched?.logLevel ?? logger.logLevel) <= .info
    }

    func record(_ request: S3Request, status: Int, bytes: Int64, elapsed: Duration, requestID: String?) {
        guard isEnabled else { return }
        if let batched {
            batched.log(level: .info, source: Self.source) { buffer in
                Self.appendLine(request, status: status, bytes: bytes, elapsed: elapsed, requestID: requestID, to: &buffer)
            }
        } else {
            let text = Self.line(request, status: status, bytes: bytes, elapsed: elapsed, requestID: requestID)
            logger.info(Logger.Message(stringLiteral: text), source: Self.source)
        }
    }

    /// The module the line comes from, as swift-log names it.
    private static var source: String { "S3Emulator" }

    /// The line's text.
    static func line(_ request: S3Request, status: Int, bytes: Int64, elapsed: Duration, requestID: String?) -> String {
        var buffer: [UInt8] = []
        appendLine(request, status: status, bytes: bytes, elapsed: elapsed, requestID: requestID, to: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// The line, built in a stack buffer with one check per piece, then appended at once.
    private static func appendLine(
        _ request: S3Request, status: Int, bytes: Int64, elapsed: Duration, requestID: String?, to buffer: inout [UInt8]
    ) {
        let (seconds, attoseconds) = elapsed.components
        // Tenths of a millisecond, rounded half up (as %.1f, but without Foundation).
        let tenths = max(0, seconds) * 10_000 + (attoseconds + 50_000_000_000_000) / 100_000_000_000_000
        let requestID = requestID ?? "-"
        // Four numbers of at most 20 digits and a sign, the separators and units.
        let capacity = request.method.utf8.count + request.rawPath.utf8.count + (request.rawQuery?.utf8.count ?? 0)
            + requestID.utf8.count + 4 * 21 + 16
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { line in
            var out = ByteWriter(line)
            out.append(request.method)
            out.append(UInt8(ascii: " "))
            out.append(request.rawPath)
            if let query = request.rawQuery {
                out.append(UInt8(ascii: "?"))
                out.append(query)
            }
            out.append(UInt8(ascii: " "))
            out.appendDecimal(Int64(status))
            out.append(UInt8(ascii: " "))
            out.appendDecimal(bytes)
            out.append("B ")
            out.appendDecimal(tenths / 10)
            out.append(UInt8(ascii: "."))
            out.appendDecimal(tenths % 10)
            out.append("ms ")
            out.append(requestID)
            buffer.append(contentsOf: out.written(0..<out.count))
        }
    }
}
