@testable import S3Emulator
import XCTest

/// The log line `s3emu serve` writes for each request (``RequestLog``): `METHOD target STATUS BYTESB TIMEms REQUESTID`.
final class RequestLineTests: XCTestCase {
    func testTheLineNamesTheTargetStatusBytesTimeAndRequestID() {
        let get = S3Request(method: "GET", rawPath: "/bucket/my%20key", rawQuery: "versionId=3&x=%C3%A9")
        XCTAssertEqual(
            RequestLog.line(get, status: 200, bytes: 1024, elapsed: .microseconds(400), requestID: "0123456789ABCDEF"),
            "GET /bucket/my%20key?versionId=3&x=%C3%A9 200 1024B 0.4ms 0123456789ABCDEF"
        )
        let put = S3Request(method: "PUT", rawPath: "/bucket/日本")
        XCTAssertEqual(
            RequestLog.line(put, status: 403, bytes: 0, elapsed: .seconds(12), requestID: nil),
            "PUT /bucket/日本 403 0B 12000.0ms -"
        )
        XCTAssertEqual(
            RequestLog.line(S3Request(method: "HEAD", rawPath: "/", rawQuery: ""), status: 404, bytes: Int64.max, elapsed: .zero, requestID: "id"),
            "HEAD /? 404 9223372036854775807B 0.0ms id"
        )
    }

    func testTheTimeIsInTenthsOfAMillisecondRoundedHalfUp() {
        let request = S3Request(method: "GET", rawPath: "/")
        for (elapsed, text) in [
            (Duration.microseconds(49), "0.0ms"), (.microseconds(50), "0.1ms"), (.microseconds(950), "1.0ms"),
            (.milliseconds(1234), "1234.0ms"), (.nanoseconds(10_049_999), "10.0ms"), (.nanoseconds(10_050_000), "10.1ms"),
        ] {
            XCTAssertEqual(RequestLog.line(request, status: 200, bytes: 1, elapsed: elapsed, requestID: "r"), "GET / 200 1B \(text) r")
        }
    }
}
