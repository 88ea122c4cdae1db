#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The metadata store's one writing connection, with group commit: the transactions of callers
/// that arrive while a commit is under way go into the next SQLite transaction together, each
/// in a savepoint of its own, so that N concurrent small writes (PutObject rows) cost one
/// `COMMIT`, and in a durable store one sync of the WAL, instead of N.
///
/// A caller queues its transaction and waits (``transaction(_:)``), or queues it with a
/// function to call with its outcome and goes on (``enqueue(_:finished:)``; someone then calls
/// ``runQueued()``). Whenever the connection is free, one caller that waits or runs the queue
/// takes it and runs every queued transaction (its own and the others'), commits, and hands each
/// caller its outcome. Each transaction's outcome is exactly what it would be on its
/// own, run in queue order:
/// - a transaction that throws is rolled back to its savepoint, and only its caller gets the error;
/// - when the `COMMIT` fails, every transaction of the group gets that error (none of them is
///   in the database);
/// - when SQLite rolls back the whole transaction itself (an I/O error, a full disk, out of
///   memory), the transactions before it in the group get that error, and the ones after it go on in
///   a new transaction.
///
/// Waiting is a `pthread_cond_t` on a `pthread_mutex_t`: a waiter sleeps in the kernel at once.
/// Waiters spinning (as `Synchronization.Mutex` does) took 7-9% of the CPU of a small PUT away
/// from the thread that commits, on two cores.
///
/// `@unchecked Sendable`: the connection is used only by the caller that holds ``owned`` (set
/// under the mutex), and the queue only under the mutex.
final class WriterConnection: @unchecked Sendable {
    private let connection: SQLiteConnection
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let changed: UnsafeMutablePointer<pthread_cond_t>
    /// Under `mutex`: the transactions waiting for the next group.
    private var queue: [QueuedTransaction] = []
    /// Under `mutex`: `true` while one caller uses the connection.
    private var owned = false
    /// Under `mutex`: `true` from an ``enqueue(_:finished:)`` that asked its caller for a
    /// ``runQueued()`` until that call finds the queue empty.
    private var runPending = false
    /// Under `mutex`: how many transactions committed and in how many commits, for tests.
    private var counts = (transactions: 0, commits: 0)

    init(_ connection: SQLiteConnection) {
        self.connection = connection
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
        changed.initialize(to: pthread_cond_t())
        pthread_cond_init(changed, nil)
    }

    deinit {
        pthread_cond_destroy(changed)
        changed.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` in a write transaction (`BEGIN IMMEDIATE`), possibly grouped with other
    /// callers' transactions: its changes are committed when it returns (when this call
    /// returns, they are in the database), rolled back when it throws.
    ///
    /// `body` must not end the transaction (`COMMIT`, `ROLLBACK`, `RELEASE` of a savepoint it did not make).
    func transaction<Result>(_ body: (SQLiteConnection) throws -> Result) throws -> Result {
        var result: Result?
        try withoutActuallyEscaping(body) { body in
            let queued = QueuedTransaction { connection in result = try body(connection) }
            pthread_mutex_lock(mutex)
            queue.append(queued)
            while true {
                // Members are finished by the caller that owns the connection; read only
                // while nobody does.
                if owned {
                    pthread_cond_wait(changed, mutex)
                    continue
                }
                if queued.isFinished {
                    break
                }
                runQueuedGroup()
            }
            pthread_mutex_unlock(mutex)
            if let failure = queued.failure {
                throw failure
            }
        }
        // Set by `body`, which returned (no failure).
        return result!
    }

    /// Queues `body` for the next group and returns at once. `finished` is called once, on the
    /// thread that runs the group: with `nil` after the `COMMIT` that stored `body`'s changes, or
    /// with the error that kept them out, as ``transaction(_:)`` would have thrown it.
    ///
    /// Returns `true` when the caller must see to one call of ``runQueued()``, on a thread that
    /// may block: no such call is pending. (A caller of ``transaction(_:)`` that gets the
    /// connection first runs the queued transactions too.)
    func enqueue(
        _ body: @escaping (SQLiteConnection) throws -> Void, finished: @escaping @Sendable ((any Error)?) -> Void
    ) -> Bool {
        let queued = QueuedTransaction(body, finished: finished)
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        queue.append(queued)
        guard !runPending else {
            return false
        }
        runPending = true
        return true
    }

    /// Runs the queued transactions, group after group, until the queue is empty; waits while
    /// another caller holds the connection. Blocks: call it off the event loops.
    ///
    /// Transactions queued while a group commits form the next group, so one thread that runs
    /// the queue commits a burst of small writes in a few transactions, without a thread (and
    /// a wake-up) per write.
    func runQueued() {
        pthread_mutex_lock(mutex)
        while true {
            if owned {
                pthread_cond_wait(changed, mutex)
                continue
            }
            if queue.isEmpty {
                runPending = false
                break
            }
            runQueuedGroup()
        }
        pthread_mutex_unlock(mutex)
    }

    /// Takes the connection and the queue, runs the queue as one group outside the mutex, and
    /// gives the connection back. Called, and returns, with `mutex` held and the connection free.
    private func runQueuedGroup() {
        owned = true
        let group = queue
        queue.removeAll(keepingCapacity: true)
        pthread_mutex_unlock(mutex)
        let committed = Self.run(group, connection)
        pthread_mutex_lock(mutex)
        owned = false
        counts.transactions += committed.transactions
        counts.commits += committed.commits
        pthread_cond_broadcast(changed)
    }

    /// Runs `body` with the connection to itself, outside any transaction of this type (pragmas,
    /// and every read of an in-memory database).
    func withConnection<Result>(_ body: (SQLiteConnection) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        while owned {
            pthread_cond_wait(changed, mutex)
        }
        owned = true
        pthread_mutex_unlock(mutex)
        defer {
            pthread_mutex_lock(mutex)
            owned = false
            pthread_cond_broadcast(changed)
            pthread_mutex_unlock(mutex)
        }
        return try body(connection)
    }

    /// How many transactions are queued for the next group (tests).
    var queuedCount: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return queue.count
    }

    /// How many transactions have committed, and in how many SQLite commits (tests).
    var committed: (transactions: Int, commits: Int) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return counts
    }

    /// Runs the group in order, in as few SQLite transactions as it can; finishes every member.
    /// Returns how many members committed, in how many commits.
    private static func run(_ group: [QueuedTransaction], _ connection: SQLiteConnection) -> (transactions: Int, commits: Int) {
        var counts = (transactions: 0, commits: 0)
        var next = 0
        while next < group.count {
            do {
                try connection.runCached("BEGIN IMMEDIATE")
            } catch {
                // Nothing can be written now (the database is locked by another process past
                // the busy timeout, or broken): every member left gets the error.
                group[next...].forEach { $0.finish(failure: error) }
                return counts
            }
            var done: [QueuedTransaction] = []
            while next < group.count, connection.isInTransaction {
                let member = group[next]
                next += 1
                do {
                    try connection.runCached("SAVEPOINT member")
                    try member.run(connection)
                    try connection.runCached("RELEASE member")
                    done.append(member)
                } catch {
                    member.finish(failure: error)
                    if connection.isInTransaction {
                        // The savepoint may be gone if the failure was RELEASE itself.
                        if (try? connection.runCached("ROLLBACK TO member")) != nil {
                            try? connection.runCached("RELEASE member")
                        } else {
                            try? connection.runCached("ROLLBACK")
                        }
                    }
                    if !connection.isInTransaction {
                        // SQLite rolled back the whole transaction: the members before this one
                        // lost their changes with it.
                        done.forEach { $0.finish(failure: error) }
                        done.removeAll()
                    }
                }
            }
            guard !done.isEmpty else {
                if connection.isInTransaction {
                    try? connection.runCached("ROLLBACK")
                }
                continue
            }
            do {
                try connection.runCached("COMMIT")
                counts.commits += 1
                counts.transactions += done.count
                done.forEach { $0.finish(failure: nil) }
            } catch {
                try? connection.runCached("ROLLBACK")
                done.forEach { $0.finish(failure: error) }
            }
        }
        return counts
    }
}

/// One caller's transaction while it waits in ``WriterConnection``'s queue.
///
/// `@unchecked Sendable`: written by the caller that runs the group, read by the waiting caller
/// after ``WriterConnection``'s mutex has passed between them (or passed to `finished`).
private final class QueuedTransaction: @unchecked Sendable {
    /// The caller's body; dropped when it has run, so that the caller's non-escaping closure
    /// (see `withoutActuallyEscaping`) is referenced from nowhere once the caller returns.
    private var body: ((SQLiteConnection) throws -> Void)?
    /// What to call with the outcome, for a transaction whose caller does not wait.
    private var finished: (@Sendable ((any Error)?) -> Void)?
    private(set) var isFinished = false
    private(set) var failure: (any Error)?

    init(_ body: @escaping (SQLiteConnection) throws -> Void, finished: (@Sendable ((any Error)?) -> Void)? = nil) {
        self.body = body
        self.finished = finished
    }

    func run(_ connection: SQLiteConnection) throws {
        try body?(connection)
    }

    func finish(failure: (any Error)?) {
        guard !isFinished else {
            // A member that failed is finished once, with its own error.
            return
        }
        self.failure = failure
        body = nil
        isFinished = true
        if let finished {
            self.finished = nil
            finished(failure)
        }
    }
}
