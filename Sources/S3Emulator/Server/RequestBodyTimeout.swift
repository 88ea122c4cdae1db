import NIOCore
import S3EmulatorCore
import Synchronization

/// A request body with S3's request timeout: when the server waits for the client's next bytes
/// for `timeout` in all — a body that stalls, or one trickled in at less than
/// ``minimumProgress`` bytes per `timeout` — reading it fails with 400 `RequestTimeout`, and the
/// connection's inbound stream is ended so the connection closes once that answer is written.
///
/// Only the time spent waiting inside `next()` counts: while a handler is busy (writing a batch
/// to disk), the bytes wait in the socket and the clock stops. A stalled body is noticed by a
/// check on the channel's event loop every quarter of the timeout; a trickle when its bytes
/// arrive. A piece that has already arrived is handed over without waiting, so a small body
/// that came with its head never starts the check.
///
/// ```swift
/// let body = RequestBodyTimeout(request.body, timeout: .seconds(20), channel: channel)
/// ```
struct RequestBodyTimeout: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    /// Bytes that count as progress: each time this many have arrived, the waiting so far is forgiven.
    static var minimumProgress: Int { 1024 }

    private let base: ConnectionRequestBody
    private let timeout: Duration
    private let channel: any Channel

    init(_ base: ConnectionRequestBody, timeout: Duration, channel: any Channel) {
        self.base = base
        self.timeout = timeout
        self.channel = channel
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate let body: ConnectionRequestBody
        fileprivate let watchdog: BodyReadWatchdog

        func next() async throws -> ByteBuffer? {
            if !watchdog.hasTimedOut, case .buffer(let element) = try arrived() {
                try watchdog.endWait(received: element?.readableBytes)
                return element
            }
            try watchdog.beginWait()
            let element: ByteBuffer?
            do {
                element = try await body.nextBuffer()
            } catch {
                throw ended(by: error)
            }
            try watchdog.endWait(received: element?.readableBytes)
            return element
        }

        /// The next piece if it has arrived; a failure (the connection's) ends the check.
        private func arrived() throws -> ConnectionRequestBody.Arrival {
            do {
                return try body.arrivedBuffer()
            } catch {
                throw ended(by: error)
            }
        }

        /// Ends the check after reading the body failed; what to throw: RequestTimeout when the
        /// check had expired the body (it ended the connection), else `error`.
        private func ended(by error: any Error) -> any Error {
            watchdog.stop()
            return watchdog.hasTimedOut ? S3Error(.requestTimeout) : error
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(
            body: base,
            watchdog: BodyReadWatchdog(timeout: timeout, minimumProgress: Self.minimumProgress, channel: channel)
        )
    }
}

/// The waiting time of one body's reader, and the event-loop check that ends a stalled read.
final class BodyReadWatchdog: Sendable {
    private struct State {
        /// When the reader began waiting in `next()`; nil while it is not waiting.
        var waitingSince: ContinuousClock.Instant?
        /// Time spent waiting since the last progress.
        var waited: Duration = .zero
        /// Bytes received since the last progress.
        var bytesSinceProgress = 0
        var timedOut = false
        var finished = false
    }

    private let timeout: Duration
    private let minimumProgress: Int
    private let channel: any Channel
    private let state = Mutex(State())
    private let periodicCheck: PeriodicCheck

    init(timeout: Duration, minimumProgress: Int, channel: any Channel) {
        self.timeout = timeout
        self.minimumProgress = minimumProgress
        self.channel = channel
        self.periodicCheck = PeriodicCheck(timeout: timeout, on: channel.eventLoop)
    }

    var hasTimedOut: Bool {
        state.withLock { $0.timedOut }
    }

    /// The reader is about to wait for bytes; starts the periodic check on the first call.
    func beginWait() throws(S3Error) {
        try state.withLock { (state) throws(S3Error) in
            if state.timedOut { throw S3Error(.requestTimeout) }
            state.waitingSince = .now
        }
        periodicCheck.startIfNeeded { [weak self] in
            guard let self else { return false }
            switch self.check() {
            case .waiting:
                return true
            case .expired:
                self.endConnection()
                return false
            case .finished:
                return false
            }
        }
    }

    /// The reader got `received` bytes (nil: the body ended). Throws RequestTimeout when the
    /// waiting since the last progress reached the timeout.
    func endWait(received: Int?) throws(S3Error) {
        let now = ContinuousClock.now
        let expired = state.withLock { state -> Bool in
            if let since = state.waitingSince {
                state.waited += now - since
                state.waitingSince = nil
            }
            guard let received else {
                state.finished = true
                return false
            }
            state.bytesSinceProgress += received
            if state.bytesSinceProgress >= minimumProgress {
                state.bytesSinceProgress = 0
                state.waited = .zero
            } else if state.waited >= timeout {
                state.timedOut = true
                return true
            }
            return false
        }
        if received == nil {
            stop()
        }
        if expired {
            stop()
            endConnection()
            throw S3Error(.requestTimeout)
        }
    }

    /// Stops the periodic check (the body ended, failed or was abandoned).
    func stop() {
        state.withLock { $0.finished = true }
        periodicCheck.stop()
    }

    private enum CheckResult {
        case waiting, expired, finished
    }

    /// On the event loop: when the reader has waited the whole timeout, marks the body timed out.
    private func check() -> CheckResult {
        let now = ContinuousClock.now
        return state.withLock { state in
            guard !state.finished, !state.timedOut else { return .finished }
            guard let since = state.waitingSince, state.waited + (now - since) >= timeout else { return .waiting }
            state.timedOut = true
            return .expired
        }
    }

    /// Fails the connection's inbound stream: the waiting reader wakes, and the rest of the
    /// body is never read, so the connection closes after the RequestTimeout answer.
    private func endConnection() {
        channel.pipeline.fireErrorCaught(S3Error(.requestTimeout))
    }
}
