import S3EmulatorCore
import XCTest

final class ObjectKeyTests: XCTestCase {
    func testKeysUpTo1024UTF8BytesAreAccepted() {
        for key in ["", "a", "photos/2024/img 1.jpg", "../../etc/passwd", "日本語", String(repeating: "a", count: 1024),
            String(repeating: "€", count: 341) + "a"]
        {
            XCTAssertNoThrow(try ObjectKey.validate(key), "\(key.utf8.count) bytes")
        }
        XCTAssertEqual(ObjectKey.maxLength, 1024)
    }

    func testKeyLongerThan1024BytesIsKeyTooLongErrorWithSizes() {
        let cases: [(String, Int)] = [
            (String(repeating: "a", count: 1025), 1025),
            (String(repeating: "€", count: 342), 1026),  // 342 characters, 1,026 UTF-8 bytes
            (String(repeating: "x", count: 5000), 5000),
        ]
        for (key, size) in cases {
            do {
                try ObjectKey.validate(key)
                XCTFail("\(size) bytes accepted")
            } catch {
                XCTAssertEqual(error.code, .keyTooLongError)
                XCTAssertEqual(error.code.status, 400)
                XCTAssertEqual(error.details.map(\.name), ["Size", "MaxSizeAllowed"])
                XCTAssertEqual(error.details.map(\.value), [String(size), "1024"])
            }
        }
    }
}
