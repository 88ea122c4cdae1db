import Foundation
import S3Emulator
import XCTest

final class ConfigurationFileTests: XCTestCase {
    /// A complete, valid file: the README's example.
    static let completeFile = #"""
        {
          "accountId": "111122223333",
          "rootCredentials": {"accessKeyId": "root-key", "secretAccessKey": "root-secret"},
          "publicAccessBlock": {"BlockPublicAcls": true, "IgnorePublicAcls": true,
                                "BlockPublicPolicy": false, "RestrictPublicBuckets": false},
          "groups": [
            {"name": "media-uploaders",
             "policies": {"media": {"Version": "2012-10-17", "Statement": [
               {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"],
                "Resource": "arn:aws:s3:::shift-media-bucket/*"}]}}}
          ],
          "users": [
            {"name": "shift", "groups": ["media-uploaders"],
             "accessKeys": [{"accessKeyId": "AKIASHIFT0000000001", "secretAccessKey": "shift-secret"},
                            {"accessKeyId": "AKIASHIFT0000000002", "secretAccessKey": "shift+secret/2"}],
             "policies": {"list-media": {"Version": "2012-10-17", "Statement": [
               {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::shift-media-bucket"}]}}},
            {"name": "auditor"}
          ],
          "buckets": [
            {"name": "shift-media-bucket",
             "region": "us-east-1",
             "publicAccessBlock": {"BlockPublicAcls": false, "IgnorePublicAcls": false,
                                   "BlockPublicPolicy": false, "RestrictPublicBuckets": false},
             "objectOwnership": "BucketOwnerEnforced",
             "policy": {"Version": "2012-10-17", "Statement": [
               {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::shift-media-bucket/public/*"},
               {"Sid": "Auditor", "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:user/auditor"},
                "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::shift-media-bucket"}]},
             "cors": [{"ID": "web", "AllowedOrigins": ["https://app.example.com", "http://localhost:*"],
                       "AllowedMethods": ["GET", "PUT", "HEAD"], "AllowedHeaders": ["*"],
                       "ExposeHeaders": ["ETag", "x-amz-request-id"], "MaxAgeSeconds": 3000}]},
            {"name": "empty-bucket", "versioning": "Enabled"}
          ]
        }
        """#

    func testCompleteFileIsReadWithEverySetting() throws {
        let file = try ConfigurationFile(json: Self.completeFile, file: "s3emu.json")
        XCTAssertEqual(file.accountID, "111122223333")
        XCTAssertEqual(file.rootCredentials, AccessKey(accessKeyId: "root-key", secretAccessKey: "root-secret"))
        XCTAssertEqual(
            file.publicAccessBlock,
            PublicAccessBlockSettings(blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: false, restrictPublicBuckets: false)
        )
        XCTAssertEqual(file.groups.map(\.name), ["media-uploaders"])
        XCTAssertEqual(file.groups.first?.policies.keys.sorted(), ["media"])
        XCTAssertEqual(file.users.map(\.name), ["shift", "auditor"])
        let shift = try XCTUnwrap(file.users.first)
        XCTAssertEqual(shift.groups, ["media-uploaders"])
        XCTAssertEqual(shift.accessKeys, [
            AccessKey(accessKeyId: "AKIASHIFT0000000001", secretAccessKey: "shift-secret"),
            AccessKey(accessKeyId: "AKIASHIFT0000000002", secretAccessKey: "shift+secret/2"),
        ])
        XCTAssertEqual(file.users[1], IAMUser(name: "auditor"))

        XCTAssertEqual(file.buckets.map(\.name), ["shift-media-bucket", "empty-bucket"])
        let bucket = file.buckets[0]
        XCTAssertEqual(bucket.region, "us-east-1")
        XCTAssertEqual(bucket.publicAccessBlock, .noneBlocked)
        XCTAssertEqual(bucket.objectOwnership, "BucketOwnerEnforced")
        XCTAssertNil(bucket.versioning)
        XCTAssertEqual(bucket.cors, [
            CORSRuleSeed(
                id: "web", allowedOrigins: ["https://app.example.com", "http://localhost:*"], allowedMethods: ["GET", "PUT", "HEAD"],
                allowedHeaders: ["*"], exposeHeaders: ["ETag", "x-amz-request-id"], maxAgeSeconds: 3000
            )
        ])
        XCTAssertEqual(file.buckets[1], BucketSeed(name: "empty-bucket", versioning: .enabled))
    }

    /// The example in the README's "Configuration file" section is a valid file.
    func testReadmeExampleIsValid() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let section = try XCTUnwrap(text.range(of: "## Configuration file"), "README.md has no Configuration file section")
        let start = try XCTUnwrap(text.range(of: "```json\n", range: section.upperBound..<text.endIndex))
        let end = try XCTUnwrap(text.range(of: "```", range: start.upperBound..<text.endIndex))
        let file = try ConfigurationFile(json: String(text[start.upperBound..<end.lowerBound]), file: "README.md")
        XCTAssertEqual(file.users.map(\.name), ["shift", "auditor"])
        XCTAssertEqual(file.buckets.count, 2)
        XCTAssertNotNil(file.buckets.first?.policy)
    }

    func testPoliciesAreStoredAsTheExactTextOfTheirJSONObjects() throws {
        let policy = #"{"Version": "2012-10-17",  "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}"#
        let file = try ConfigurationFile(json: #"{"groups": [{"name": "all", "policies": {"everything": \#(policy)}}]}"#)
        XCTAssertEqual(file.groups.first?.policies["everything"], policy)

        let seeded = try ConfigurationFile(json: Self.completeFile)
        let text = try XCTUnwrap(seeded.buckets.first?.policy)
        XCTAssertTrue(text.hasPrefix(#"{"Version": "2012-10-17", "Statement": ["#), text)
        XCTAssertTrue(text.hasSuffix(#""Resource": "arn:aws:s3:::shift-media-bucket"}]}"#), text)
        let parsed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual((parsed["Statement"] as? [Any])?.count, 2)
    }

    func testApplyPutsTheFileIntoTheEmulatorConfiguration() throws {
        var configuration = EmulatorConfiguration()
        configuration.users = [IAMUser(name: "replaced")]
        let file = try ConfigurationFile(json: Self.completeFile)
        file.apply(to: &configuration)
        XCTAssertEqual(configuration.accountID, "111122223333")
        XCTAssertEqual(configuration.rootCredentials, AccessKey(accessKeyId: "root-key", secretAccessKey: "root-secret"))
        XCTAssertEqual(configuration.accountPublicAccessBlock, file.publicAccessBlock)
        XCTAssertEqual(configuration.users, file.users)
        XCTAssertEqual(configuration.groups, file.groups)
        XCTAssertEqual(configuration.buckets, file.buckets)
    }

    func testApplyKeepsDefaultsTheFileDoesNotSet() throws {
        var configuration = EmulatorConfiguration()
        configuration.accountPublicAccessBlock = .allBlocked
        try ConfigurationFile(json: "{}").apply(to: &configuration)
        XCTAssertEqual(configuration.accountID, "123456789012")
        XCTAssertEqual(configuration.rootCredentials, AccessKey(accessKeyId: "test", secretAccessKey: "test"))
        XCTAssertEqual(configuration.accountPublicAccessBlock, .allBlocked)
        XCTAssertEqual(configuration.users, [])
    }

    func testPublicAccessBlockSettingsLeftOutAreFalse() throws {
        let file = try ConfigurationFile(json: #"{"buckets": [{"name": "photos", "publicAccessBlock": {"BlockPublicAcls": true}}]}"#)
        XCTAssertEqual(
            file.buckets.first?.publicAccessBlock,
            PublicAccessBlockSettings(blockPublicAcls: true, ignorePublicAcls: false, blockPublicPolicy: false, restrictPublicBuckets: false)
        )
    }

    func testJSONEscapesAndUnicodeAreDecoded() throws {
        let file = try ConfigurationFile(
            json: #"{"\u0075sers": [{"name": "caf\u0065", "accessKeys": [{"accessKeyId": "K1", "secretAccessKey": "s\"\\\/\ud83d\ude00é"}]}]}"#
        )
        XCTAssertEqual(file.users.first?.name, "cafe")
        XCTAssertEqual(file.users.first?.accessKeys.first?.secretAccessKey, "s\"\\/😀é")
    }

    // MARK: - Refusals

    /// Each bad document, the JSON path the error names, and a part of its message.
    static let refusals: [(json: String, path: String, message: String)] = [
        // Syntax
        ("", "", "not valid JSON at line 1, column 1: unexpected end of file"),
        ("{\n  \"users\": [\n    {\"name\": \"a\",}\n  ]\n}", "users[0]", "not valid JSON at line 3, column 18: expected a field name"),
        (#"{"accountId": "111122223333" "users": []}"#, "accountId", "expected ',' or '}'"),
        (#"{"users": [1 2]}"#, "users[0]", "expected ',' or ']'"),
        (#"{"accountId": "1\u12"}"#, "accountId", "four hexadecimal digits"),
        ("{\"accountId\": \"a\tb\"}", "accountId", "control character"),
        (#"{"accountId": tru}"#, "accountId", "expected a value"),
        (#"{} {}"#, "", "unexpected text after the top-level value"),
        (#"{"a": 01}"#, "a", "expected ',' or '}'"),
        (String(repeating: "[", count: 100) + String(repeating: "]", count: 100), String(repeating: "[0]", count: 64), "nested more than 64 levels"),
        // Shape
        (#"[]"#, "", "expected an object, found an array"),
        (#"{"acountId": "111122223333"}"#, "acountId", "unknown field (expected accountId, rootCredentials,"),
        (#"{"AccountId": "111122223333"}"#, "AccountId", "unknown field; did you mean accountId?"),
        (#"{"users": [], "users": []}"#, "users", "the field appears twice"),
        (#"{"users": {}}"#, "users", "expected an array, found an object"),
        (#"{"accountId": 111122223333}"#, "accountId", "expected a string, found the number 111122223333"),
        (#"{"accountId": "1111-2222-3333"}"#, "accountId", "is not an AWS account id (12 digits)"),
        // Credentials
        (#"{"rootCredentials": {"accessKeyId": "root"}}"#, "rootCredentials.secretAccessKey", "missing (required)"),
        (#"{"rootCredentials": {"accessKeyId": "", "secretAccessKey": "s"}}"#, "rootCredentials.accessKeyId", "cannot be empty"),
        (#"{"rootCredentials": {"accessKeyId": "a/b", "secretAccessKey": "s"}}"#, "rootCredentials.accessKeyId", "use only letters, digits"),
        (#"{"rootCredentials": {"accessKeyId": "a", "secretAccessKey": "s", "token": "t"}}"#, "rootCredentials.token", "unknown field"),
        (
            #"{"users": [{"name": "a", "accessKeys": [{"accessKeyId": "K1", "secretAccessKey": "x"}]}, {"name": "b", "accessKeys": [{"accessKeyId": "K2", "secretAccessKey": "\n"}]}]}"#,
            "users[1].accessKeys[0].secretAccessKey", "cannot contain control characters"
        ),
        (
            #"{"users": [{"name": "a", "accessKeys": [{"accessKeyId": "K1", "secretAccessKey": "x"}]}, {"name": "b", "accessKeys": [{"accessKeyId": "K1", "secretAccessKey": "y"}]}]}"#,
            "users[1].accessKeys[0].accessKeyId", #""K1" is already the access key of user "a" (users[0].accessKeys[0].accessKeyId)"#
        ),
        (
            #"{"rootCredentials": {"accessKeyId": "K1", "secretAccessKey": "x"}, "users": [{"name": "a", "accessKeys": [{"accessKeyId": "K1", "secretAccessKey": "y"}]}]}"#,
            "users[0].accessKeys[0].accessKeyId", "already the root user's access key"
        ),
        // Users and groups
        (#"{"users": [{"groups": []}]}"#, "users[0].name", "missing (required)"),
        (#"{"users": [{"name": "has space"}]}"#, "users[0].name", "is not a valid user name"),
        (#"{"users": [{"name": "café"}]}"#, "users[0].name", "is not a valid user name"),
        (#"{"users": [{"name": "\#(String(repeating: "u", count: 65))"}]}"#, "users[0].name", "1 to 64"),
        (#"{"users": [{"name": "Steve"}, {"name": "steve"}]}"#, "users[1].name", "declared twice (first at users[0])"),
        (#"{"groups": [{"name": "g"}, {"name": "g"}]}"#, "groups[1].name", "declared twice"),
        (#"{"users": [{"name": "a", "groups": ["editors"]}]}"#, "users[0].groups[0]", #"no group named "editors" is declared in groups"#),
        (#"{"groups": [{"name": "g"}], "users": [{"name": "a", "groups": ["g", "g"]}]}"#, "users[0].groups[1]", "listed twice"),
        (#"{"users": [{"name": "a", "policies": []}]}"#, "users[0].policies", "expected an object of policy name"),
        (#"{"users": [{"name": "a", "policies": {"p": "{}"}}]}"#, "users[0].policies.p", "expected a policy document as a JSON object"),
        (
            #"{"users": [{"name": "a", "policies": {"p": {"Version": "2012-10-17", "Statement": []}}}]}"#,
            "users[0].policies.p", "not a valid identity-based policy: Could not parse the policy: Statement is empty!"
        ),
        (
            #"{"groups": [{"name": "g", "policies": {"read only": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}}]}"#,
            #"groups[0].policies["read only"]"#, "is not a valid policy name"
        ),
        (
            #"{"groups": [{"name": "g", "policies": {"p": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}}}]}"#,
            "groups[0].policies.p", "Policy document should not specify a principal."
        ),
        (
            #"{"groups": [{"name": "g", "policies": {"p": {"Version": "2012-10-17", "Statement": [{"Effect": "Permit", "Action": "s3:GetObject", "Resource": "*"}]}}}]}"#,
            "groups[0].policies.p", "Invalid effect: Permit"
        ),
        // Buckets
        (#"{"buckets": [{"name": "My_Bucket"}]}"#, "buckets[0].name", #""My_Bucket" is not a valid bucket name"#),
        (#"{"buckets": [{"name": "photos"}, {"name": "photos"}]}"#, "buckets[1].name", "declared twice (first at buckets[0])"),
        (#"{"buckets": [{"name": "photos", "objectOwnership": "BucketOwnerFull"}]}"#, "buckets[0].objectOwnership",
         #""BucketOwnerFull" is not one of BucketOwnerEnforced, BucketOwnerPreferred, ObjectWriter"#),
        (#"{"buckets": [{"name": "photos", "region": "US East"}]}"#, "buckets[0].region", "is not a region name"),
        (#"{"buckets": [{"name": "photos", "versioning": "Disabled"}]}"#, "buckets[0].versioning",
         #""Disabled" is not one of Enabled, Suspended"#),
        (#"{"buckets": [{"name": "photos", "publicAccessBlock": {"BlockPublicAcls": "yes"}}]}"#,
         "buckets[0].publicAccessBlock.BlockPublicAcls", #"expected true or false, found the string "yes""#),
        (#"{"publicAccessBlock": {"BlockPublicACLs": true}}"#, "publicAccessBlock.BlockPublicACLs", "did you mean BlockPublicAcls?"),
        (
            #"{"buckets": [{"name": "photos", "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*"}]}}]}"#,
            "buckets[0].policy", "not a valid bucket policy: Policy has invalid resource"
        ),
        (
            #"{"buckets": [{"name": "photos", "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}]}}]}"#,
            "buckets[0].policy", "Missing required field Principal"
        ),
        (
            #"{"buckets": [{"name": "photos", "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/nobody"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}]}}]}"#,
            "buckets[0].policy", "Invalid principal in policy (arn:aws:iam::123456789012:user/nobody names no user declared in users)"
        ),
        (
            #"{"buckets": [{"name": "photos", "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}]}}]}"#,
            "buckets[0].policy", "the policy is public, and the bucket's Block Public Access refuses public policies"
        ),
        (
            #"{"publicAccessBlock": {"BlockPublicPolicy": true}, "buckets": [{"name": "photos", "publicAccessBlock": {}, "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}]}}]}"#,
            "buckets[0].policy", "the account's publicAccessBlock.BlockPublicPolicy refuses public policies"
        ),
        // CORS
        (#"{"buckets": [{"name": "photos", "cors": []}]}"#, "buckets[0].cors", "needs at least one rule"),
        (#"{"buckets": [{"name": "photos", "cors": [{"AllowedMethods": ["GET"]}]}]}"#, "buckets[0].cors[0].AllowedOrigins", "missing (required)"),
        (#"{"buckets": [{"name": "photos", "cors": [{"AllowedOrigins": [], "AllowedMethods": ["GET"]}]}]}"#,
         "buckets[0].cors[0].AllowedOrigins", "needs at least one value"),
        (#"{"buckets": [{"name": "photos", "cors": [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET", "PATCH"]}]}]}"#,
         "buckets[0].cors[0].AllowedMethods[1]", "Unsupported method is PATCH"),
        (#"{"buckets": [{"name": "photos", "cors": [{"AllowedOrigins": ["*"], "AllowedMethods": ["get"]}]}]}"#,
         "buckets[0].cors[0].AllowedMethods[0]", "Unsupported method is get"),
        (#"{"buckets": [{"name": "photos", "cors": [{"AllowedOrigins": ["https://*.*.example.com"], "AllowedMethods": ["GET"]}]}]}"#,
         "buckets[0].cors[0].AllowedOrigins[0]", "can not have more than one wildcard"),
        (#"{"buckets": [{"name": "photos", "cors": [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"], "MaxAgeSeconds": 1.5}]}]}"#,
         "buckets[0].cors[0].MaxAgeSeconds", "expected a whole number of seconds"),
        (#"{"buckets": [{"name": "photos", "cors": [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"], "MaxAgeSeconds": -1}]}]}"#,
         "buckets[0].cors[0].MaxAgeSeconds", "expected a whole number of seconds"),
        (#"{"buckets": [{"name": "photos", "cors": [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"], "allowedHeaders": ["*"]}]}]}"#,
         "buckets[0].cors[0].allowedHeaders", "did you mean AllowedHeaders?"),
    ]

    func testEveryRefusalNamesThePathAndTheProblem() {
        for (index, refusal) in Self.refusals.enumerated() {
            do {
                let file = try ConfigurationFile(json: refusal.json, file: "s3emu.json")
                XCTFail("refusal #\(index) was accepted: \(refusal.json) → \(file)")
            } catch {
                XCTAssertEqual(error.file, "s3emu.json", "refusal #\(index)")
                XCTAssertEqual(error.path, refusal.path, "refusal #\(index): \(error)")
                XCTAssertTrue(error.message.contains(refusal.message), "refusal #\(index): \(error.message) lacks \(refusal.message)")
                XCTAssertFalse(error.description.contains("\n"), "refusal #\(index): more than one line: \(error)")
            }
        }
    }

    func testDescriptionIsFilePathAndMessage() {
        XCTAssertEqual(
            ConfigurationFileError(file: "s3emu.json", path: "users[1].accessKeys[0].secretAccessKey", message: "missing (required)").description,
            "s3emu.json: users[1].accessKeys[0].secretAccessKey: missing (required)"
        )
        XCTAssertEqual(
            ConfigurationFileError(file: "s3emu.json", path: "", message: "cannot read the file: No such file or directory").description,
            "s3emu.json: cannot read the file: No such file or directory"
        )
    }

    func testPrincipalsOfOtherAccountsAndTheAccountRootAreAccepted() throws {
        let json = #"""
            {"users": [{"name": "steve"}],
             "buckets": [{"name": "photos", "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
               "Principal": {"AWS": ["arn:aws:iam::123456789012:user/steve", "arn:aws:iam::123456789012:root",
                                     "123456789012", "arn:aws:iam::444455556666:user/elsewhere"]},
               "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}]}}]}
            """#
        XCTAssertNoThrow(try ConfigurationFile(json: json))
    }

    func testRootAccessKeyIdMustBeNoUsersKey() throws {
        let file = try ConfigurationFile(
            json: #"{"users": [{"name": "a", "accessKeys": [{"accessKeyId": "K0", "secretAccessKey": "x"}, {"accessKeyId": "test", "secretAccessKey": "y"}]}]}"#
        )
        XCTAssertThrowsError(try file.checkRootAccessKeyId("test", source: "the default", file: "s3emu.json")) { error in
            XCTAssertEqual(
                "\(error)",
                #"s3emu.json: users[0].accessKeys[1].accessKeyId: "test" is also the root user's access key (the default); access key ids must be unique"#
            )
        }
        XCTAssertNoThrow(try file.checkRootAccessKeyId("other", source: "--access-key", file: "s3emu.json"))
    }

    func testCredentialRules() {
        XCTAssertNil(ConfigurationFile.problem(accessKeyId: "AKIAIOSFODNN7EXAMPLE"))
        XCTAssertNil(ConfigurationFile.problem(accessKeyId: "test"))
        XCTAssertNil(ConfigurationFile.problem(accessKeyId: "minio_admin-1.key"))
        for bad in ["", "a b", "a:b", "a/b", "a,b", "a=b", "é", String(repeating: "k", count: 129)] {
            XCTAssertNotNil(ConfigurationFile.problem(accessKeyId: bad), bad)
        }
        XCTAssertNil(ConfigurationFile.problem(secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))
        XCTAssertNil(ConfigurationFile.problem(secretAccessKey: "with space + unicode é"))
        XCTAssertNotNil(ConfigurationFile.problem(secretAccessKey: ""))
        XCTAssertNotNil(ConfigurationFile.problem(secretAccessKey: "tab\there"))
        XCTAssertNil(ConfigurationFile.problem(accountID: "000000000000"))
        for bad in ["", "12345678901", "1234567890123", "12345678901a", "１２３４５６７８９０１２"] {
            XCTAssertNotNil(ConfigurationFile.problem(accountID: bad), bad)
        }
    }

    // MARK: - Files

    func testLoadReadsAFile() throws {
        let path = try temporaryFile(contents: Data(Self.completeFile.utf8))
        let file = try ConfigurationFile.load(path: path)
        XCTAssertEqual(file, try ConfigurationFile(json: Self.completeFile))
    }

    func testLoadSkipsAByteOrderMark() throws {
        let path = try temporaryFile(contents: Data([0xEF, 0xBB, 0xBF]) + Data(#"{"accountId": "111122223333"}"#.utf8))
        XCTAssertEqual(try ConfigurationFile.load(path: path).accountID, "111122223333")
    }

    func testLoadOfAMissingFileSaysWhy() {
        let path = NSTemporaryDirectory() + "/s3emu-missing-\(UUID().uuidString).json"
        XCTAssertThrowsError(try ConfigurationFile.load(path: path)) { error in
            XCTAssertEqual("\(error)", "\(path): cannot read the file: No such file or directory")
        }
    }

    func testLoadOfADirectoryIsRefused() {
        XCTAssertThrowsError(try ConfigurationFile.load(path: NSTemporaryDirectory())) { error in
            XCTAssertTrue("\(error)".hasSuffix(": cannot read the file: Is a directory"), "\(error)")
        }
    }

    func testLoadRefusesInvalidUTF8() throws {
        let path = try temporaryFile(contents: Data(#"{"accountId": ""#.utf8) + Data([0xFF, 0xFE]) + Data(#""}"#.utf8))
        XCTAssertThrowsError(try ConfigurationFile.load(path: path)) { error in
            XCTAssertEqual("\(error)", "\(path): accountId: not valid JSON at line 1, column 15: a string is not valid UTF-8")
        }
    }

    private func temporaryFile(contents: Data) throws -> String {
        let path = NSTemporaryDirectory() + "/s3emu-config-\(UUID().uuidString).json"
        try contents.write(to: URL(fileURLWithPath: path))
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }
}
