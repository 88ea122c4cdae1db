import Foundation
import NIOCore
import S3Emulator
import S3EmulatorCore
import S3EmulatorFuzzing
import XCTest

/// One test per bug the fuzzers found, named after what the client sent. Each saved input is
/// also replayed by ``FuzzCorpusReplayTests``; these tests pin down the answer.
final class FuzzRegressionTests: XCTestCase {
    /// `body` read by POST Object's form reader under `contentType`.
    func readForm(_ contentType: String, _ body: String) async throws -> (fields: [String], fileSize: Int64?) {
        let bytes = Array(body.utf8)
        let result = try await RequestParsing.postObjectForm(
            contentType: contentType, body: S3RequestBody(buffer: ByteBuffer(bytes: bytes)), declaredLength: Int64(bytes.count))
        return (result.fields.map { "\($0.name)=\($0.value)" }, result.fileSize)
    }

    /// Found by `post-form` (Fuzz/Regressions/post-form/crash-unterminated-quoted-parameter):
    /// a quoted parameter without its closing `"` read one byte past the end (index out of range,
    /// a trap). The `Content-Type` of a POST takes the same path: one request header crashed the server.
    func testPOSTObjectContentTypeWithAnUnterminatedQuotedBoundaryIsReadToTheEndOfTheHeader() async throws {
        let form = try await readForm(
            "multipart/form-data; boundary=\"abc",
            "--abc\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nuser/a.txt\r\n--abc--\r\n")
        XCTAssertEqual(form.fields, ["key=user/a.txt"])
        XCTAssertNil(form.fileSize)
    }

    func testPOSTObjectPartWithAnUnterminatedQuotedFilenameIsReadNotACrash() async throws {
        let form = try await readForm(
            "multipart/form-data; boundary=abc",
            "--abc\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n"
                + "--abc\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo.jpg\r\n\r\n12345\r\n--abc--\r\n")
        XCTAssertEqual(form.fields, ["key=k"])
        XCTAssertEqual(form.fileSize, 5)
    }

    func testSavedPostFormCrashIsAnsweredNotATrap() throws {
        let file = FuzzCorpusReplayTests.fuzzDirectory.appendingPathComponent("Regressions/post-form/crash-unterminated-quoted-parameter")
        let outcome = try Data(contentsOf: file).withUnsafeBytes { FuzzTarget.postObjectForm.run($0) }
        if case .unexpected(let message) = outcome { XCTFail(message) }
    }
}
