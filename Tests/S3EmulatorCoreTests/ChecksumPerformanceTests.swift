import S3EmulatorCore
import XCTest

/// Throughput guard: in a debug build the kernels still run far above a naive byte loop.
/// Release-mode throughput is measured separately (see the closing report).
final class ChecksumPerformanceTests: XCTestCase {
    func testChecksumsOf8MiBFinishQuickly() {
        let input = [UInt8](repeating: 0x5A, count: 8 << 20)
        let start = ContinuousClock.now
        var crc32 = CRC32()
        var crc32c = CRC32C()
        var crc64 = CRC64NVME()
        input.withUnsafeBytes {
            crc32.update($0)
            crc32c.update($0)
            crc64.update($0)
        }
        let elapsed = ContinuousClock.now - start
        XCTAssertNotEqual(crc32.value, 0)
        XCTAssertNotEqual(crc32c.value, 0)
        XCTAssertNotEqual(crc64.value, 0)
        XCTAssertLessThan(elapsed, .seconds(10), "24 MiB of CRC took \(elapsed)")
    }
}
