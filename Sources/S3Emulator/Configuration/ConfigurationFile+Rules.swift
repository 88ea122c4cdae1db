extension ConfigurationFile {
    /// The longest access key id accepted (IAM's limit).
    public static let maximumAccessKeyIdLength = 128
    /// The longest secret access key accepted.
    public static let maximumSecretAccessKeyLength = 1024

    /// Why `accessKeyId` cannot be an access key id, or nil when it can.
    ///
    /// An access key id is 1 to 128 ASCII letters, digits, `_`, `-` or `.`: it travels inside
    /// `Credential=KEY/date/region/s3/aws4_request` and `AWS KEY:signature`, so `/`, `:`, `,`,
    /// `=` and spaces would make requests ambiguous.
    public static func problem(accessKeyId: String) -> String? {
        guard !accessKeyId.isEmpty else { return "an access key id cannot be empty" }
        guard accessKeyId.utf8.count <= maximumAccessKeyIdLength else {
            return "an access key id is at most \(maximumAccessKeyIdLength) characters"
        }
        let valid = accessKeyId.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."):
                true
            default:
                false
            }
        }
        guard valid else {
            return "\"\(accessKeyId)\" is not an access key id: use only letters, digits, '_', '-' and '.'"
        }
        return nil
    }

    /// Why `secretAccessKey` cannot be a secret access key, or nil when it can: it must be
    /// 1 to 1024 characters without control characters.
    public static func problem(secretAccessKey: String) -> String? {
        guard !secretAccessKey.isEmpty else { return "a secret access key cannot be empty" }
        guard secretAccessKey.utf8.count <= maximumSecretAccessKeyLength else {
            return "a secret access key is at most \(maximumSecretAccessKeyLength) bytes"
        }
        guard !secretAccessKey.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            return "a secret access key cannot contain control characters"
        }
        return nil
    }

    /// Why `accountID` cannot be an AWS account id, or nil when it is one (12 digits).
    public static func problem(accountID: String) -> String? {
        let isTwelveDigits = accountID.utf8.count == 12
            && accountID.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        return isTwelveDigits ? nil : "\"\(accountID)\" is not an AWS account id (12 digits)"
    }

    /// Why `name` cannot name an IAM user, group or policy: IAM's names are 1 to
    /// `maximumLength` characters of letters, digits and `+=,.@_-`.
    static func problem(iamName name: String, kind: String, maximumLength: Int) -> String? {
        let valid = !name.isEmpty && name.utf8.count <= maximumLength && name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "+"), UInt8(ascii: "="), UInt8(ascii: ","), UInt8(ascii: "."), UInt8(ascii: "@"),
                UInt8(ascii: "_"), UInt8(ascii: "-"):
                true
            default:
                false
            }
        }
        guard valid else {
            return "\"\(name)\" is not a valid \(kind) name (1 to \(maximumLength) letters, digits and +=,.@_-)"
        }
        return nil
    }

    /// Checks that the root user's final access key id (after `--access-key` or
    /// `S3EMU_ACCESS_KEY`, or the default `test`) is no user's key.
    ///
    /// - Parameters:
    ///   - rootAccessKeyId: the root user's access key id the emulator will use.
    ///   - source: where it came from, for the message (`--access-key`, `the default`).
    ///   - file: the file name for the error.
    public func checkRootAccessKeyId(_ rootAccessKeyId: String, source: String, file: String) throws(ConfigurationFileError) {
        for (userIndex, user) in users.enumerated() {
            for (keyIndex, key) in user.accessKeys.enumerated() where key.accessKeyId == rootAccessKeyId {
                throw ConfigurationFileError(
                    file: file, path: "users[\(userIndex)].accessKeys[\(keyIndex)].accessKeyId",
                    message: "\"\(rootAccessKeyId)\" is also the root user's access key (\(source)); access key ids must be unique"
                )
            }
        }
    }
}
