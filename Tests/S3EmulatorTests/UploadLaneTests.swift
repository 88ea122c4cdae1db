import Foundation
import NIOPosix
import Synchronization
import XCTest

@testable import S3Emulator

final class UploadLaneTests: XCTestCase {
    private struct JobFailed: Error {}

    private func makeStore(ioThreads: Int = 8) throws -> ObjectStore {
        var configuration = EmulatorConfiguration()
        configuration.ioThreads = ioThreads
        return try ObjectStore(configuration: configuration)
    }

    func testJobsRunInOrderOnTheLanesContext() async throws {
        let store = try makeStore()
        let lane = UploadLane<[Int]>(store: store, depth: 3, context: [])
        for number in 1...50 {
            try await lane.enqueue { $0.append(number) }
        }
        try await lane.wait()
        XCTAssertEqual(lane.context, Array(1...50))
        try await store.shutdown()
    }

    func testEnqueueWaitsWhileTheLaneIsFull() async throws {
        let store = try makeStore()
        let lane = UploadLane<Void>(store: store, depth: 2, context: ())
        let gate = DispatchSemaphore(value: 0)
        try await lane.enqueue { _ in gate.wait() }
        try await lane.enqueue { _ in }
        let third = Task {
            try await lane.enqueue { _ in }
            return Date()
        }
        try await Task.sleep(for: .milliseconds(100))
        let released = Date()
        gate.signal()
        let enqueued = try await third.value
        XCTAssertGreaterThanOrEqual(enqueued, released, "the third job was queued while two were in the lane")
        try await lane.wait()
        try await store.shutdown()
    }

    func testAJobThatThrowsSkipsTheRestAndFailsTheLane() async throws {
        let store = try makeStore()
        let lane = UploadLane<[Int]>(store: store, depth: 3, context: [])
        let gate = DispatchSemaphore(value: 0)
        try await lane.enqueue { gate.wait(); $0.append(1) }
        try await lane.enqueue { _ in throw JobFailed() }
        try await lane.enqueue { $0.append(3) }
        gate.signal()
        do {
            try await lane.wait()
            XCTFail("wait() returned after a job threw")
        } catch is JobFailed {}
        XCTAssertEqual(lane.context, [1], "the job after the one that threw ran")
        do {
            try await lane.enqueue { $0.append(4) }
            XCTFail("enqueue(_:) took a job after one threw")
        } catch is JobFailed {}
        XCTAssertEqual(lane.context, [1])
        try await store.shutdown()
    }

    func testALaneFailsOnceThePoolHasShutDown() async throws {
        let store = try makeStore()
        let lane = UploadLane<[Int]>(store: store, depth: 3, context: [])
        try await store.shutdown()
        try await lane.enqueue { $0.append(1) }
        do {
            try await lane.wait()
            XCTFail("wait() returned although no thread could run the job")
        } catch is NIOThreadPoolError.ThreadPoolInactive {}
        XCTAssertEqual(lane.context, [])
    }

    /// Two lanes with long queues on a pool of two threads: other work queued behind them runs
    /// after a turn of each, not after their whole queues.
    func testADrainingLaneGivesThePoolBackAfterATurn() async throws {
        let store = try makeStore(ioThreads: 2)
        let jobs = UploadLane<Int>.jobsPerTurn * 4
        let lanes = (0..<2).map { _ in UploadLane<Int>(store: store, depth: jobs, context: 0) }
        let done = Mutex([0, 0])
        let started = DispatchSemaphore(value: 0)
        let gate = DispatchSemaphore(value: 0)
        for (index, lane) in lanes.enumerated() {
            try await lane.enqueue { _ in
                started.signal()
                gate.wait()
            }
            for _ in 1..<jobs {
                try await lane.enqueue { _ in
                    Thread.sleep(forTimeInterval: 0.002)
                    done.withLock { $0[index] += 1 }
                }
            }
        }
        // Both threads are now draining a lane; the probe queues behind them.
        started.wait()
        started.wait()
        let probe = Task { try await store.io { done.withLock { $0 } } }
        try await Task.sleep(for: .milliseconds(20))
        gate.signal()
        gate.signal()
        let seen = try await probe.value
        for lane in lanes { try await lane.wait() }
        XCTAssertEqual(done.withLock { $0 }, [jobs - 1, jobs - 1])
        XCTAssertTrue(seen.contains { $0 < jobs - 1 }, "the probe waited for both lanes' whole queues: \(seen)")
        try await store.shutdown()
    }
}
