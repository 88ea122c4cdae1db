/// Why a ``ServerCertificate`` could not be loaded, in one line.
public struct ServerCertificateError: Error, CustomStringConvertible {
    /// The reason, naming the file.
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
