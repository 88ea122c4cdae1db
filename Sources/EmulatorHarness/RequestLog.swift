import Synchronization

/// The harness's request log: appended to by the server's request tasks, read by the test.
final class RequestLog: Sendable {
    private let entries = Mutex<[RequestRecord]>([])

    func append(_ record: RequestRecord) {
        entries.withLock { $0.append(record) }
    }

    var records: [RequestRecord] {
        entries.withLock { $0 }
    }

    func removeAll() {
        entries.withLock { $0.removeAll(keepingCapacity: true) }
    }
}
