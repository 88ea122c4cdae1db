import Foundation
public import Logging

/// A swift-log handler that writes lines in `StreamLogHandler`'s format
/// (`2026-11-22T22:37:20+0000 info s3emu: [S3Emulator] message`) through a ``LogLineWriter``,
/// which writes them in batches from a thread of its own.
///
/// ```swift
/// LoggingSystem.bootstrap { label in BatchedLogHandler(label: label, writer: .standardError) }
/// ```
public struct BatchedLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    public var metadata: Logger.Metadata = [:] {
        didSet { prettyMetadata = Self.prettify(metadata) }
    }
    private var prettyMetadata: String?
    private let label: String
    private let writer: LogLineWriter

    public init(label: String, writer: LogLineWriter, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.label = label
        self.writer = writer
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let metadata = effectiveMetadata(explicit: event.metadata, error: event.error)
        appendLine(level: event.level, source: event.source, metadata: metadata) { buffer in
            buffer.append(contentsOf: event.message.description.utf8)
        }
    }

    /// Writes the line ``log(event:)`` writes for an event of `level` from `source` with no
    /// metadata or error of its own, its message appended by `message` straight into the
    /// writer's buffer: no `String` and no `LogEvent` are made (``RequestLog``, a line per request).
    func log(level: Logger.Level, source: String, message: (inout [UInt8]) -> Void) {
        appendLine(level: level, source: source, metadata: effectiveMetadata(explicit: nil, error: nil), message: message)
    }

    /// `2026-11-22T22:37:20+0000 info s3emu: key=value [S3Emulator] message`, and a newline.
    private func appendLine(level: Logger.Level, source: String, metadata: String?, message: (inout [UInt8]) -> Void) {
        let now = time(nil)
        writer.append { buffer in
            writer.appendTimestamp(now, to: &buffer)
            buffer.append(UInt8(ascii: " "))
            buffer.append(contentsOf: level.rawValue.utf8)
            if !label.isEmpty {
                buffer.append(UInt8(ascii: " "))
                buffer.append(contentsOf: label.utf8)
            }
            buffer.append(UInt8(ascii: ":"))
            if let metadata {
                buffer.append(UInt8(ascii: " "))
                buffer.append(contentsOf: metadata.utf8)
            }
            buffer.append(contentsOf: " [".utf8)
            buffer.append(contentsOf: source.utf8)
            buffer.append(contentsOf: "] ".utf8)
            message(&buffer)
            buffer.append(UInt8(ascii: "\n"))
        }
    }

    /// The handler's metadata with the provider's, an event's own and its error's, as
    /// `StreamLogHandler` merges them; nil for none.
    private func effectiveMetadata(explicit: Logger.Metadata?, error: (any Error)?) -> String? {
        let provided = metadataProvider?.get() ?? [:]
        guard !provided.isEmpty || !(explicit ?? [:]).isEmpty || error != nil else {
            return prettyMetadata
        }
        var merged = metadata
        merged.merge(provided) { _, provided in provided }
        merged.merge(explicit ?? [:]) { _, explicit in explicit }
        if let error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        return Self.prettify(merged)
    }

    private static func prettify(_ metadata: Logger.Metadata) -> String? {
        metadata.isEmpty ? nil : metadata.sorted { $0.key < $1.key }.map { "\($0)=\($1)" }.joined(separator: " ")
    }
}
