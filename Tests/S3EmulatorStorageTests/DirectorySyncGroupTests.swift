import Foundation
import Synchronization
import XCTest

@testable import S3EmulatorStorage

final class DirectorySyncGroupTests: XCTestCase {
    private struct SyncFailed: Error {}

    /// Runs `body` on a thread of its own (Dispatch's pool grows slowly while its threads block).
    private func spawn(in group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
        group.enter()
        Thread {
            body()
            group.leave()
        }.start()
    }

    func testALoneCallerSyncsEveryTime() throws {
        let group = DirectorySyncGroup()
        var syncs: [String] = []
        for _ in 0..<3 {
            try group.sync("/d") { syncs.append($0) }
        }
        try group.sync("/e") { syncs.append($0) }
        XCTAssertEqual(syncs, ["/d", "/d", "/d", "/e"])
    }

    func testCallersArrivingDuringASyncShareTheNextOne() throws {
        let group = DirectorySyncGroup()
        let syncs = Atomic<Int>(0)
        let firstStarted = DispatchSemaphore(value: 0)
        let releaseFirst = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        spawn(in: done) {
            try? group.sync("/d") { _ in
                syncs.add(1, ordering: .relaxed)
                firstStarted.signal()
                releaseFirst.wait()
            }
        }
        firstStarted.wait()
        // Eight callers arrive while the first sync runs: it may predate their renames, so they
        // need another, and one sync covers all eight.
        for _ in 0..<8 {
            spawn(in: done) {
                try? group.sync("/d") { _ in
                    syncs.add(1, ordering: .relaxed)
                    Thread.sleep(forTimeInterval: 0.05)
                }
            }
        }
        let deadline = Date().addingTimeInterval(30)
        while group.waitingCount("/d") < 8, Date() < deadline { Thread.sleep(forTimeInterval: 0.001) }
        XCTAssertEqual(group.waitingCount("/d"), 8)
        releaseFirst.signal()
        XCTAssertEqual(done.wait(timeout: .now() + 30), .success, "hang guard")
        XCTAssertEqual(syncs.load(ordering: .relaxed), 2)
    }

    func testAFailedSyncFailsItsRunnerAndTheWaitersRunTheirOwn() throws {
        let group = DirectorySyncGroup()
        let attempts = Atomic<Int>(0)
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        let runnerFailed = Atomic<Bool>(false)
        spawn(in: done) {
            do {
                try group.sync("/d") { _ in
                    attempts.add(1, ordering: .relaxed)
                    started.signal()
                    release.wait()
                    throw SyncFailed()
                }
            } catch {
                runnerFailed.store(true, ordering: .relaxed)
            }
        }
        started.wait()
        let waiterSucceeded = Atomic<Bool>(false)
        spawn(in: done) {
            do {
                try group.sync("/d") { _ in attempts.add(1, ordering: .relaxed) }
                waiterSucceeded.store(true, ordering: .relaxed)
            } catch {}
        }
        let deadline = Date().addingTimeInterval(30)
        while group.waitingCount("/d") < 1, Date() < deadline { Thread.sleep(forTimeInterval: 0.001) }
        release.signal()
        XCTAssertEqual(done.wait(timeout: .now() + 30), .success, "hang guard")
        XCTAssertTrue(runnerFailed.load(ordering: .relaxed))
        XCTAssertTrue(waiterSucceeded.load(ordering: .relaxed))
        XCTAssertEqual(attempts.load(ordering: .relaxed), 2)
    }
}
