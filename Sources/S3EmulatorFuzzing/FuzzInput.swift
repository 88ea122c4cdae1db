import Foundation
import S3EmulatorAuth
import S3EmulatorCore

/// Helpers that cut a fuzz input into the pieces a target feeds its parsers.
enum FuzzInput {
    /// `bytes` split at `\n`, a trailing `\r` dropped from each line, decoded as UTF-8 with
    /// replacement characters (as the HTTP layer hands header values on).
    static func lines(_ bytes: some Collection<UInt8>) -> [String] {
        bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            var line = line[...]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            return String(decoding: line, as: UTF8.self)
        }
    }

    /// The bytes before the first empty line (`\r\n\r\n` or `\n\n`), and those after it.
    static func headAndBody(_ bytes: [UInt8]) -> (head: ArraySlice<UInt8>, body: ArraySlice<UInt8>) {
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") {
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") {
                    return (bytes[..<index], bytes[(index + 2)...])
                }
                if index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "\r"), bytes[index + 2] == UInt8(ascii: "\n") {
                    return (bytes[..<index], bytes[(index + 3)...])
                }
            }
            index += 1
        }
        return (bytes[...], [])
    }

    /// `bytes` cut into pieces of `size` bytes (the last one shorter); one piece when `size` is 0.
    static func pieces(_ bytes: some Collection<UInt8>, size: Int) -> [[UInt8]] {
        let all = Array(bytes)
        guard size > 0, all.count > size else { return [all] }
        return stride(from: 0, to: all.count, by: size).map { Array(all[$0..<min($0 + size, all.count)]) }
    }

    /// A header line `Name: value` as the HTTP layer hands it on: name lowercased, value trimmed.
    static func header(_ line: String) -> (name: String, value: String)? {
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        return (name, value)
    }
}

extension AWSChunkedDecoder {
    /// ``feed(_:output:)`` for bytes held in an array (whose `withUnsafeBytes` is not typed-throws).
    mutating func feed(_ bytes: some Collection<UInt8>, output: ([UInt8]) -> Void) throws(S3Error) {
        let array = Array(bytes)
        var failure: S3Error?
        array.withUnsafeBytes { raw in
            do throws(S3Error) {
                try feed(raw) { (decoded) throws(S3Error) in output(Array(decoded)) }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }
}
