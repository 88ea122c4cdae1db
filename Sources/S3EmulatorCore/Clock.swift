import Foundation
import Synchronization

/// The source of "now" for everything time-dependent (request time skew, presigned URL
/// expiry, Last-Modified, lifecycle). Tests use ``ManualClock`` to control it.
///
/// ```swift
/// let clock = ManualClock(Date(timeIntervalSince1970: 1_369_353_600))
/// clock.advance(by: 3600)
/// ```
public protocol S3Clock: Sendable {
    /// The current time.
    func now() -> Date
}

/// The system's wall clock.
public struct SystemClock: S3Clock {
    public init() {}

    public func now() -> Date { Date() }
}

/// A clock that only moves when told to; safe to share between tasks.
@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
public final class ManualClock: S3Clock {
    private let current: Mutex<Date>

    /// A clock reading `start` until it is moved.
    public init(_ start: Date) {
        self.current = Mutex(start)
    }

    public func now() -> Date {
        current.withLock { $0 }
    }

    /// Moves the clock forward (or back, for a negative value) by `seconds`.
    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    /// Sets the clock to `date`.
    public func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}
