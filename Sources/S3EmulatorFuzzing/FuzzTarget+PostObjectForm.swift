import Dispatch
import Foundation
import NIOCore
import S3Emulator
import S3EmulatorAuth
import S3EmulatorCore
import Synchronization

extension FuzzTarget {
    /// The first line is the request's `Content-Type`, the rest its `multipart/form-data` body.
    /// The body is read as POST Object reads it, whole and again in pieces; then the form's
    /// signature (SigV4 or SigV2) is checked and its policy document parsed and checked.
    /// Invariant: the body reads the same whole and in pieces.
    static func fuzzPostObjectForm(_ input: [UInt8]) -> FuzzOutcome {
        let newline = input.firstIndex(of: UInt8(ascii: "\n")) ?? input.endIndex
        let contentType = FuzzInput.lines(input[..<newline]).first ?? ""
        let body = newline < input.endIndex ? Array(input[(newline + 1)...]) : []
        let pieceSize = body.count % 97 + 1
        return FuzzOutcome.of {
            let whole = readForm(contentType: contentType, pieces: [body], declaredLength: Int64(body.count))
            let split = readForm(
                contentType: contentType, pieces: FuzzInput.pieces(body, size: pieceSize), declaredLength: Int64(body.count))
            try expect(whole == split, "form read whole: \(whole), in pieces of \(pieceSize): \(split)")
            guard case .read(let fields, _) = whole else {
                if case .notAnS3Error(let description) = whole { throw InvariantViolation("not an S3Error: \(description)") }
                if case .failed(let code) = whole { throw S3Error(code) }
                return
            }
            var form = PostPolicyForm(fields: fields.map { ($0.name, $0.value) })
            form.mapValues { $0.replacingOccurrences(of: "${filename}", with: "photo.jpg") }
            let post = try Example.authenticator.authenticatePost(form)
            if let policy = post.policy {
                try policy.check(form, bucket: "examplebucket", now: Example.date)
                _ = policy.maximumContentLength
                try policy.checkContentLength(Int64(body.count))
            }
        }
    }

    /// What reading a form gave.
    enum FormReading: Equatable {
        case read(fields: [Field], fileSize: Int64?)
        case failed(S3ErrorCode)
        case notAnS3Error(String)

        struct Field: Equatable {
            var name: String
            var value: String
        }
    }

    static func readForm(contentType: String, pieces: [[UInt8]], declaredLength: Int64) -> FormReading {
        blocking {
            let stream = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
                for piece in pieces { continuation.yield(ByteBuffer(bytes: piece)) }
                continuation.finish()
            }
            do {
                let (fields, fileSize) = try await RequestParsing.postObjectForm(
                    contentType: contentType, body: S3RequestBody(stream: stream), declaredLength: declaredLength)
                return .read(fields: fields.map { FormReading.Field(name: $0.name, value: $0.value) }, fileSize: fileSize)
            } catch let error as S3Error {
                return .failed(error.code)
            } catch {
                return .notAnS3Error("\(type(of: error)): \(error)")
            }
        }
    }

    /// Runs `body` to completion from synchronous code (libFuzzer's callback, a test's thread).
    static func blocking<Value: Sendable>(_ body: @escaping @Sendable () async -> Value) -> Value {
        let result = Mutex<Value?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let value = await body()
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return result.withLock { $0 }!
    }
}
