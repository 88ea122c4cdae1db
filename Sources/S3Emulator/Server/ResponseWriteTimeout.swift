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
    private struct State {
        /// When the write in progress began; nil between writes.
        var writingSince: ContinuousClock.Instant?
        var finished = false
        var check: RepeatedTask?
    }

    private let timeout: Duration
    private let channel: any Channel
    private let state = Mutex(State())

    init(timeout: Duration, channel: any Channel) {
        self.timeout = timeout
        self.channel = channel
    }

    deinit {
        stop()
    }

    /// Runs one write under the timeout.
    func guarding(_ write: () async throws -> Void) async throws {
        let startCheck = state.withLock { state in
            state.writingSince = .now
            return !state.finished && state.check == nil
        }
        if startCheck {
            startChecking()
        }
        defer {
            state.withLock { $0.writingSince = nil }
        }
        try await write()
    }

    /// Stops the periodic check (the response is written, or failed).
    func stop() {
        let check = state.withLock { state in
            state.finished = true
            defer { state.check = nil }
            return state.check
        }
        check?.cancel()
    }

    private func startChecking() {
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        let interval = TimeAmount.nanoseconds(max(nanoseconds / 4, 10_000_000))
        let check = channel.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [weak self] task in
            guard let self else {
                task.cancel()
                return
            }
            let now = ContinuousClock.now
            let stalled = self.state.withLock { state -> Bool? in
                if state.finished { return nil }
                guard let since = state.writingSince else { return false }
                return now - since >= self.timeout
            }
            switch stalled {
            case nil:
                task.cancel()
            case true?:
                task.cancel()
                self.channel.close(promise: nil)
            case false?:
                break
            }
        }
        let cancel = state.withLock { state in
            guard !state.finished, state.check == nil else { return true }
            state.check = check
            return false
        }
        if cancel { check.cancel() }
    }
}
