import Foundation
import S3EmulatorAccess
import S3EmulatorAuth
import S3EmulatorCore

extension FuzzTarget {
    /// The bytes as a bucket policy (PutBucketPolicy), as an identity policy (the config file's
    /// users and groups), and base64-encoded as a POST form's policy document.
    static func fuzzPolicy(_ input: [UInt8]) -> FuzzOutcome {
        let text = String(decoding: input, as: UTF8.self)
        var outcomes: [FuzzOutcome] = []
        outcomes.append(FuzzOutcome.of {
            _ = try PolicyDocument(parsing: text, kind: .bucketPolicy(bucket: "examplebucket"))
        })
        outcomes.append(FuzzOutcome.of {
            _ = try PolicyDocument(parsing: text, kind: .bucketPolicy(bucket: "examplebucket")) { $0.hasSuffix(":root") }
        })
        outcomes.append(FuzzOutcome.of {
            _ = try PolicyDocument(parsing: text, kind: .identityPolicy)
        })
        outcomes.append(FuzzOutcome.of {
            let policy = try PostPolicy(base64: Data(input).base64EncodedString())
            var form = PostPolicyForm(fields: [("key", "user/alice/photo.jpg"), ("acl", "public-read"), ("bucket", "examplebucket")])
            form.append(name: "Content-Type", value: "image/jpeg")
            try policy.check(form, bucket: "examplebucket", now: Example.date)
        })
        return outcomes.first { if case .unexpected = $0 { true } else { false } }
            ?? outcomes.first { $0 == .accepted } ?? .refused
    }
}
