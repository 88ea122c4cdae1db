import S3EmulatorCore
import XCTest

@testable import S3Emulator

/// The `x-amz-grant-*` headers of PutObject, CopyObject, CreateBucket and the ACL calls, one per
/// permission (the conformance suite sends only `x-amz-grant-read` through a real client).
final class AccessControlListGrantHeaderTests: XCTestCase {
    private let owner = String(repeating: "a", count: 64)
    private let other = String(repeating: "b", count: 64)

    func testEachGrantHeaderGrantsItsPermission() throws {
        let expected: [(header: String, permission: AccessControlList.Permission)] = [
            ("x-amz-grant-read", .read), ("x-amz-grant-write", .write), ("x-amz-grant-read-acp", .readACP),
            ("x-amz-grant-write-acp", .writeACP), ("x-amz-grant-full-control", .fullControl),
        ]
        XCTAssertEqual(AccessControlList.Permission.allCases.map(\.headerName), expected.map(\.header))
        for (header, permission) in expected {
            var headers = S3Headers()
            headers.append(header, #"id="\#(other)", uri="http://acs.amazonaws.com/groups/global/AllUsers""#)
            let list = try XCTUnwrap(try AccessControlList.fromGrantHeaders(headers, ownerID: owner), header)
            XCTAssertEqual(list.grants.map(\.permission), [permission, permission], header)
            XCTAssertEqual(
                list.grants.map(\.grantee),
                [.canonicalUser(other), .group("http://acs.amazonaws.com/groups/global/AllUsers")], header)
        }
    }

    func testNoGrantHeaderIsNoList() throws {
        var headers = S3Headers()
        headers.append("x-amz-acl", "private")
        XCTAssertNil(try AccessControlList.fromGrantHeaders(headers, ownerID: owner))
    }
}
