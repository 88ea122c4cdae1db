/// Why a configuration file was refused: the file, where in it (a JSON path such as
/// `users[1].accessKeys[0].secretAccessKey`) and what is wrong.
///
/// ```swift
/// do {
///     let file = try ConfigurationFile.load(path: "s3emu.json")
/// } catch let error as ConfigurationFileError {
///     print(error)  // s3emu.json: users[1].groups[0]: no group named "editors" is declared in groups
/// }
/// ```
public struct ConfigurationFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as it was named to ``ConfigurationFile/load(path:)``.
    public var file: String
    /// The JSON path of the offending value; empty when the whole file is at fault
    /// (it cannot be read, or it is not JSON before anything was read).
    public var path: String
    /// What is wrong, in one line.
    public var message: String

    public init(file: String, path: String, message: String) {
        self.file = file
        self.path = path
        self.message = message
    }

    /// `<file>: <path>: <message>`, or `<file>: <message>` without a path.
    public var description: String {
        path.isEmpty ? "\(file): \(message)" : "\(file): \(path): \(message)"
    }
}
