public import Foundation
public import S3EmulatorCore
import Synchronization

/// The emulator's clock as a test controls it: what the server uses for signature time skew,
/// presigned URL expiry and Last-Modified, and what the harness signs presigned URLs with.
///
/// By default it follows the configuration's clock (the system clock) and ``advance(by:)``
/// shifts it; with ``EmulatorHarness/ClockMode/manual(startingAt:)`` it stands still until
/// moved, so times in a test are exact.
///
/// ```swift
/// let s3 = try await EmulatorHarness.start(options: .init(clock: .manual()))
/// let url = try s3.presignedURL(bucket: "photos", key: "cat.jpg", expires: 60)
/// s3.clock.advance(by: 61)   // the URL has now expired
/// ```
public final class HarnessClock: S3Clock {
    private enum Reading {
        /// The base clock plus an offset.
        case following(offset: TimeInterval)
        /// A fixed time.
        case stopped(Date)
    }

    private let base: any S3Clock
    private let reading: Mutex<Reading>

    /// A clock following `base`, or standing at `manualStart` when one is given.
    ///
    /// ```swift
    /// let clock = HarnessClock(base: SystemClock(), manualStart: Date(timeIntervalSince1970: 1_369_353_600))
    /// ```
    public init(base: any S3Clock, manualStart: Date? = nil) {
        self.base = base
        self.reading = Mutex(manualStart.map(Reading.stopped) ?? .following(offset: 0))
    }

    /// The current time.
    ///
    /// ```swift
    /// let before = s3.clock.now()
    /// ```
    public func now() -> Date {
        switch reading.withLock({ $0 }) {
        case .following(let offset): base.now().addingTimeInterval(offset)
        case .stopped(let date): date
        }
    }

    /// True when the clock stands still between calls to ``advance(by:)`` and ``set(_:)``.
    ///
    /// ```swift
    /// XCTAssertTrue(s3.clock.isManual)
    /// ```
    public var isManual: Bool {
        if case .stopped = reading.withLock({ $0 }) { return true }
        return false
    }

    /// Moves the clock forward (or back, for a negative value) by `seconds`.
    ///
    /// ```swift
    /// s3.clock.advance(by: 16 * 60)   // beyond the 15-minute skew S3 allows
    /// ```
    public func advance(by seconds: TimeInterval) {
        reading.withLock { reading in
            switch reading {
            case .following(let offset): reading = .following(offset: offset + seconds)
            case .stopped(let date): reading = .stopped(date.addingTimeInterval(seconds))
            }
        }
    }

    /// Sets the clock to `date`. A manual clock stands at `date`; a following clock reads `date`
    /// now and moves on from there.
    ///
    /// ```swift
    /// s3.clock.set(Date(timeIntervalSince1970: 1_369_353_600))   // 2013-05-24T00:00:00Z
    /// ```
    public func set(_ date: Date) {
        reading.withLock { reading in
            switch reading {
            case .following: reading = .following(offset: date.timeIntervalSince(base.now()))
            case .stopped: reading = .stopped(date)
            }
        }
    }
}
