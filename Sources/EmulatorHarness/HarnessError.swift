/// What the harness itself refuses (the emulator's own answers are S3 errors).
///
/// ```swift
/// do {
///     _ = try s3.credentials(forUser: "nobody")
/// } catch HarnessError.noSuchUser(let name) {
///     print("no user \(name)")
/// }
/// ```
public enum HarnessError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration has no user of that name.
    ///
    /// ```swift
    /// XCTAssertThrowsError(try s3.credentials(forUser: "nobody"))
    /// ```
    case noSuchUser(String)
    /// The server stopped before it accepted connections.
    ///
    /// ```swift
    /// catch HarnessError.serverStopped { XCTFail("the emulator did not start") }
    /// ```
    case serverStopped
    /// A URL could not be formed from the given parts.
    ///
    /// ```swift
    /// catch HarnessError.invalidURL(let text) { XCTFail("bad URL \(text)") }
    /// ```
    case invalidURL(String)

    /// A one-line explanation.
    ///
    /// ```swift
    /// print(HarnessError.noSuchUser("steve"))   // EmulatorHarness: the configuration has no user named steve
    /// ```
    public var description: String {
        switch self {
        case .noSuchUser(let name): "EmulatorHarness: the configuration has no user named \(name)"
        case .serverStopped: "EmulatorHarness: the server stopped before it accepted connections"
        case .invalidURL(let text): "EmulatorHarness: not a valid URL: \(text)"
        }
    }
}
