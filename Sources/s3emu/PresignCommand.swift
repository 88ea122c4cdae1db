import ArgumentParser
import Foundation
import S3EmulatorAuth
import S3EmulatorCore

/// `s3emu presign`: a presigned URL (Signature Version 4, query form) for one request.
struct PresignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "presign",
        abstract: "Print a presigned URL for a GET, PUT, HEAD or DELETE of an object or bucket.",
        discussion: """
            The URL is signed with the root user's key (--access-key / --secret-key, else \
            S3EMU_ACCESS_KEY / S3EMU_SECRET_KEY, else test / test) for --region, at the current \
            time, and is valid for --expires seconds (at most 604800, as on AWS). Only the host \
            is signed, so any client can send it, a browser's fetch() included:

                s3emu presign --method PUT s3://photos/cat.jpg
                curl -X PUT --upload-file cat.jpg "$(s3emu presign --method PUT s3://photos/cat.jpg)"
            """
    )

    @Argument(help: ArgumentHelp("The object or bucket: s3://BUCKET/KEY or s3://BUCKET.", valueName: "s3-url"))
    var target: String

    @Option(help: "The HTTP method the URL is for.")
    var method = "GET"

    @Option(help: "Seconds the URL stays valid.")
    var expires = 3600

    @Option(help: "The s3emu endpoint the URL points at.")
    var endpoint = "http://127.0.0.1:9000"

    @Option(help: "The region the signature is for (the server's --region).")
    var region = "us-east-1"

    @Option(name: .customLong("access-key"), help: ArgumentHelp("The access key id; default S3EMU_ACCESS_KEY or test.", valueName: "id"))
    var accessKey: String?

    @Option(name: .customLong("secret-key"), help: ArgumentHelp("The secret key; default S3EMU_SECRET_KEY or test.", valueName: "secret"))
    var secretKey: String?

    @Option(name: .customLong("query"), help: ArgumentHelp("An extra query parameter to sign, NAME=VALUE (repeatable), e.g. response-content-type=text/plain.", valueName: "name=value"))
    var query: [String] = []

    func validate() throws {
        guard (1...604_800).contains(expires) else {
            throw ValidationError("--expires must be between 1 and 604800 seconds")
        }
        guard ["GET", "PUT", "HEAD", "DELETE", "POST"].contains(method.uppercased()) else {
            throw ValidationError("--method must be GET, PUT, HEAD, DELETE or POST")
        }
    }

    func run() throws {
        let location = try Self.S3Location(target)
        let endpoint = try Self.Endpoint(endpoint)
        var rawPath = endpoint.basePath + "/" + URIEncoding.encode(location.bucket, encodeSlash: true)
        if let key = location.key {
            rawPath += "/" + URIEncoding.encode(key, encodeSlash: false)
        }
        var parameters: [(String, String)] = []
        for item in query {
            guard let equals = item.firstIndex(of: "=") else { throw ValidationError("--query needs NAME=VALUE, got \(item)") }
            parameters.append((String(item[..<equals]), String(item[item.index(after: equals)...])))
        }
        let rawQuery = parameters.sorted { $0.0 < $1.0 }
            .map { "\(URIEncoding.encode($0.0, encodeSlash: true))=\(URIEncoding.encode($0.1, encodeSlash: true))" }
            .joined(separator: "&")
        let head = AuthRequestHead(
            method: method.uppercased(), rawPath: rawPath, rawQuery: rawQuery.isEmpty ? nil : rawQuery,
            headers: [("host", endpoint.authority)])
        let signer = Self.Credentials.signer(accessKey: accessKey, secretKey: secretKey, region: region)
        let presigned = signer.presign(head, expires: expires, date: Date())
        print("\(endpoint.scheme)://\(endpoint.authority)\(rawPath)?\(presigned.rawQuery ?? "")")
    }
}

extension PresignCommand {
    /// `s3://bucket/key` or `s3://bucket`.
    struct S3Location {
        var bucket: String
        var key: String?

        init(_ text: String) throws {
            guard text.hasPrefix("s3://") else { throw ValidationError("expected s3://BUCKET/KEY, got \(text)") }
            let rest = text.dropFirst("s3://".count)
            guard let slash = rest.firstIndex(of: "/") else {
                guard !rest.isEmpty else { throw ValidationError("expected s3://BUCKET/KEY, got \(text)") }
                bucket = String(rest)
                return
            }
            bucket = String(rest[..<slash])
            let key = rest[rest.index(after: slash)...]
            guard !bucket.isEmpty else { throw ValidationError("expected s3://BUCKET/KEY, got \(text)") }
            self.key = key.isEmpty ? nil : String(key)
        }
    }

    /// The scheme, `host:port` and path of `--endpoint`.
    struct Endpoint {
        var scheme: String
        var authority: String
        var basePath: String

        init(_ text: String) throws {
            guard let components = URLComponents(string: text), let scheme = components.scheme, let host = components.host,
                scheme == "http" || scheme == "https"
            else { throw ValidationError("--endpoint must be an http:// or https:// URL, got \(text)") }
            self.scheme = scheme
            authority = components.port.map { "\(host):\($0)" } ?? host
            basePath = components.path.hasSuffix("/") ? String(components.path.dropLast()) : components.path
        }
    }

    /// The signing key of the presign commands.
    enum Credentials {
        static func signer(accessKey: String?, secretKey: String?, region: String) -> SigV4Signer {
            let environment = ProcessInfo.processInfo.environment
            let id = accessKey ?? environment["S3EMU_ACCESS_KEY"].flatMap { $0.isEmpty ? nil : $0 } ?? "test"
            let secret = secretKey ?? environment["S3EMU_SECRET_KEY"].flatMap { $0.isEmpty ? nil : $0 } ?? "test"
            return SigV4Signer(accessKeyId: id, secretAccessKey: secret, region: region)
        }
    }
}
