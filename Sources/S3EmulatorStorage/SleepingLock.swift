#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A value behind a `pthread_mutex_t`: a thread that finds it locked sleeps in the kernel at once.
///
/// For the metadata writer, whose holders commit transactions (and SQLite's checkpoints, with
/// their syncs) that take tens of microseconds to milliseconds, with up to all the I/O threads
/// waiting. `Synchronization.Mutex` spins before it sleeps; on two cores the waiters' spinning
/// took 7-9% of the CPU of a small PUT away from the thread holding the lock.
///
/// `@unchecked Sendable`: the value is only reached through ``withLock(_:)``.
final class SleepingLock<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    init(_ value: Value) {
        self.value = value
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
