import NIOCore
import Synchronization

/// S3's request timeout on the way out: when a streamed response body cannot be written for
/// `timeout` (the client stopped reading and the socket's buffers are full), the connection is
/// closed, which fails the pending write and ends the handler, releasing the object's file.
///
/// A periodic check on the channel's event loop (every quarter of the timeout, started with the
/// first write) looks at the write in progress; writes that complete never wait for it.
///
/// ```swift
/// let watchdog = ResponseWriteTimeout(timeout: .seconds(20), channel: channel)
/// try await watchdog.guarding { try await writer.write(buffer) }
/// watchdog.stop()
/// ```
final class ResponseWriteTimeout: Sendable {
    private let timeout: Duration
    private let channel: any Channel
    /// When the write in progress began; nil between writes.
    private let writingSince = Mutex<ContinuousClock.Instant?>(nil)
    private let check: PeriodicCheck

    init(timeout: Duration, channel: any Channel) {
        self.timeout = timeout
        self.channel = channel
        self.check = PeriodicCheck(timeout: timeout, on: channel.eventLoop)
    }

    /// Runs one write under the timeout.
    func guarding(_ write: () async throws -> Void) async throws {
        writingSince.withLock { $0 = .now }
        check.startIfNeeded { [weak self] in self?.checkWrite() ?? false }
        defer {
            writingSince.withLock { $0 = nil }
        }
        try await write()
    }

    /// Stops the periodic check (the response is written, or failed).
    func stop() {
        check.stop()
    }

    /// On the event loop: closes the connection when the write in progress has waited the whole
    /// timeout; `false` ends the check.
    private func checkWrite() -> Bool {
        let now = ContinuousClock.now
        let stalled = writingSince.withLock { since in since.map { now - $0 >= timeout } ?? false }
        if stalled {
            channel.close(promise: nil)
        }
        return !stalled
    }
}
