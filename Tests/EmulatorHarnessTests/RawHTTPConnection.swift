#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

#if canImport(Darwin)
private func closeDescriptor(_ descriptor: Int32) { _ = Darwin.close(descriptor) }
private func sendBytes(_ descriptor: Int32, _ pointer: UnsafeRawPointer?, _ count: Int) -> Int { Darwin.send(descriptor, pointer, count, 0) }
#elseif canImport(Musl)
private func closeDescriptor(_ descriptor: Int32) { _ = Musl.close(descriptor) }
private func sendBytes(_ descriptor: Int32, _ pointer: UnsafeRawPointer?, _ count: Int) -> Int {
    Musl.send(descriptor, pointer, count, Int32(MSG_NOSIGNAL))
}
#else
private func closeDescriptor(_ descriptor: Int32) { _ = Glibc.close(descriptor) }
private func sendBytes(_ descriptor: Int32, _ pointer: UnsafeRawPointer?, _ count: Int) -> Int {
    Glibc.send(descriptor, pointer, count, Int32(MSG_NOSIGNAL))
}
#endif

/// An HTTP/1.1 response as read off the socket.
struct RawHTTPResponse {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var text: String {
        String(decoding: body, as: UTF8.self)
    }
}

enum RawHTTPError: Error {
    case system(String, Int32)
    case malformedResponse(String)
    case closed
}

/// A minimal HTTP/1.1 client over a plain TCP socket to 127.0.0.1: no pooling, no threads, no
/// caches, so tests can count descriptors and threads around it and hold a connection idle.
final class RawHTTPConnection {
    private var descriptor: Int32
    private var buffered: [UInt8] = []

    init(port: Int, timeoutSeconds: Int = 5) throws {
        #if canImport(Darwin)
        let socketType = SOCK_STREAM
        #else
        let socketType = Int32(SOCK_STREAM.rawValue)
        #endif
        descriptor = socket(AF_INET, socketType, 0)
        guard descriptor >= 0 else { throw RawHTTPError.system("socket", errno) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr = in_addr(s_addr: inet_addr("127.0.0.1"))
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            closeDescriptor(descriptor)
            throw RawHTTPError.system("connect", code)
        }
    }

    deinit {
        close()
    }

    func close() {
        if descriptor >= 0 {
            closeDescriptor(descriptor)
            descriptor = -1
        }
    }

    /// Sends one request and reads its response. `target` is the path and query.
    func send(
        _ method: String, _ target: String, port: Int, headers: [(String, String)] = [], body: [UInt8] = [],
        keepAlive: Bool = false
    ) throws -> RawHTTPResponse {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        for (name, value) in headers {
            head += "\(name): \(value)\r\n"
        }
        if !body.isEmpty || method == "PUT" || method == "POST" {
            head += "Content-Length: \(body.count)\r\n"
        }
        if !keepAlive {
            head += "Connection: close\r\n"
        }
        head += "\r\n"
        try write(Array(head.utf8) + body)
        return try readResponse(method: method)
    }

    /// True when the server closed the connection (a read returns end of file).
    func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        return recv(descriptor, &byte, 1, 0) == 0
    }

    private func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { sendBytes(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else { throw RawHTTPError.system("send", errno) }
            offset += written
        }
    }

    /// Reads more bytes into the buffer; false at end of file.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = recv(descriptor, &chunk, chunk.count, 0)
        if count < 0 { throw RawHTTPError.system("recv", errno) }
        if count == 0 { return false }
        buffered += chunk[0..<count]
        return true
    }

    private func readResponse(method: String) throws -> RawHTTPResponse {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            if buffered.count >= 4 {
                headEnd = (0...(buffered.count - 4)).first { Array(buffered[$0..<($0 + 4)]) == separator }
            }
            if headEnd == nil, try !fill() { throw RawHTTPError.closed }
        }
        guard let headEnd else { throw RawHTTPError.closed }
        let headText = String(decoding: buffered[0..<headEnd], as: UTF8.self)
        buffered.removeFirst(headEnd + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw RawHTTPError.malformedResponse(headText)
        }
        let headers = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var response = RawHTTPResponse(status: status, headers: headers, body: [])
        if status == 100 {
            return try readResponse(method: method)
        }
        if method == "HEAD" || status == 204 || status == 304 {
            return response
        }
        if let lengthText = response.header("content-length"), let length = Int(lengthText) {
            while buffered.count < length {
                if try !fill() { throw RawHTTPError.closed }
            }
            response.body = Array(buffered[0..<length])
            buffered.removeFirst(length)
        } else {
            while try fill() {}
            response.body = buffered
            buffered = []
        }
        return response
    }
}

/// Counts of process resources, read from /proc (Linux).
enum ProcessResources {
    static var openFileDescriptors: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }

    static var threadNames: [String] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8) }
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.sorted()
    }

    /// Threads other than libdispatch's worker pool (named `…-qos…`), which grows and shrinks
    /// by itself up to a bound and is not owned by anything a test starts.
    static var threads: Int {
        threadNames.filter { !$0.contains("qos") }.count
    }
}

extension RawHTTPConnection {
    /// Sends one request to `url` (on 127.0.0.1) on a new connection that closes after it.
    static func request(
        _ method: String, _ url: URL, headers: [(String, String)] = [], body: [UInt8] = []
    ) throws -> RawHTTPResponse {
        let port = url.port ?? 80
        return try RawHTTPConnection(port: port).send(method, url.requestTarget, port: port, headers: headers, body: body)
    }
}

extension RawHTTPConnection {
    /// ``request(_:_:headers:body:)`` on a libdispatch thread: blocking socket calls must not hold
    /// the few threads of Swift's cooperative pool, which also run the server's request tasks.
    static func fetch(
        _ method: String, _ url: URL, headers: [(String, String)] = [], body: [UInt8] = []
    ) async throws -> RawHTTPResponse {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try request(method, url, headers: headers, body: body) })
            }
        }
    }
}

extension URL {
    /// The path and query, as sent on the request line.
    var requestTarget: String {
        let components = URLComponents(url: self, resolvingAgainstBaseURL: false)
        let path = components?.percentEncodedPath ?? "/"
        guard let query = components?.percentEncodedQuery else { return path.isEmpty ? "/" : path }
        return (path.isEmpty ? "/" : path) + "?" + query
    }
}
