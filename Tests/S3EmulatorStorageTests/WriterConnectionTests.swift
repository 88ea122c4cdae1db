import CSQLite
import Foundation
import Synchronization
import XCTest

@testable import S3EmulatorStorage

/// Group commit: transactions that queue while one runs commit together, and each one's outcome
/// is what it would be alone.
///
/// Each test holds the connection with a first transaction until the others have queued, one
/// at a time and in a known order, then lets the group run.
final class WriterConnectionTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var writer: WriterConnection!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.path + "/group.sqlite")
        try connection.execute(
            """
            PRAGMA journal_mode = WAL;
            PRAGMA foreign_keys = ON;
            CREATE TABLE rows (id INTEGER PRIMARY KEY, label TEXT NOT NULL);
            CREATE TABLE parents (id INTEGER PRIMARY KEY);
            CREATE TABLE children (parent INTEGER REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED);
            """
        )
        writer = WriterConnection(connection)
    }

    override func tearDown() {
        writer = nil
        directory.remove()
    }

    private struct Refused: Error, Equatable {
        let id: Int
    }

    /// Runs `first` in a transaction of its own that holds the connection until every one of
    /// `group` has queued (in order); returns each transaction's outcome (`first`'s at index 0).
    private func runGroup(
        first: @escaping @Sendable (SQLiteConnection) throws -> Int,
        group: [@Sendable (SQLiteConnection) throws -> Int]
    ) -> [Result<Int, any Error>] {
        let writer = self.writer!
        let outcomes = Mutex<[Int: Result<Int, any Error>]>([:])
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let finished = DispatchGroup()
        func start(_ index: Int, _ body: @escaping @Sendable (SQLiteConnection) throws -> Int) {
            finished.enter()
            Thread.detachNewThread {
                let outcome = Result { try writer.transaction(body) }
                outcomes.withLock { $0[index] = outcome }
                finished.leave()
            }
        }
        start(0) { connection in
            holding.signal()
            release.wait()
            return try first(connection)
        }
        holding.wait()
        for (offset, body) in group.enumerated() {
            start(offset + 1, body)
            waitUntil { writer.queuedCount == offset + 1 }
        }
        release.signal()
        finished.wait()
        return outcomes.withLock { outcomes in (0...group.count).map { outcomes[$0]! } }
    }

    private func waitUntil(_ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(10)
        while !condition() {
            guard Date() < deadline else {
                return XCTFail("timed out waiting for the transactions to queue")
            }
            usleep(1_000)
        }
    }

    private static func insert(_ id: Int, _ label: String = "row") -> @Sendable (SQLiteConnection) throws -> Int {
        { connection in
            try connection.execute("INSERT INTO rows (id, label) VALUES (\(id), '\(label)')")
            return id
        }
    }

    private func rowIDs() throws -> [Int] {
        try writer.withConnection(Self.rowIDs)
    }

    private static func rowIDs(_ connection: SQLiteConnection) throws -> [Int] {
        try connection.withStatement("SELECT id FROM rows ORDER BY id") { statement in
            var ids: [Int] = []
            while try statement.step() {
                ids.append(Int(statement.int64(0)))
            }
            return ids
        }
    }

    private func values(_ outcomes: [Result<Int, any Error>]) -> [Int?] {
        outcomes.map { try? $0.get() }
    }

    func testTransactionsQueuedDuringACommitCommitTogetherAndEachGetsItsOwnResult() throws {
        let outcomes = runGroup(first: Self.insert(1), group: (2...6).map { Self.insert($0) })
        XCTAssertEqual(values(outcomes), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try rowIDs(), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(writer.committed.transactions, 6)
        XCTAssertEqual(writer.committed.commits, 2, "the five queued transactions commit in one")
    }

    func testEachTransactionOfAGroupSeesTheChangesOfTheOnesBeforeIt() throws {
        let count: @Sendable (SQLiteConnection) throws -> Int = { connection in
            try Int(connection.scalarInt("SELECT count(*) FROM rows") ?? -1)
        }
        let outcomes = runGroup(first: Self.insert(1), group: [count, Self.insert(2), count])
        XCTAssertEqual(values(outcomes), [1, 1, 2, 2])
    }

    func testATransactionThatThrowsInAGroupIsRolledBackAloneAndOnlyItsCallerGetsTheError() throws {
        let refused: @Sendable (SQLiteConnection) throws -> Int = { connection in
            try connection.execute("INSERT INTO rows (id, label) VALUES (3, 'refused')")
            throw Refused(id: 3)
        }
        let outcomes = runGroup(first: Self.insert(1), group: [Self.insert(2), refused, Self.insert(4)])
        XCTAssertEqual(values(outcomes), [1, 2, nil, 4])
        XCTAssertThrowsError(try outcomes[2].get()) { XCTAssertEqual($0 as? Refused, Refused(id: 3)) }
        XCTAssertEqual(try rowIDs(), [1, 2, 4])
        XCTAssertEqual(writer.committed.transactions, 3)
        XCTAssertEqual(writer.committed.commits, 2)
    }

    func testWhenTheGroupsCommitFailsEveryTransactionOfTheGroupGetsTheErrorAndNoneIsStored() throws {
        // A deferred foreign key is checked at COMMIT: the orphan fails the whole group's commit.
        let orphan: @Sendable (SQLiteConnection) throws -> Int = { connection in
            try connection.execute("INSERT INTO children (parent) VALUES (99)")
            return 3
        }
        let outcomes = runGroup(first: Self.insert(1), group: [Self.insert(2), orphan, Self.insert(4)])
        XCTAssertEqual(values(outcomes), [1, nil, nil, nil])
        for outcome in outcomes.dropFirst() {
            XCTAssertThrowsError(try outcome.get()) { error in
                // SQLITE_CONSTRAINT_FOREIGNKEY
                XCTAssertEqual((error as? StorageError)?.sqliteCode, SQLITE_CONSTRAINT | (3 << 8), "\(error)")
            }
        }
        XCTAssertEqual(try rowIDs(), [1])
        XCTAssertEqual(writer.committed.transactions, 1)
        // The connection is usable afterwards, outside any transaction.
        XCTAssertEqual(try writer.transaction(Self.insert(5)), 5)
        XCTAssertEqual(try rowIDs(), [1, 5])
    }

    func testWhenSQLiteRollsBackTheWholeTransactionTheOnesBeforeFailAndTheOnesAfterCommit() throws {
        // What SQLite does on an I/O error or a full disk, done by hand: the transaction is gone.
        let rolledBack: @Sendable (SQLiteConnection) throws -> Int = { connection in
            try connection.execute("INSERT INTO rows (id, label) VALUES (3, 'lost'); ROLLBACK")
            throw Refused(id: 3)
        }
        let outcomes = runGroup(first: Self.insert(1), group: [Self.insert(2), rolledBack, Self.insert(4), Self.insert(5)])
        XCTAssertEqual(values(outcomes), [1, nil, nil, 4, 5])
        XCTAssertThrowsError(try outcomes[1].get()) { XCTAssertEqual($0 as? Refused, Refused(id: 3)) }
        XCTAssertEqual(try rowIDs(), [1, 4, 5])
        XCTAssertEqual(writer.committed.transactions, 3)
        XCTAssertEqual(writer.committed.commits, 2, "4 and 5 commit together in a new transaction")
    }

    func testExclusiveUseWaitsForTheGroupAndSeesItsChanges() throws {
        let writer = self.writer!
        let seen = Mutex<[Int]?>(nil)
        let done = DispatchSemaphore(value: 0)
        let outcomes = runGroup(first: Self.insert(1), group: [Self.insert(2)] + [{ connection in
            // Queued last: the exclusive user below starts while this group still waits.
            Thread.detachNewThread {
                let ids = try? writer.withConnection(Self.rowIDs)
                seen.withLock { $0 = ids }
                done.signal()
            }
            return try Self.insert(3)(connection)
        }])
        XCTAssertEqual(values(outcomes), [1, 2, 3])
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(seen.withLock { $0 }, [1, 2, 3], "the exclusive user ran after the group committed")
    }

    func testManyThreadsWritingAtOnceLoseNothing() throws {
        let writer = self.writer!
        let threads = 8
        let perThread = 200
        let finished = DispatchGroup()
        let failures = Atomic<Int>(0)
        for thread in 0..<threads {
            finished.enter()
            Thread.detachNewThread {
                for index in 0..<perThread {
                    let id = thread * perThread + index
                    do {
                        _ = try writer.transaction(Self.insert(id))
                    } catch {
                        failures.add(1, ordering: .relaxed)
                    }
                }
                finished.leave()
            }
        }
        finished.wait()
        XCTAssertEqual(failures.load(ordering: .relaxed), 0)
        XCTAssertEqual(try rowIDs(), Array(0..<threads * perThread))
        XCTAssertEqual(writer.committed.transactions, threads * perThread)
        XCTAssertLessThanOrEqual(writer.committed.commits, threads * perThread)
    }

    // MARK: Queued without waiting

    /// Queues each of `bodies` with ``WriterConnection/enqueue(_:finished:)``; returns the
    /// outcomes (by index, once all are finished) and how many runs of the queue were asked for.
    private func enqueueAll(
        _ bodies: [@Sendable (SQLiteConnection) throws -> Int]
    ) -> (outcomes: [Result<Int, any Error>], runsAskedFor: Int) {
        let writer = self.writer!
        let outcomes = Mutex<[Int: Result<Int, any Error>]>([:])
        let finished = DispatchGroup()
        var runsAskedFor = 0
        for (index, body) in bodies.enumerated() {
            finished.enter()
            let value = Mutex<Int?>(nil)
            let mustRun = writer.enqueue({ connection in
                let result = try body(connection)
                value.withLock { $0 = result }
            }) { failure in
                let outcome: Result<Int, any Error> = failure.map { .failure($0) } ?? .success(value.withLock { $0! })
                outcomes.withLock { $0[index] = outcome }
                finished.leave()
            }
            if mustRun {
                runsAskedFor += 1
            }
        }
        writer.runQueued()
        XCTAssertEqual(finished.wait(timeout: .now() + 10), .success)
        return (outcomes.withLock { outcomes in bodies.indices.map { outcomes[$0]! } }, runsAskedFor)
    }

    func testQueuedTransactionsCommitTogetherInOneRunAndEachIsToldItsOutcome() throws {
        let refused: @Sendable (SQLiteConnection) throws -> Int = { connection in
            try connection.execute("INSERT INTO rows (id, label) VALUES (3, 'refused')")
            throw Refused(id: 3)
        }
        let (outcomes, runsAskedFor) = enqueueAll([Self.insert(1), Self.insert(2), refused, Self.insert(4)])
        XCTAssertEqual(values(outcomes), [1, 2, nil, 4])
        XCTAssertThrowsError(try outcomes[2].get()) { XCTAssertEqual($0 as? Refused, Refused(id: 3)) }
        XCTAssertEqual(runsAskedFor, 1, "only the first enqueue asks for a run of the queue")
        XCTAssertEqual(try rowIDs(), [1, 2, 4])
        XCTAssertEqual(writer.committed.transactions, 3)
        XCTAssertEqual(writer.committed.commits, 1)
        // Once the queue has run, the next enqueue asks for a run again.
        let next = enqueueAll([Self.insert(5)])
        XCTAssertEqual(values(next.outcomes), [5])
        XCTAssertEqual(next.runsAskedFor, 1)
    }

    func testAQueuedTransactionIsToldOfAFailedCommitAndNothingIsStored() throws {
        let orphan: @Sendable (SQLiteConnection) throws -> Int = { connection in
            try connection.execute("INSERT INTO children (parent) VALUES (99)")
            return 2
        }
        let (outcomes, _) = enqueueAll([Self.insert(1), orphan])
        XCTAssertEqual(values(outcomes), [nil, nil])
        XCTAssertEqual(try rowIDs(), [])
    }

    func testAWaitingCallerThatGetsTheConnectionFirstRunsTheQueuedTransactionsToo() throws {
        let writer = self.writer!
        let told = DispatchSemaphore(value: 0)
        // Queued while the first caller holds the connection, after the waiting second caller:
        // the second caller's group takes it along, before any run of the queue.
        let outcomes = runGroup(first: { connection in
            XCTAssertTrue(writer.enqueue({ _ = try Self.insert(3)($0) }) { failure in
                XCTAssertNil(failure)
                told.signal()
            })
            return try Self.insert(1)(connection)
        }, group: [Self.insert(2)])
        XCTAssertEqual(values(outcomes), [1, 2])
        XCTAssertEqual(told.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(try rowIDs(), [1, 2, 3])
        XCTAssertEqual(writer.committed.commits, 2)
        // The run asked for finds nothing left to do.
        writer.runQueued()
        XCTAssertEqual(writer.committed.commits, 2)
    }

    func testARunOfTheQueueWaitsWhileAnotherCallerHoldsTheConnection() throws {
        let writer = self.writer!
        let told = DispatchSemaphore(value: 0)
        let runsAskedFor = Mutex(0)
        _ = runGroup(first: { connection in
            // Queued and run while this transaction holds the connection: the run waits for it.
            if writer.enqueue({ _ = try Self.insert(2)($0) }, finished: { _ in told.signal() }) {
                runsAskedFor.withLock { $0 += 1 }
                Thread.detachNewThread { writer.runQueued() }
            }
            XCTAssertEqual(told.wait(timeout: .now() + 0.2), .timedOut, "the queued transaction ran inside another")
            return try Self.insert(1)(connection)
        }, group: [])
        XCTAssertEqual(told.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(runsAskedFor.withLock { $0 }, 1)
        XCTAssertEqual(try rowIDs(), [1, 2])
        XCTAssertEqual(writer.committed.commits, 2)
    }

    func testManyWritersQueuingWhileOneThreadRunsTheQueueLoseNothing() throws {
        let writer = self.writer!
        let threads = 4
        let perThread = 300
        let runner = DispatchQueue(label: "runQueued")
        let finished = DispatchGroup()
        let failures = Atomic<Int>(0)
        for thread in 0..<threads {
            Thread.detachNewThread {
                for index in 0..<perThread {
                    finished.enter()
                    let mustRun = writer.enqueue({ _ = try Self.insert(thread * perThread + index)($0) }) { failure in
                        if failure != nil {
                            failures.add(1, ordering: .relaxed)
                        }
                        finished.leave()
                    }
                    if mustRun {
                        runner.async { writer.runQueued() }
                    }
                }
            }
        }
        // Each thread enters the group before it queues; wait until all have queued.
        waitUntil { writer.committed.transactions + writer.queuedCount == threads * perThread }
        XCTAssertEqual(finished.wait(timeout: .now() + 30), .success)
        XCTAssertEqual(failures.load(ordering: .relaxed), 0)
        XCTAssertEqual(try rowIDs(), Array(0..<threads * perThread))
        XCTAssertEqual(writer.committed.transactions, threads * perThread)
        XCTAssertLessThan(writer.committed.commits, threads * perThread, "some transactions shared a commit")
    }
}
