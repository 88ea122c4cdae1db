import Foundation

/// Writes log lines to a file descriptor in batches, from a thread of its own.
///
/// `s3emu serve` logs a line per request. Written one `write(2)` per line, from whichever event
/// loop answered, the lines cost a GET 13-16 µs of its ~75 µs of CPU: the two loops queued on
/// stderr's `FILE` lock and on the log file's inode lock, and each line was a system call. Here
/// a line is only copied into a buffer; the writer thread takes what has gathered a moment after
/// the first line arrives and writes it with one call, so a line appears about
/// ``batchDelay`` after it is logged.
///
/// - Lines keep their order and are never interleaved.
/// - When the descriptor takes nothing (a pipe nobody reads), ``append(_:)`` waits once
///   ``bufferLimit`` bytes are pending, as a blocking `write(2)` would: memory stays bounded.
/// - Call ``flush()`` before the process exits; lines still pending at a crash are lost.
///
/// ```swift
/// LogLineWriter.standardError.append { $0.append(contentsOf: "a line\n".utf8) }
/// LogLineWriter.standardError.flush()
/// ```
public final class LogLineWriter: @unchecked Sendable {
    // @unchecked Sendable: `pending`, `spare`, `isWriting` and the timestamp cache are only read and
    // written with `condition` locked; `descriptor` is immutable.

    /// The process's standard error.
    public static let standardError = LogLineWriter(descriptor: STDERR_FILENO)

    /// How long the writer thread lets lines gather after the first one of a batch, in seconds.
    static let batchDelay: TimeInterval = 0.002
    /// Pending bytes at which ``append(_:)`` waits for the writer.
    static let bufferLimit = 1 << 20

    private let descriptor: Int32
    private let condition = NSCondition()
    private var pending: [UInt8] = []
    /// The last batch's buffer, emptied, for the next batch (no allocation per batch).
    private var spare: [UInt8] = []
    private var isWriting = false
    private var isStopped = false
    private var timestampSecond = time_t(-1)
    private var timestamp: [UInt8] = []

    /// Starts the writer thread for `descriptor`, which the writer never closes.
    public init(descriptor: Int32) {
        self.descriptor = descriptor
        pending.reserveCapacity(64 << 10)
        let thread = Thread { [self] in run() }
        thread.name = "s3emu-log"
        thread.start()
    }

    /// Appends bytes (whole lines, with their newlines) to the next batch: `body` runs with the
    /// pending buffer, and the lock held, so it should only append.
    public func append(_ body: (inout [UInt8]) -> Void) {
        condition.lock()
        while pending.count >= Self.bufferLimit {
            condition.wait()
        }
        guard !isStopped else {
            condition.unlock()
            return
        }
        let wasEmpty = pending.isEmpty
        body(&pending)
        if wasEmpty, !pending.isEmpty {
            condition.broadcast()
        }
        condition.unlock()
    }

    /// Appends the local time of `seconds` (since the epoch) as `2026-11-22T22:37:20+0000`, the
    /// form swift-log's `StreamLogHandler` uses, formatted once per second. Call it only from the
    /// body of ``append(_:)`` (the cache is guarded by the same lock).
    func appendTimestamp(_ seconds: time_t, to buffer: inout [UInt8]) {
        if seconds != timestampSecond {
            var time = seconds
            var parts = tm()
            var text = [CChar](repeating: 0, count: 64)
            if localtime_r(&time, &parts) != nil, strftime(&text, text.count, "%Y-%m-%dT%H:%M:%S%z", &parts) > 0 {
                timestamp = text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            } else {
                timestamp = Array("<unknown>".utf8)
            }
            timestampSecond = seconds
        }
        buffer.append(contentsOf: timestamp)
    }

    /// Returns once every line appended before the call has been written (or has failed to be).
    public func flush() {
        condition.lock()
        while !pending.isEmpty || isWriting {
            condition.wait()
        }
        condition.unlock()
    }

    /// Writes what is pending, then ends the writer thread; lines appended afterwards are dropped.
    func stop() {
        condition.lock()
        isStopped = true
        condition.broadcast()
        while !pending.isEmpty || isWriting {
            condition.wait()
        }
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while pending.isEmpty, !isStopped {
                condition.wait()
            }
            if pending.isEmpty {
                condition.unlock()
                return
            }
            condition.unlock()
            // Let the lines of the next moment join this batch.
            Thread.sleep(forTimeInterval: Self.batchDelay)
            condition.lock()
            var batch = pending
            pending = spare
            spare = []
            isWriting = true
            condition.unlock()

            write(batch)
            batch.removeAll(keepingCapacity: true)

            condition.lock()
            spare = batch
            isWriting = false
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Writes all of `bytes`, retrying after interruptions and short writes. Bytes the descriptor
    /// refuses (closed, full disk) are dropped: a log line is not worth stopping the server for.
    private func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0, errno == EINTR {
                    continue
                } else if written < 0, errno == EAGAIN {
                    var descriptor = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&descriptor, 1, 1000)
                } else {
                    return
                }
            }
        }
    }
}
