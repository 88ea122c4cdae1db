import XCTest

@testable import S3EmulatorAccess

final class IPAddressRangeTests: XCTestCase {
    func testParsing() {
        for valid in [
            "192.0.2.0/24", "192.0.2.1", "0.0.0.0/0", "255.255.255.255/32", "2001:db8::/32", "::1", "::",
            "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "::ffff:192.0.2.1", "fe80::1%eth0", "2001:db8::/128",
        ] {
            XCTAssertNotNil(IPAddressRange(valid), valid)
        }
        for invalid in [
            "", "123", "192.0.2", "192.0.2.256", "192.0.2.1/33", "192.0.2.1/", "192.0.2.1/-1", "1.2.3.4.5",
            "2001::85a3::8a2e", "2001:0db8:85a3:0000:XYZZ:8a2e:0370:7334", "2001:db8::/129", "1:2:3:4:5:6:7:8:9",
            "12345::", "a.b.c.d", " 192.0.2.1",
        ] {
            XCTAssertNil(IPAddressRange(invalid), invalid)
        }
    }

    func testContainment() {
        let cases: [(range: String, address: String, contains: Bool, line: UInt)] = [
            ("192.0.2.0/24", "192.0.2.255", true, #line),
            ("192.0.2.0/24", "192.0.3.0", false, #line),
            ("192.0.2.77/24", "192.0.2.1", true, #line),
            ("0.0.0.0/0", "203.0.113.9", true, #line),
            ("10.0.0.0/8", "10.255.0.1", true, #line),
            ("10.0.0.0/8", "11.0.0.1", false, #line),
            ("192.0.2.1", "192.0.2.1", true, #line),
            ("192.0.2.1/32", "192.0.2.2", false, #line),
            ("2001:db8::/32", "2001:db8:ffff::1", true, #line),
            ("2001:db8::/32", "2001:db9::1", false, #line),
            ("2001:db8::/64", "2001:db8:0:0:1::1", true, #line),
            ("2001:db8::/65", "2001:db8:0:0:8000::1", false, #line),
            ("2001:db8::/96", "2001:db8::1:2", true, #line),
            ("::/0", "2001:db8::1", true, #line),
            ("::/0", "192.0.2.1", false, #line),
            ("192.0.2.0/24", "::ffff:192.0.2.8", true, #line),
            ("192.0.2.0/24", "2001:db8::1", false, #line),
            ("192.0.2.0/24", "garbage", false, #line),
        ]
        for (range, address, contains, line) in cases {
            XCTAssertEqual(IPAddressRange(range)?.contains(address), contains, "\(range) ∋ \(address)", line: line)
        }
    }
}
