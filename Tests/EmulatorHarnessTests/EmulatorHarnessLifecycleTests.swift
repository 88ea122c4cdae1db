import EmulatorHarness
import Foundation
import S3EmulatorCore
import XCTest

final class EmulatorHarnessLifecycleTests: XCTestCase {
    func testStartListensOnLoopbackAndAnswersRequests() async throws {
        let s3 = try await EmulatorHarness.start()
        XCTAssertGreaterThan(s3.port, 0)
        XCTAssertEqual(s3.endpoint.absoluteString, "http://127.0.0.1:\(s3.port)")
        XCTAssertEqual(s3.region, "us-east-1")
        XCTAssertEqual(s3.credentials, AccessKey(accessKeyId: "test", secretAccessKey: "test"))
        let response = try await RawHTTPConnection.fetch("GET", s3.endpoint)
        // An unsigned ListBuckets: answered, and refused.
        XCTAssertEqual(response.status, 403)
        XCTAssertTrue(response.text.contains("<Code>AccessDenied</Code>"), response.text)
        XCTAssertEqual(response.header("server"), "AmazonS3")
        try await s3.shutdown()
    }

    func testStartUsesTheConfiguredRegionAndRootCredentials() async throws {
        var configuration = EmulatorConfiguration()
        configuration.region = "eu-west-1"
        configuration.rootCredentials = AccessKey(accessKeyId: "AKIAROOT", secretAccessKey: "root-secret")
        try await EmulatorHarness.withEmulator(configuration) { s3 in
            XCTAssertEqual(s3.region, "eu-west-1")
            XCTAssertEqual(s3.credentials.accessKeyId, "AKIAROOT")
            try await s3.createBucket("regional")
            let url = try s3.presignedURL(method: "HEAD", bucket: "regional", key: nil)
            let response = try await RawHTTPConnection.fetch("HEAD", url)
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.header("x-amz-bucket-region"), "eu-west-1")
        }
    }

    func testShutdownClosesThePortAndIsIdempotent() async throws {
        let s3 = try await EmulatorHarness.start()
        let port = s3.port
        XCTAssertFalse(s3.isShutDown)
        async let first: Void = s3.shutdown()
        async let second: Void = s3.shutdown()
        _ = try await (first, second)
        try await s3.shutdown()
        XCTAssertTrue(s3.isShutDown)
        XCTAssertThrowsError(try RawHTTPConnection(port: port)) { error in
            guard case RawHTTPError.system("connect", let code) = error else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(code, ECONNREFUSED)
        }
    }

    func testShutdownWithAnIdleKeepAliveConnectionDoesNotWaitForIt() async throws {
        let s3 = try await EmulatorHarness.start()
        let connection = try RawHTTPConnection(port: s3.port)
        let response = try connection.send("GET", "/", port: s3.port, keepAlive: true)
        XCTAssertEqual(response.status, 403)
        let started = ContinuousClock.now
        try await s3.shutdown()
        let elapsed = ContinuousClock.now - started
        // The harness gives in-flight requests 100 ms, then cancels; an idle keep-alive connection
        // must not hold shutdown until its idle timeout (60 s). The bound catches that hang and
        // tolerates a loaded machine; the 100 ms figure itself is measured by scripts/bench.
        XCTAssertLessThan(elapsed, .seconds(2))
        XCTAssertTrue(connection.isClosedByPeer(), "the idle connection is closed at shutdown")
    }

    func testWithEmulatorShutsDownWhenTheBodyThrows() async throws {
        struct Failure: Error {}
        var port = 0
        do {
            try await EmulatorHarness.withEmulator { s3 in
                port = s3.port
                throw Failure()
            }
            XCTFail("withEmulator returned")
        } catch is Failure {}
        XCTAssertGreaterThan(port, 0)
        XCTAssertThrowsError(try RawHTTPConnection(port: port), "the server is stopped")
    }

    func testWithEmulatorReturnsTheBodysResultAndShutsDown() async throws {
        var captured: EmulatorHarness?
        let port = try await EmulatorHarness.withEmulator { s3 in
            captured = s3
            return s3.port
        }
        XCTAssertEqual(captured?.port, port)
        XCTAssertEqual(captured?.isShutDown, true)
    }

    func testDirectoryStorageIsKeptAtShutdownUnlessRemovalIsAsked() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("harness-dir-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = EmulatorConfiguration()
        configuration.storage = .directory(directory)
        configuration.durableWrites = false

        try await EmulatorHarness.withEmulator(configuration) { s3 in
            try await s3.createBucket("kept")
            try await s3.putObject(bucket: "kept", key: "k", data: Data("persisted".utf8))
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/metadata.sqlite"))

        try await EmulatorHarness.withEmulator(configuration, options: .init(removesStorageDirectoryAtShutdown: true)) { s3 in
            let stored = try await s3.object(bucket: "kept", key: "k")
            XCTAssertEqual(stored?.data, Data("persisted".utf8), "a second harness on the directory sees the data")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory))
    }

    func testStartWithAnInvalidBucketSeedFailsWithInvalidBucketName() async throws {
        var configuration = EmulatorConfiguration()
        configuration.buckets = [BucketSeed(name: "Invalid_Name")]
        do {
            _ = try await EmulatorHarness.start(configuration)
            XCTFail("started with an invalid bucket name")
        } catch let error as S3Error {
            XCTAssertEqual(error.code, .invalidBucketName)
        }
    }

    func testParallelHarnessesAreIsolated() async throws {
        let harnesses = try await withThrowingTaskGroup(of: EmulatorHarness.self) { group in
            for _ in 0..<4 {
                group.addTask { try await EmulatorHarness.start() }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(Set(harnesses.map(\.port)).count, 4)
        for (index, s3) in harnesses.enumerated() {
            try await s3.createBucket("bucket-\(index)")
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, s3) in harnesses.enumerated() {
                group.addTask {
                    for other in 0..<harnesses.count {
                        let url = try s3.presignedURL(method: "HEAD", bucket: "bucket-\(other)", key: nil)
                        let response = try await RawHTTPConnection.fetch("HEAD", url)
                        XCTAssertEqual(response.status, other == index ? 200 : 404, "harness \(index), bucket-\(other)")
                    }
                }
            }
            try await group.waitForAll()
        }
        for (index, s3) in harnesses.enumerated() {
            XCTAssertEqual(s3.requests.count, harnesses.count, "harness \(index) logs only its own requests")
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for s3 in harnesses {
                group.addTask { try await s3.shutdown() }
            }
            try await group.waitForAll()
        }
    }

    func testStartAnswersTheFirstRequestPromptly() async throws {
        let started = ContinuousClock.now
        let s3 = try await EmulatorHarness.start()
        let response = try await RawHTTPConnection.fetch("GET", s3.endpoint)
        let elapsed = ContinuousClock.now - started
        XCTAssertEqual(response.status, 403)
        // A hang guard, not a speed test: the 50 ms target is measured by scripts/bench.
        XCTAssertLessThan(elapsed, .seconds(5))
        try await s3.shutdown()
    }

    func testOneHundredStartStopCyclesLeakNoDescriptorsThreadsOrTemporaryDirectories() async throws {
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("harness-leaks-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        let previousTMPDIR = ProcessInfo.processInfo.environment["TMPDIR"]
        setenv("TMPDIR", temporary, 1)
        defer {
            if let previousTMPDIR { setenv("TMPDIR", previousTMPDIR, 1) } else { unsetenv("TMPDIR") }
            try? FileManager.default.removeItem(atPath: temporary)
        }
        func storageDirectories() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: temporary).filter { $0.hasPrefix("s3emu-") }
        }

        // One cycle first: the process-wide event loop threads start with the first server.
        try await Self.cycle()
        let descriptors = ProcessResources.openFileDescriptors
        let threads = ProcessResources.threads
        XCTAssertGreaterThan(descriptors, 0)
        XCTAssertGreaterThan(threads, 0)

        for _ in 0..<100 {
            try await Self.cycle {
                XCTAssertEqual(try storageDirectories().count, 1, "in-memory storage lives in TMPDIR while running")
                XCTAssertGreaterThan(ProcessResources.threads, threads, "the emulator's I/O threads run")
            }
        }
        XCTAssertEqual(try storageDirectories(), [])
        XCTAssertLessThanOrEqual(ProcessResources.openFileDescriptors, descriptors)
        // I/O threads end just after their pool's shutdown returns: give them a moment.
        var settledThreads = ProcessResources.threads
        for _ in 0..<100 where settledThreads > threads {
            try await Task.sleep(for: .milliseconds(10))
            settledThreads = ProcessResources.threads
        }
        XCTAssertLessThanOrEqual(settledThreads, threads, "\(ProcessResources.threadNames)")
    }

    /// Starts a harness, seeds and fetches an object over HTTP, shuts down.
    private static func cycle(_ inspect: () throws -> Void = {}) async throws {
        let s3 = try await EmulatorHarness.start()
        do {
            try await s3.createBucket("cycle")
            try await s3.putObject(bucket: "cycle", key: "k", data: Data("v".utf8))
            let url = try s3.presignedURL(bucket: "cycle", key: "k")
            let response = try await RawHTTPConnection.fetch("GET", url)
            XCTAssertEqual(response.text, "v")
            try inspect()
        } catch {
            try await s3.shutdown()
            throw error
        }
        try await s3.shutdown()
    }
}
