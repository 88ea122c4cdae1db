import CSQLite
import Foundation
import XCTest

@testable import S3EmulatorStorage

final class StorageErrorTests: XCTestCase {
    func testNoSpaceIsRecognisedFromEveryLayer() {
        struct Case {
            let error: StorageError
            let isNoSpace: Bool
            let isNotFound: Bool
        }
        let cases = [
            Case(error: .io(errno: ENOSPC, operation: "write", path: "/x"), isNoSpace: true, isNotFound: false),
            Case(error: .io(errno: EDQUOT, operation: "write", path: "/x"), isNoSpace: true, isNotFound: false),
            Case(error: .noSpace(path: "/x"), isNoSpace: true, isNotFound: false),
            Case(error: .sqlite(code: SQLITE_FULL, message: "database or disk is full"), isNoSpace: true, isNotFound: false),
            Case(error: .io(errno: EACCES, operation: "open", path: "/x"), isNoSpace: false, isNotFound: false),
            Case(error: .io(errno: ENOENT, operation: "open", path: "/x"), isNoSpace: false, isNotFound: true),
            Case(error: .sqlite(code: SQLITE_IOERR | (3 << 8), message: "disk I/O error"), isNoSpace: false, isNotFound: false),
            Case(error: .corrupt("bad"), isNoSpace: false, isNotFound: false),
        ]
        for testCase in cases {
            XCTAssertEqual(testCase.error.isNoSpace, testCase.isNoSpace, "\(testCase.error)")
            XCTAssertEqual(testCase.error.isNotFound, testCase.isNotFound, "\(testCase.error)")
        }
    }

    func testIOErrorDescriptionNamesOperationPathAndErrno() {
        let error = StorageError.io(errno: EACCES, operation: "open", path: "/data/blobs/ab/cd")
        XCTAssertEqual(error.errno, EACCES)
        XCTAssertTrue(error.description.contains("open(/data/blobs/ab/cd)"), error.description)
        XCTAssertTrue(error.description.contains("errno \(EACCES)"), error.description)
        XCTAssertEqual(StorageError.sqlite(code: SQLITE_BUSY, message: "locked").sqliteCode, SQLITE_BUSY)
    }
}
