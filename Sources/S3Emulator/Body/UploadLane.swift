import NIOPosix
import Synchronization

/// One of ``BlobUpload``'s lanes: jobs that run in order on an I/O thread, on a `Context` only
/// they touch (the blob file being written, say), while the request task goes on receiving.
///
/// A thread that takes a job drains the queue: it runs the next job as soon as the last one
/// ends, without a hop back to the request task and out to the pool again between them. When
/// MD5 bounds an upload, those two hand-offs per batch left the hashing thread idle for about a
/// fifth of a 1 GiB PUT. A thread gives the pool back after ``jobsPerTurn`` jobs, queueing the
/// rest of the drain behind the pool's other work, so one long upload never holds a thread that
/// other requests wait for.
///
/// At most `depth` jobs are in the lane; ``enqueue(_:)`` waits for room. After a job throws, the
/// lane skips the jobs after it, and ``wait()`` and ``enqueue(_:)`` throw that error.
final class UploadLane<Context: Sendable>: Sendable {
    typealias Job = @Sendable (inout Context) throws -> Void

    /// The jobs a thread runs before it queues the rest of the drain behind the pool's other work.
    static var jobsPerTurn: Int { 8 }

    private struct State: ~Copyable {
        /// Jobs not yet started, oldest first.
        var queue: [Job] = []
        /// The queued jobs and the one running.
        var inFlight = 0
        /// Whether a thread is draining the queue (or the drain is queued in the pool).
        var draining = false
        /// The context, or nil while a job has it.
        var context: Context?
        var failure: (any Error)?
        /// The request task, waiting for room in the lane or for it to empty.
        var waiter: (until: Awaited, continuation: CheckedContinuation<Void, Never>)?

        func satisfies(_ awaited: Awaited, depth: Int) -> Bool {
            switch awaited {
            case .room: inFlight < depth || failure != nil
            case .empty: inFlight == 0
            }
        }

        /// The waiter, when what it waits for has come.
        mutating func readyWaiter(depth: Int) -> CheckedContinuation<Void, Never>? {
            guard let waiter, satisfies(waiter.until, depth: depth) else { return nil }
            self.waiter = nil
            return waiter.continuation
        }
    }

    private enum Awaited {
        /// Fewer than `depth` jobs in the lane (or a job has thrown).
        case room
        /// No job in the lane.
        case empty
    }

    private let state: Mutex<State>
    private let depth: Int
    private let store: ObjectStore

    /// A lane of at most `depth` jobs that run on `store`'s I/O threads with `context`.
    init(store: ObjectStore, depth: Int, context: Context) {
        self.store = store
        self.depth = depth
        self.state = Mutex(State(context: context))
    }

    /// Queues `job` once fewer than `depth` jobs are in the lane.
    func enqueue(_ job: @escaping Job) async throws {
        while true {
            let outcome: Result<Bool, any Error>? = state.withLock { state in
                if let failure = state.failure { return .failure(failure) }
                guard state.inFlight < depth else { return nil }
                state.queue.append(job)
                state.inFlight += 1
                let startsDrain = !state.draining
                state.draining = true
                return .success(startsDrain)
            }
            switch outcome {
            case .success(let startsDrain):
                if startsDrain { submitDrain() }
                return
            case .failure(let error):
                throw error
            case nil:
                await wait(until: .room)
            }
        }
    }

    /// Waits until every queued job has run; throws the error of the job that threw, if one did.
    func wait() async throws {
        await wait(until: .empty)
        if let failure = state.withLock({ $0.failure }) { throw failure }
    }

    /// The context, once ``wait()`` has returned (or thrown).
    var context: Context {
        state.withLock { state in
            guard let context = state.context else { preconditionFailure("UploadLane.context read while a job runs") }
            return context
        }
    }

    private func wait(until awaited: Awaited) async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state in
                guard !state.satisfies(awaited, depth: depth) else { return true }
                precondition(state.waiter == nil, "UploadLane has one waiter at a time")
                state.waiter = (awaited, continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    private func submitDrain() {
        store.submit { [self] active in
            if active {
                drain()
            } else {
                fail(NIOThreadPoolError.ThreadPoolInactive())
            }
        }
    }

    /// Runs queued jobs until the queue is empty or this turn's jobs have run.
    private func drain() {
        for _ in 0..<Self.jobsPerTurn {
            let next: (Job, Context, skip: Bool)? = state.withLock { state in
                guard !state.queue.isEmpty else {
                    state.draining = false
                    return nil
                }
                let job = state.queue.removeFirst()
                guard let context = state.context.take() else { preconditionFailure("UploadLane context taken twice") }
                return (job, context, state.failure != nil)
            }
            guard let (job, initialContext, skip) = next else { return }
            var context = initialContext
            var failure: (any Error)?
            if !skip {
                do {
                    try job(&context)
                } catch {
                    failure = error
                }
            }
            let waiter = state.withLock { state in
                state.context = context
                state.inFlight -= 1
                if state.failure == nil, let failure { state.failure = failure }
                return state.readyWaiter(depth: depth)
            }
            waiter?.resume()
        }
        submitDrain()
    }

    /// Drops the queued jobs when the pool has shut down, and wakes the request task.
    private func fail(_ error: any Error) {
        let waiter = state.withLock { state in
            state.inFlight -= state.queue.count
            state.queue = []
            state.draining = false
            if state.failure == nil { state.failure = error }
            return state.readyWaiter(depth: depth)
        }
        waiter?.resume()
    }
}
