import NIOCore
import Synchronization

/// A check that runs on an event loop every quarter of a timeout (at least every 10 ms), from the
/// first ``startIfNeeded(_:)`` until ``stop()`` or until the check returns `false`. The request
/// body's and the response's timeouts (``BodyReadWatchdog``, ``ResponseWriteTimeout``) use it to
/// notice a peer that stopped sending or reading while nothing else would wake the server.
///
/// ```swift
/// let check = PeriodicCheck(timeout: .seconds(20), on: channel.eventLoop)
/// check.startIfNeeded { [weak self] in self?.isStillWaiting() ?? false }
/// check.stop()
/// ```
final class PeriodicCheck: Sendable {
    private struct State {
        var task: RepeatedTask?
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
    /// returns `false` to end the check. Capture the owner weakly: the event loop holds `check`.
    func startIfNeeded(_ check: @escaping @Sendable () -> Bool) {
        let start = state.withLock { !$0.stopped && $0.task == nil }
        guard start else { return }
        let task = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { task in
            if !check() {
                task.cancel()
            }
        }
        // Another start or a stop may have come in meanwhile: keep one task, and none after a stop.
        let cancel = state.withLock { state in
            guard !state.stopped, state.task == nil else { return true }
            state.task = task
            return false
        }
        if cancel {
            task.cancel()
        }
    }

    /// Ends the check for good.
    func stop() {
        let task = state.withLock { state in
            state.stopped = true
            defer { state.task = nil }
            return state.task
        }
        task?.cancel()
    }
}
