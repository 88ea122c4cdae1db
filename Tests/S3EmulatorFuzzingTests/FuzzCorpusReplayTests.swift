import Foundation
import S3EmulatorFuzzing
import XCTest

/// Replays the fuzzing seed corpus (Fuzz/Corpus/<target>/) and every saved crash
/// (Fuzz/Regressions/<target>/) through the same entry points the libFuzzer build calls, so that
/// `swift test` keeps them from regressing without the sanitizer build.
final class FuzzCorpusReplayTests: XCTestCase {
    /// The repository's Fuzz/ directory.
    static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    /// The files directly in `Fuzz/<folder>/<target>/`, sorted; none when the folder does not exist.
    static func inputs(_ folder: String, _ target: FuzzTarget) throws -> [URL] {
        let directory = fuzzDirectory.appendingPathComponent(folder).appendingPathComponent(target.rawValue)
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// Runs every input of `folder` through its target; fails for an unexpected outcome.
    /// Returns the outcomes by file name.
    @discardableResult
    func replay(_ folder: String) throws -> [String: FuzzOutcome] {
        var outcomes: [String: FuzzOutcome] = [:]
        for target in FuzzTarget.allCases {
            for file in try Self.inputs(folder, target) {
                let bytes = try Data(contentsOf: file)
                let outcome = bytes.withUnsafeBytes { target.run($0) }
                if case .unexpected(let message) = outcome {
                    XCTFail("\(folder)/\(target.rawValue)/\(file.lastPathComponent): \(message)")
                }
                outcomes["\(target.rawValue)/\(file.lastPathComponent)"] = outcome
            }
        }
        return outcomes
    }

    func testEveryTargetHasASeedCorpus() throws {
        for target in FuzzTarget.allCases {
            XCTAssertGreaterThanOrEqual(try Self.inputs("Corpus", target).count, 3, "Fuzz/Corpus/\(target.rawValue)")
        }
    }

    func testSeedCorpusReplaysWithoutAnUnexpectedOutcome() throws {
        let outcomes = try replay("Corpus")
        XCTAssertFalse(outcomes.isEmpty)
        // The seeds are real requests: every target has at least one seed its parsers accept, and
        // the AWS documentation's examples (`aws-doc-*`) and the requests signed for the corpus
        // (`signed-*`) are all accepted, so the fuzzer starts from inputs that get all the way through.
        for target in FuzzTarget.allCases {
            let accepted = outcomes.filter { $0.key.hasPrefix(target.rawValue + "/") && $0.value == .accepted }
            XCTAssertFalse(accepted.isEmpty, "no seed of \(target.rawValue) is accepted")
        }
        for (name, outcome) in outcomes.sorted(by: { $0.key < $1.key }) {
            let file = name.split(separator: "/").last ?? ""
            if file.hasPrefix("aws-doc-") || file.hasPrefix("signed-") {
                XCTAssertEqual(outcome, .accepted, "Fuzz/Corpus/\(name)")
            }
        }
    }

    func testSavedCrashesReplayWithoutAnUnexpectedOutcome() throws {
        try replay("Regressions")
    }
}
