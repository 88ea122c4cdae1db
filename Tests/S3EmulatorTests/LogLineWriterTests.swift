import Foundation
import Logging
import XCTest

@testable import S3Emulator

final class LogLineWriterTests: XCTestCase {
    /// Lines appended from many threads at once all arrive whole, each thread's in its order.
    func testConcurrentLinesArriveWholeAndInOrder() throws {
        let pipe = Pipe()
        let writer = LogLineWriter(descriptor: pipe.fileHandleForWriting.fileDescriptor)
        let reader = PipeReader(pipe)
        let threads = 8
        let linesPerThread = 2_000
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for line in 0..<linesPerThread {
                writer.append { $0.append(contentsOf: "thread \(thread) line \(line) \(String(repeating: "x", count: line % 300))\n".utf8) }
            }
        }
        writer.stop()
        let lines = reader.finish().split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        XCTAssertEqual(lines.count, threads * linesPerThread)
        var next = [Int](repeating: 0, count: threads)
        for line in lines {
            let words = line.split(separator: " ")
            guard words.count >= 4, let thread = Int(words[1]), let number = Int(words[3]) else {
                return XCTFail("a broken line: \(line.prefix(80))")
            }
            XCTAssertEqual(number, next[thread], "thread \(thread)'s lines out of order")
            XCTAssertEqual(words.count == 5 ? words[4].count : 0, number % 300, "line \(number) of thread \(thread) cut")
            next[thread] = number + 1
        }
        XCTAssertEqual(next, [Int](repeating: linesPerThread, count: threads))
    }

    /// `flush()` returns only after every line appended before it is in the descriptor.
    func testFlushWritesEverythingPending() throws {
        let pipe = Pipe()
        let writer = LogLineWriter(descriptor: pipe.fileHandleForWriting.fileDescriptor)
        defer { writer.stop() }
        writer.append { $0.append(contentsOf: "first\n".utf8) }
        writer.append { $0.append(contentsOf: "second\n".utf8) }
        writer.flush()
        var available = 0
        XCTAssertEqual(ioctl(pipe.fileHandleForReading.fileDescriptor, UInt(FIONREAD), &available), 0)
        XCTAssertEqual(available, "first\nsecond\n".utf8.count)
        XCTAssertEqual(pipe.fileHandleForReading.readData(ofLength: available), Data("first\nsecond\n".utf8))
    }

    /// With nobody reading, appending stops at the buffer limit (plus what the pipe holds)
    /// instead of growing without end, and goes on, losing nothing, once the reader drains.
    func testAppendWaitsWhileTheDescriptorTakesNothing() throws {
        let pipe = Pipe()
        let writer = LogLineWriter(descriptor: pipe.fileHandleForWriting.fileDescriptor)
        let line = Array(String(repeating: "y", count: 1023).utf8) + [UInt8(ascii: "\n")]
        let total = 4 * LogLineWriter.bufferLimit / line.count
        let appended = LockedCounter()
        let done = expectation(description: "every line appended")
        Thread.detachNewThread {
            for _ in 0..<total {
                writer.append { $0.append(contentsOf: line) }
                appended.increment()
            }
            done.fulfill()
        }
        Thread.sleep(forTimeInterval: 0.3)
        let stuckAt = appended.value
        XCTAssertLessThan(stuckAt, total, "appending went on with nobody reading")
        // One limit's worth pending, one in the writer's hands, and what the pipe holds.
        XCTAssertLessThanOrEqual(stuckAt * line.count, 2 * LogLineWriter.bufferLimit + (256 << 10), "more pending than the limit allows")
        let reader = PipeReader(pipe)
        wait(for: [done], timeout: 30)
        writer.stop()
        let received = reader.finish()
        XCTAssertEqual(received.utf8.count, total * line.count)
    }

    /// The handler's lines have `StreamLogHandler`'s form, metadata included.
    func testHandlerWritesStreamLogHandlerLines() throws {
        let lines = linesLogged { logger in
            logger.info("GET /bucket/key 200 1024B 0.1ms ABC")
            logger.debug("not at info")
            logger[metadataKey: "b"] = "2"
            logger.warning("slow", metadata: ["a": "1"])
        }
        XCTAssertEqual(lines.count, 2, "\(lines)")
        assertLine(lines.first, "info s3emu: \\[S3EmulatorTests\\] GET /bucket/key 200 1024B 0.1ms ABC")
        assertLine(lines.last, "warning s3emu: a=1 b=2 \\[S3EmulatorTests\\] slow")
    }

    /// A request's line written straight into the writer's buffer reads as the same line logged
    /// as a message would (metadata included), and not at all above info.
    func testRequestLinesThroughTheHandlerHaveTheMessagesForm() throws {
        let request = S3Request(method: "GET", rawPath: "/bucket/key", rawQuery: "X-Amz-Date=1")
        let lines = linesLogged { logger in
            RequestLog(logger).record(request, status: 200, bytes: 1024, elapsed: .microseconds(140), requestID: "ABC")
            logger[metadataKey: "b"] = "2"
            XCTAssertTrue(RequestLog(logger).isEnabled)
            RequestLog(logger).record(request, status: 404, bytes: 0, elapsed: .zero, requestID: nil)
            logger.logLevel = .warning
            XCTAssertFalse(RequestLog(logger).isEnabled)
            RequestLog(logger).record(request, status: 500, bytes: 0, elapsed: .zero, requestID: nil)
        }
        XCTAssertEqual(lines.count, 2, "\(lines)")
        assertLine(lines.first, "info s3emu: \\[S3Emulator\\] GET /bucket/key\\?X-Amz-Date=1 200 1024B 0.1ms ABC")
        assertLine(lines.last, "info s3emu: b=2 \\[S3Emulator\\] GET /bucket/key\\?X-Amz-Date=1 404 0B 0.0ms -")
    }

    /// The lines a logger with a ``BatchedLogHandler`` writes while `body` uses it.
    private func linesLogged(_ body: (inout Logger) -> Void) -> [String] {
        let pipe = Pipe()
        let writer = LogLineWriter(descriptor: pipe.fileHandleForWriting.fileDescriptor)
        let reader = PipeReader(pipe)
        var logger = Logger(label: "s3emu") { label in BatchedLogHandler(label: label, writer: writer, metadataProvider: nil) }
        body(&logger)
        writer.stop()
        return reader.finish().split(separator: "\n").map(String.init)
    }

    /// Asserts that `line` is a timestamp, a space and then matches the regular expression `rest`.
    private func assertLine(_ line: String?, _ rest: String, file: StaticString = #filePath, line number: UInt = #line) {
        let stamp = #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}"#
        XCTAssertNotNil(line?.range(of: "^\(stamp) \(rest)$", options: .regularExpression), line ?? "no line", file: file, line: number)
    }
}

/// Reads a pipe to its end on a thread of its own (so that the writer never blocks on it).
private final class PipeReader: @unchecked Sendable {
    // @unchecked Sendable: `data` is written by the reading thread only, and read after `done`.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)
    private let pipe: Pipe

    init(_ pipe: Pipe) {
        self.pipe = pipe
        Thread.detachNewThread { [self] in
            data = pipe.fileHandleForReading.readDataToEndOfFile()
            done.signal()
        }
    }

    /// Closes the write end and returns everything read.
    func finish() -> String {
        try? pipe.fileHandleForWriting.close()
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}

/// A counter shared between a test and a thread it starts.
private final class LockedCounter: @unchecked Sendable {
    // @unchecked Sendable: `count` is only touched with `lock` held.
    private let lock = NSLock()
    private var count = 0

    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
