import NIOCore
import Synchronization

/// A check that runs on an event loop every quarter of a timeout (at least every 10 ms), from the
/// first ``startIfNeeded(_:)`` until ``stop()`` or until the check returns `false`. The request
/// body's and the response's timeouts (``BodyReadWatchdog``, ``ResponseWriteTimeout``) use it to
/// notice a peer that stopped sending or reading while nothing else would wake the server.
///
/// Every request body starts one and stops it when the body ends, so it is built on the event
/// loop's scheduled callbacks, one at a time: scheduling and cancelling one allocates no promise,
/// where a `RepeatedTask` cost 2-3% of a small PUT's CPU (mostly its cancellation).
///
/// ```swift
/// let check = PeriodicCheck(timeout: .seconds(20), on: channel.eventLoop)
/// check.startIfNeeded { [weak self] in self?.isStillWaiting() ?? false }
/// check.stop()
/// ```
final class PeriodicCheck: Sendable {
    private struct State {
        var check: (@Sendable () -> Bool)?
        /// The next run, while one is scheduled.
        var next: NIOScheduledCallback?
        var stopped = false
    }

    private let eventLoop: any EventLoop
    private let interval: TimeAmount
    private let state = Mutex(State())

    init(timeout: Duration, on eventLoop: any EventLoop) {
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        self.interval = .nanoseconds(max(nanoseconds / 4, 10_000_000))
        self.eventLoop = eventLoop
    }

    deinit {
        stop()
    }

    /// Starts the check unless it is running or stopped. `check` runs on the event loop; it
    /// returns `false` to end the check. Capture the owner weakly: the event loop holds `check`
    /// until the next run.
    func startIfNeeded(_ check: @escaping @Sendable () -> Bool) {
        let start = state.withLock { state in
            guard !state.stopped, state.check == nil else { return false }
            state.check = check
            return true
        }
        if start {
            scheduleNext()
        }
    }

    /// Ends the check for good.
    func stop() {
        let next = state.withLock { state in
            state.stopped = true
            state.check = nil
            defer { state.next = nil }
            return state.next
        }
        next?.cancel()
    }

    private func scheduleNext() {
        // Fails only when the event loop is shutting down: nothing is left to check then.
        guard let next = try? eventLoop.scheduleCallback(in: interval, handler: Run(owner: self)) else { return }
        // A stop may have come in meanwhile: schedule nothing after a stop.
        let cancel = state.withLock { state in
            guard !state.stopped else { return true }
            state.next = next
            return false
        }
        if cancel {
            next.cancel()
        }
    }

    /// On the event loop, at each interval.
    private func run() {
        let check = state.withLock { state in
            state.next = nil
            return state.stopped ? nil : state.check
        }
        guard let check else { return }
        if check() {
            scheduleNext()
        } else {
            stop()
        }
    }

    /// What the event loop holds between runs: the check, weakly (a check nobody holds any more
    /// ends at its next run).
    private struct Run: NIOScheduledCallbackHandler, Sendable {
        weak var owner: PeriodicCheck?

        func handleScheduledCallback(eventLoop: some EventLoop) {
            owner?.run()
        }
    }
}
