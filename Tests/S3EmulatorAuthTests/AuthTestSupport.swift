import Foundation
import S3EmulatorAuth
import S3EmulatorCore
import XCTest

/// The credentials and time of the examples in the AWS documentation.
enum Example {
    static let accessKeyId = "AKIAIOSFODNN7EXAMPLE"
    static let secretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    /// 2013-05-24T00:00:00Z.
    static let date = Date(timeIntervalSince1970: 1_369_353_600)
    static let timestamp = "20130524T000000Z"
    static let scope = "20130524/us-east-1/s3/aws4_request"
    static let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    static let credential = Credential(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey, principal: "root")
    static let store = StaticCredentialStore([credential])

    static func authenticator(
        at date: Date = Example.date, region: String = "us-east-1", acceptsSignatureVersion2: Bool = true
    ) -> SigV4Authenticator {
        SigV4Authenticator(
            region: region, credentials: store, clock: ManualClock(date),
            acceptsSignatureVersion2: acceptsSignatureVersion2)
    }
}

extension AuthRequestHead {
    /// The value of `name` replaced (or removed when `value` is nil), keeping the header's place.
    func with(header name: String, _ value: String?) -> AuthRequestHead {
        var copy = self
        if let index = copy.headers.firstIndex(where: { $0.name == name }) {
            if let value {
                copy.headers[index].value = value
            } else {
                copy.headers.remove(at: index)
            }
        } else if let value {
            copy.headers.append((name, value))
        }
        return copy
    }

    /// `authorization` with `target` replaced by `replacement`.
    func editingAuthorization(_ target: String, _ replacement: String) -> AuthRequestHead {
        let value = headers.first { $0.name == "authorization" }?.value ?? ""
        return with(header: "authorization", value.replacingOccurrences(of: target, with: replacement))
    }

    func with(rawQuery: String?) -> AuthRequestHead {
        var copy = self
        copy.rawQuery = rawQuery
        return copy
    }

    func with(rawPath: String) -> AuthRequestHead {
        var copy = self
        copy.rawPath = rawPath
        return copy
    }
}

/// What a refusal must look like: S3's code, status, message and extra elements.
struct ExpectedError {
    var code: String
    var status: Int
    var message: String
    /// The extra elements, in order; nil to leave them unchecked.
    var details: [(String, String)]?

    init(_ code: S3ErrorCode, _ message: String? = nil, details: [(String, String)]? = []) {
        self.code = code.code
        self.status = code.status
        self.message = message ?? code.defaultMessage
        self.details = details
    }

    func check(_ error: S3Error, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(error.code.code, code, label, file: file, line: line)
        XCTAssertEqual(error.code.status, status, label, file: file, line: line)
        XCTAssertEqual(error.message, message, label, file: file, line: line)
        if let details {
            XCTAssertEqual(
                error.details.map { "\($0.name)=\($0.value)" }, details.map { "\($0.0)=\($0.1)" }, label,
                file: file, line: line)
        }
    }
}

/// Runs `body`, which must throw `expected`.
func assertThrows<T>(
    _ expected: ExpectedError, _ label: String = "", file: StaticString = #filePath, line: UInt = #line,
    _ body: () throws(S3Error) -> T
) {
    do {
        _ = try body()
        XCTFail("\(label): expected \(expected.code), got success", file: file, line: line)
    } catch {
        expected.check(error, label, file: file, line: line)
    }
}

/// Runs `body`, which must succeed.
@discardableResult
func assertSucceeds<T>(
    _ label: String = "", file: StaticString = #filePath, line: UInt = #line, _ body: () throws(S3Error) -> T
) -> T? {
    do {
        return try body()
    } catch {
        XCTFail("\(label): \(error) \(error.details.map { "\($0.name)=\($0.value)" })", file: file, line: line)
        return nil
    }
}

/// The bytes a hex string spells.
func bytes(hex: String) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(hex.utf8.count / 2)
    var high: UInt8?
    for byte in hex.utf8 {
        let value: UInt8 =
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            default: byte - UInt8(ascii: "A") + 10
            }
        if let pending = high {
            out.append(pending << 4 | value)
            high = nil
        } else {
            high = value
        }
    }
    return out
}

/// Decodes `body` through `decoder`, feeding it in pieces of `pieceSize` bytes.
func decode(
    _ body: [UInt8], with decoder: inout AWSChunkedDecoder, pieceSize: Int = .max
) throws(S3Error) -> (data: [UInt8], trailers: [(name: String, value: String)]) {
    var data: [UInt8] = []
    var offset = 0
    while offset < body.count {
        let end = min(body.count, offset + max(1, min(pieceSize, body.count)))
        var failure: S3Error?
        body[offset..<end].withUnsafeBytes { buffer in
            do throws(S3Error) {
                try decoder.feed(buffer) { piece in data += piece }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        offset = end
    }
    let trailers = try decoder.finish()
    return (data, trailers)
}

/// Feeds `body` to `decoder` in one call.
func feed(
    _ body: [UInt8], to decoder: inout AWSChunkedDecoder,
    output: (UnsafeRawBufferPointer) throws(S3Error) -> Void = { _ in }
) throws(S3Error) {
    var failure: S3Error?
    body.withUnsafeBytes { buffer in
        do throws(S3Error) {
            try decoder.feed(buffer, output: output)
        } catch {
            failure = error
        }
    }
    if let failure { throw failure }
}
