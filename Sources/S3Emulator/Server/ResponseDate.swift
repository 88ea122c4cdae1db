import Foundation
import S3EmulatorCore
import Synchronization

/// The `Date` of responses: formatted once per second of the clock, not once per response.
enum ResponseDate {
    private static let cache = Mutex<(second: Int64, text: String)>((.min, ""))

    /// The clock's current time as an HTTP date.
    static func current(_ clock: any S3Clock) -> String {
        let now = clock.now()
        let second = Int64(now.timeIntervalSince1970.rounded(.down))
        if let text = cache.withLock({ $0.second == second ? $0.text : nil }) {
            return text
        }
        let text = HTTPDate.format(now)
        cache.withLock { $0 = (second, text) }
        return text
    }
}
