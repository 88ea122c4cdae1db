import Foundation
import S3Emulator
import S3EmulatorCore

extension FuzzTarget {
    /// Six lines: `Range`, `If-Match`, `If-None-Match`, `If-Modified-Since`,
    /// `If-Unmodified-Since`, and a line used as `x-amz-copy-source-range`, `partNumber` and
    /// `x-amz-date`. An empty line is an absent header.
    /// Invariants: a resolved range lies inside the object; a copy-source range inside the source.
    static func fuzzRangeAndConditionals(_ input: [UInt8]) -> FuzzOutcome {
        let lines = FuzzInput.lines(input)
        func line(_ index: Int) -> String? {
            index < lines.count && !lines[index].isEmpty ? lines[index] : nil
        }
        return FuzzOutcome.of {
            if let header = line(0), let range = ByteRange.parse(header) {
                for size: Int64 in [0, 1, 10, 1 << 40, Int64.max] {
                    if let resolved = range.resolve(size: size) {
                        try expect(
                            resolved.lowerBound >= 0 && resolved.upperBound < size,
                            "Range \(header.debugDescription) resolved to \(resolved) for size \(size)")
                    }
                }
            }
            let conditions = ConditionalHeaders(ifMatch: line(1), ifNoneMatch: line(2), ifModifiedSince: line(3), ifUnmodifiedSince: line(4))
            for isRead in [true, false] {
                _ = conditions.evaluate(etag: "\"9b2cf535f27731c974343645a3985328\"", lastModified: Example.date, isReadRequest: isRead)
                _ = conditions.evaluate(etag: "9b2cf535f27731c974343645a3985328-2", lastModified: .distantPast, isReadRequest: isRead)
            }
            for text in lines.prefix(6) {
                _ = HTTPDate.parse(text)
                _ = AmazonDate.parseISO8601(text)
                _ = AmazonDate.parseBasic(text)
            }
            if let text = line(5) {
                _ = try? RequestParsing.partNumber(text)
                for size: Int64 in [0, 1, 5 * 1024 * 1024, Int64.max] {
                    if let range = try? RequestParsing.copySourceRange(text, sourceSize: size) {
                        try expect(
                            range.lowerBound >= 0 && range.upperBound <= size && !range.isEmpty,
                            "x-amz-copy-source-range \(text.debugDescription) gave \(range) for size \(size)")
                    }
                }
            }
        }
    }
}
