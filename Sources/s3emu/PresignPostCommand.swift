import ArgumentParser
import Foundation
import S3EmulatorAuth
import S3EmulatorCore

/// `s3emu presign-post`: a presigned POST form (a browser upload), as boto3's
/// `generate_presigned_post` makes one.
struct PresignPostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "presign-post",
        abstract: "Print a presigned POST form (URL and fields) for a browser upload.",
        discussion: """
            The policy allows the key (a key ending in ${filename} allows any key starting with \
            what precedes it), each --field with exactly its value, each --starts-with and \
            --content-length-range condition, until --expires seconds from now; it is signed with \
            Signature Version 4 by the root user's key (--access-key / --secret-key, else \
            S3EMU_ACCESS_KEY / S3EMU_SECRET_KEY, else test / test). Send the fields in order, \
            then the file in a part named `file`:

                s3emu presign-post s3://photos/'uploads/${filename}' --starts-with Content-Type=image/ \\
                    --field Content-Type=image/png --content-length-range 1:10485760 --format curl

            --format json (the default) prints {"url": …, "fields": {…}}; curl prints a curl \
            command line (add the file's path); html prints a form to open in a browser.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case json, curl, html
    }

    @Argument(help: ArgumentHelp("The bucket and key: s3://BUCKET/KEY (the key may end in ${filename}).", valueName: "s3-url"))
    var target: String

    @Option(help: "Seconds the form stays valid.")
    var expires = 3600

    @Option(name: .customLong("field"), help: ArgumentHelp("A form field NAME=VALUE the policy allows exactly (repeatable), e.g. Content-Type=image/png, acl=private, success_action_status=201.", valueName: "name=value"))
    var fields: [String] = []

    @Option(name: .customLong("starts-with"), help: ArgumentHelp("A condition [\"starts-with\", \"$NAME\", PREFIX] (repeatable); an empty prefix allows any value.", valueName: "name=prefix"))
    var startsWith: [String] = []

    @Option(name: .customLong("content-length-range"), help: ArgumentHelp("The smallest and largest file in bytes, MIN:MAX.", valueName: "min:max"))
    var contentLengthRange: String?

    @Option(help: "What to print.")
    var format: Format = .json

    @Option(help: "The s3emu endpoint the form posts to.")
    var endpoint = "http://127.0.0.1:9000"

    @Option(help: "The region the signature is for (the server's --region).")
    var region = "us-east-1"

    @Option(name: .customLong("access-key"), help: ArgumentHelp("The access key id; default S3EMU_ACCESS_KEY or test.", valueName: "id"))
    var accessKey: String?

    @Option(name: .customLong("secret-key"), help: ArgumentHelp("The secret key; default S3EMU_SECRET_KEY or test.", valueName: "secret"))
    var secretKey: String?

    func run() throws {
        let location = try PresignCommand.S3Location(target)
        guard let key = location.key else { throw ValidationError("presign-post needs a key: s3://BUCKET/KEY") }
        let endpoint = try PresignCommand.Endpoint(endpoint)
        var conditions: [PostPolicyBuilder.Condition] = try startsWith.map { item in
            let (name, prefix) = try Self.pair(item, option: "--starts-with")
            return .startsWith(name, prefix)
        }
        if let contentLengthRange {
            let bounds = contentLengthRange.split(separator: ":", omittingEmptySubsequences: false)
            guard bounds.count == 2, let minimum = Int64(bounds[0]), let maximum = Int64(bounds[1]), minimum >= 0, minimum <= maximum else {
                throw ValidationError("--content-length-range needs MIN:MAX with 0 <= MIN <= MAX, got \(contentLengthRange)")
            }
            conditions.append(.contentLengthRange(minimum, maximum))
        }
        let extraFields = try fields.map { try Self.pair($0, option: "--field") }
        let signer = PresignCommand.Credentials.signer(accessKey: accessKey, secretKey: secretKey, region: region)
        let form = PostPolicyBuilder(signer: signer).presignedPost(
            bucket: location.bucket, key: key, expiresIn: expires, date: Date(),
            fields: extraFields.map { (name: $0.0, value: $0.1) }, conditions: conditions)
        let url = "\(endpoint.scheme)://\(endpoint.authority)\(endpoint.basePath)/\(URIEncoding.encode(location.bucket, encodeSlash: true))"
        switch format {
        case .json:
            let members = form.fields.map { "    \(Self.json($0.name)): \(Self.json($0.value))" }.joined(separator: ",\n")
            print("{\n  \"url\": \(Self.json(url)),\n  \"fields\": {\n\(members)\n  }\n}")
        case .curl:
            let arguments = form.fields.map { "--form-string \(Self.shellQuoted("\($0.name)=\($0.value)"))" }.joined(separator: " \\\n  ")
            print("curl -sS -i \\\n  \(arguments) \\\n  -F file=@PATH \\\n  \(Self.shellQuoted(url))")
        case .html:
            var html = "<!DOCTYPE html>\n<form action=\"\(Self.html(url))\" method=\"post\" enctype=\"multipart/form-data\">\n"
            for field in form.fields {
                html += "  <input type=\"hidden\" name=\"\(Self.html(field.name))\" value=\"\(Self.html(field.value))\">\n"
            }
            html += "  <input type=\"file\" name=\"file\">\n  <input type=\"submit\" value=\"Upload\">\n</form>"
            print(html)
        }
    }

    private static func pair(_ item: String, option: String) throws -> (String, String) {
        guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
            throw ValidationError("\(option) needs NAME=VALUE, got \(item)")
        }
        return (String(item[..<equals]), String(item[item.index(after: equals)...]))
    }

    private static func json(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    private static func html(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
