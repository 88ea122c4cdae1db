import Foundation
import S3EmulatorCore

/// The `Date` of a connection's responses: formatted once per second of the clock, not once
/// per response. One per connection (its requests are answered in turn), so it needs no lock
/// and no shared state: a process-wide cache cost each response a lazy global's check and a lock.
struct ResponseDate {
    private var second = Int64.min
    private var text = ""

    /// The clock's current time as an HTTP date.
    mutating func current(_ clock: any S3Clock) -> String {
        let now = clock.now()
        let second = Int64(now.timeIntervalSince1970.rounded(.down))
        if second != self.second {
            text = HTTPDate.format(now)
            self.second = second
        }
        return text
    }
}
