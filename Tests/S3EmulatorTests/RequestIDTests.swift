import XCTest

@testable import S3Emulator

final class RequestIDTests: XCTestCase {
    func testRequestIDsHaveS3sShape() {
        let id = RequestID.make()
        XCTAssertEqual(id.requestID.utf8.count, 16)
        XCTAssertTrue(id.requestID.utf8.allSatisfy { (48...57).contains($0) || (65...70).contains($0) }, id.requestID)
        XCTAssertEqual(id.hostID.utf8.count, 57)
        XCTAssertTrue(id.hostID.hasSuffix("="), id.hostID)
        let base64 = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        XCTAssertTrue(id.hostID.utf8.dropLast().allSatisfy(base64.contains), id.hostID)
    }

    func testRequestIDsAreDistinctAndHostIDsVary() {
        let ids = (0..<10_000).map { _ in RequestID.make() }
        XCTAssertEqual(Set(ids.map(\.requestID)).count, ids.count)
        XCTAssertEqual(Set(ids.map(\.hostID)).count, ids.count)
        // Every hex digit and every base64 character turns up: no stuck positions.
        XCTAssertEqual(Set(ids.flatMap { $0.requestID.utf8 }).count, 16)
        XCTAssertEqual(Set(ids.flatMap { $0.hostID.utf8.dropLast() }).count, 64)
        for position in 0..<16 {
            let digits = Set(ids.map { Array($0.requestID.utf8)[position] })
            XCTAssertEqual(digits.count, 16, "position \(position) of the request id")
        }
    }
}
