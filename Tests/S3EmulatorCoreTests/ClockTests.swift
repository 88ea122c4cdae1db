import Foundation
import S3EmulatorCore
import XCTest

final class ClockTests: XCTestCase {
    func testSystemClockReadsTheWallClock() {
        let before = Date()
        let now = SystemClock().now()
        XCTAssertGreaterThanOrEqual(now, before)
        XCTAssertLessThan(now.timeIntervalSince(before), 5)
    }

    func testManualClockOnlyMovesWhenTold() {
        let start = Date(timeIntervalSince1970: 1_369_353_600)
        let clock = ManualClock(start)
        XCTAssertEqual(clock.now(), start)
        XCTAssertEqual(clock.now(), start)
        clock.advance(by: 3600)
        XCTAssertEqual(clock.now(), start.addingTimeInterval(3600))
        clock.advance(by: -7200)
        XCTAssertEqual(clock.now(), start.addingTimeInterval(-3600))
        let later = Date(timeIntervalSince1970: 2_000_000_000)
        clock.set(later)
        XCTAssertEqual(clock.now(), later)
    }

    func testManualClockIsSafeToShareAcrossTasks() async {
        let clock = ManualClock(Date(timeIntervalSince1970: 0))
        let shared: any S3Clock = clock
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<100 {
                group.addTask {
                    for _ in 0..<10 {
                        clock.advance(by: 1)
                        _ = shared.now()
                    }
                }
            }
        }
        XCTAssertEqual(clock.now(), Date(timeIntervalSince1970: 1000))
    }
}
