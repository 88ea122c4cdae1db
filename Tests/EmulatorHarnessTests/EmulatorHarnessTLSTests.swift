import EmulatorHarness
import Foundation
import XCTest

/// `Options.certificate`: the harness serves HTTPS, checked with curl against a certificate
/// the test makes with the openssl command.
final class EmulatorHarnessTLSTests: XCTestCase {
    func testACertificateMakesTheEndpointHTTPS() async throws {
        let curl = try tool("curl")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("s3emu-tls-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (cert, key) = try await makeCertificate(in: folder)

        let certificate = try ServerCertificate(certificatePath: cert, privateKeyPath: key)
        try await EmulatorHarness.withEmulator(options: .init(certificate: certificate)) { s3 in
            XCTAssertEqual(s3.endpoint.absoluteString, "https://127.0.0.1:\(s3.port)")
            // An unsigned ListBuckets over TLS: answered, and refused.
            let trusted = try await run(curl, ["-sS", "--cacert", cert, "-o", "/dev/null", "-w", "%{http_code}", s3.endpoint.absoluteString])
            XCTAssertEqual(trusted.output, "403")
            // Without the certificate curl does not trust the server (exit 60).
            let untrusted = try await run(curl, ["-sS", "-o", "/dev/null", s3.endpoint.absoluteString])
            XCTAssertEqual(untrusted.status, 60, untrusted.output)
        }
    }

    /// A request still reading its body when the graceful shutdown ends is cancelled: over TLS
    /// too, where the connection's input cannot be shut on its own, shutdown does not wait for
    /// the body's 20-second timeout.
    func testShutdownCancelsARequestWaitingForItsBodyOverTLS() async throws {
        let openssl = try tool("openssl")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("s3emu-tls-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (cert, key) = try await makeCertificate(in: folder)

        var configuration = EmulatorConfiguration()
        configuration.buckets = [BucketSeed(name: "uploads")]
        let s3 = try await EmulatorHarness.start(
            configuration, options: .init(certificate: try ServerCertificate(certificatePath: cert, privateKeyPath: key))
        )
        // A browser form upload reads its body before it authenticates: this one never sends it.
        let client = Process()
        client.executableURL = URL(fileURLWithPath: openssl)
        client.arguments = ["s_client", "-connect", "127.0.0.1:\(s3.port)", "-quiet", "-CAfile", cert]
        let input = Pipe()
        client.standardInput = input
        client.standardOutput = FileHandle.nullDevice
        client.standardError = FileHandle.nullDevice
        try client.run()
        defer {
            client.terminate()
            client.waitUntilExit()
        }
        input.fileHandleForWriting.write(Data((
            "POST /uploads HTTP/1.1\r\nHost: 127.0.0.1:\(s3.port)\r\n"
                + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n--b\r\n"
        ).utf8))
        try await Task.sleep(for: .milliseconds(500))

        let started = ContinuousClock.now
        try await s3.shutdown()
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5), "shutdown waited for the body's timeout")
    }

    func testAMissingCertificateFileIsNamedInTheError() {
        XCTAssertThrowsError(try ServerCertificate(certificatePath: "/nonexistent/cert.pem", privateKeyPath: "/nonexistent/key.pem")) { error in
            XCTAssertEqual(
                String(describing: error), "cannot read the TLS certificate /nonexistent/cert.pem: No such file or directory")
        }
    }

    // MARK: - Support

    /// A self-signed certificate for 127.0.0.1, made with the openssl command in `folder`:
    /// the paths of its PEM certificate and key.
    func makeCertificate(in folder: URL) async throws -> (certificate: String, key: String) {
        let openssl = try tool("openssl")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let cert = folder.appendingPathComponent("cert.pem").path
        let key = folder.appendingPathComponent("key.pem").path
        let made = try await run(openssl, [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
            "-subj", "/CN=s3emu test", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert,
        ])
        XCTAssertEqual(made.status, 0, made.output)
        return (cert, key)
    }

    /// The path of a command; under CI=true a missing one fails the test, locally it skips it.
    func tool(_ name: String) throws -> String {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        if ["1", "true", "yes"].contains(ProcessInfo.processInfo.environment["CI"]?.lowercased() ?? "") {
            XCTFail("CI=true: the \(name) command is not installed")
        }
        throw XCTSkip("the \(name) command is not installed")
    }

    /// Runs a command to completion on a thread of its own (the server it talks to runs on the
    /// concurrency pool): its exit status and its standard output and error together.
    func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try Self.runBlocking(executable, arguments) })
            }
        }
    }

    static func runBlocking(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
