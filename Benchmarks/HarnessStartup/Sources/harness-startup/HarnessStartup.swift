import EmulatorHarness
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `harness-startup [STARTS]`: starts and shuts down an `EmulatorHarness` STARTS times (11 by
/// default) in this one process and prints one JSON line with, per start, the milliseconds from
/// calling `EmulatorHarness.start()` to the first HTTP response on its port (an anonymous
/// `GET /`, answered with an S3 error like any unsigned request), and the milliseconds
/// `shutdown()` took. The first start in a process also pays the process's one-time set-up.
@main
struct HarnessStartup {
    static func main() async throws {
        let arguments = CommandLine.arguments
        let starts = arguments.count > 1 ? Int(arguments[1]) ?? 11 : 11
        var firstResponse: [Double] = []
        var started: [Double] = []
        var shutdown: [Double] = []
        var statuses: [Int] = []
        let clock = ContinuousClock()
        for _ in 0..<max(starts, 1) {
            let begin = clock.now
            let harness = try await EmulatorHarness.start()
            let ready = clock.now
            let status = firstResponseStatus(port: harness.port)
            let answered = clock.now
            try await harness.shutdown()
            let stopped = clock.now
            started.append(milliseconds(ready - begin))
            firstResponse.append(milliseconds(answered - begin))
            shutdown.append(milliseconds(stopped - answered))
            statuses.append(status)
        }
        print(
            "{\"first_response_ms\": \(firstResponse), \"start_returned_ms\": \(started), "
                + "\"shutdown_ms\": \(shutdown), \"statuses\": \(statuses)}"
        )
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    /// Sends `GET /` over a fresh TCP connection and returns the response's status code (-1 when
    /// no status line came back).
    static func firstResponseStatus(port: Int) -> Int {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { return -1 }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return -1 }
        let request = Array("GET / HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8)
        let sent = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
        guard sent == request.count else { return -1 }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !received.contains(UInt8(ascii: "\n")) {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            received += buffer[0..<count]
        }
        // "HTTP/1.1 403 Forbidden\r\n"
        let statusLine = String(decoding: received.prefix { $0 != UInt8(ascii: "\r") }, as: UTF8.self)
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { return -1 }
        return status
    }
}
