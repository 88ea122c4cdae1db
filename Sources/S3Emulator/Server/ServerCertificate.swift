import Foundation
import NIOCore
import NIOSSL

/// The certificate chain and private key an ``S3Server`` presents when it serves HTTPS.
///
/// Both files are PEM: the certificate file holds the server certificate first, then any
/// intermediates; the key file holds an unencrypted private key (RSA or EC). Loading checks
/// that the key belongs to the certificate, so a server never starts with a pair no client
/// could complete a handshake with.
///
/// ```swift
/// let certificate = try ServerCertificate(certificatePath: "cert.pem", privateKeyPath: "key.pem")
/// let server = S3Server(emulator: emulator, port: 9443, certificate: certificate)
/// ```
public struct ServerCertificate: Sendable {
    /// The PEM file the certificate chain was read from.
    public let certificatePath: String
    /// The PEM file the private key was read from.
    public let privateKeyPath: String
    let configuration: TLSConfiguration

    /// Reads and checks both files; the error says which file is wrong and why.
    public init(certificatePath: String, privateKeyPath: String) throws(ServerCertificateError) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(Self.read(certificatePath, what: "certificate"))
        } catch let error as ServerCertificateError {
            throw error
        } catch {
            throw ServerCertificateError("the TLS certificate \(certificatePath) holds no PEM certificate")
        }
        guard !chain.isEmpty else {
            throw ServerCertificateError("the TLS certificate \(certificatePath) holds no PEM certificate")
        }
        let key: NIOSSLPrivateKey
        do {
            // An encrypted key would make BoringSSL prompt on the terminal; answer with no passphrase.
            key = try NIOSSLPrivateKey(
                bytes: Self.read(privateKeyPath, what: "key"), format: .pem,
                passphraseCallback: { (supply: ([UInt8]) -> Void) in supply([]) }
            )
        } catch let error as ServerCertificateError {
            throw error
        } catch {
            throw ServerCertificateError("the TLS key \(privateKeyPath) holds no unencrypted PEM private key")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)
        )
        // At shutdown an idle client (an SDK's pooled connection) never answers close_notify;
        // NIOSSL's default wait of 5 s would hold up every SIGTERM.
        configuration.shutdownTimeout = .milliseconds(250)
        do {
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw ServerCertificateError(
                "the TLS key \(privateKeyPath) does not belong to the certificate \(certificatePath)"
            )
        }
        self.configuration = configuration
    }

    private static func read(_ path: String, what: String) throws(ServerCertificateError) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason = String(cString: strerror(errno))
            throw ServerCertificateError("cannot read the TLS \(what) \(path): \(reason)")
        }
        defer { try? handle.close() }
        do {
            // A PEM certificate chain or key is a few KiB; refuse anything absurd.
            let data = try handle.read(upToCount: 1 << 20) ?? Data()
            return [UInt8](data)
        } catch {
            throw ServerCertificateError("cannot read the TLS \(what) \(path): \(error.localizedDescription)")
        }
    }
}
