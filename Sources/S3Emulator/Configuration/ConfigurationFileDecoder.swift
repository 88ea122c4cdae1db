import S3EmulatorAccess
import S3EmulatorCore
import S3EmulatorStorage
import Synchronization

/// Turns the JSON of a configuration file into a ``ConfigurationFile``, checking every rule
/// on the way and stopping at the first fault with its JSON path.
struct ConfigurationFileDecoder {
    /// A fault at `path`.
    struct Failure: Error {
        var path: String
        var message: String
    }

    /// The whole file's bytes: policies are kept as the exact text of their JSON objects.
    let contents: [UInt8]

    static let objectOwnerships = ["BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"]
    static let corsMethods = ["GET", "PUT", "POST", "DELETE", "HEAD"]
    /// S3 refuses a CORS configuration of more than 100 rules.
    static let maximumCORSRules = 100
    /// S3 refuses a bucket policy larger than 20 KB.
    static let maximumBucketPolicySize = 20 * 1024

    func decode(_ json: ConfigurationFileJSON) throws(Failure) -> ConfigurationFile {
        let top = try Fields(
            json, path: "", allowed: ["accountId", "rootCredentials", "publicAccessBlock", "groups", "users", "buckets"]
        )
        var file = ConfigurationFile()
        if let value = top["accountId"] {
            file.accountID = try accountID(value, path: top.path("accountId"))
        }
        if let value = top["rootCredentials"] {
            file.rootCredentials = try accessKey(value, path: top.path("rootCredentials"))
        }
        if let value = top["publicAccessBlock"] {
            file.publicAccessBlock = try publicAccessBlock(value, path: top.path("publicAccessBlock"))
        }
        if let value = top["groups"] {
            file.groups = try groups(value, path: top.path("groups"))
        }
        if let value = top["users"] {
            file.users = try users(value, path: top.path("users"), groups: file.groups, root: file.rootCredentials)
        }
        if let value = top["buckets"] {
            file.buckets = try buckets(
                value, path: top.path("buckets"), accountID: file.accountID ?? EmulatorConfiguration().accountID,
                users: file.users, accountPublicAccessBlock: file.publicAccessBlock
            )
        }
        return file
    }

    // MARK: - Account

    private func accountID(_ json: ConfigurationFileJSON, path: String) throws(Failure) -> String {
        let text = try string(json, path: path)
        if let problem = ConfigurationFile.problem(accountID: text) {
            throw Failure(path: path, message: problem)
        }
        return text
    }

    private func accessKey(_ json: ConfigurationFileJSON, path: String) throws(Failure) -> AccessKey {
        let fields = try Fields(json, path: path, allowed: ["accessKeyId", "secretAccessKey"])
        let id = try string(fields.required("accessKeyId"), path: fields.path("accessKeyId"))
        if let problem = ConfigurationFile.problem(accessKeyId: id) {
            throw Failure(path: fields.path("accessKeyId"), message: problem)
        }
        let secret = try string(fields.required("secretAccessKey"), path: fields.path("secretAccessKey"))
        if let problem = ConfigurationFile.problem(secretAccessKey: secret) {
            throw Failure(path: fields.path("secretAccessKey"), message: problem)
        }
        return AccessKey(accessKeyId: id, secretAccessKey: secret)
    }

    private func publicAccessBlock(_ json: ConfigurationFileJSON, path: String) throws(Failure) -> PublicAccessBlockSettings {
        let names = ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"]
        let fields = try Fields(json, path: path, allowed: names)
        var values: [Bool] = []
        for name in names {
            // As PutPublicAccessBlock: a setting left out is false.
            values.append(try fields[name].map { value throws(Failure) in try bool(value, path: fields.path(name)) } ?? false)
        }
        return PublicAccessBlockSettings(
            blockPublicAcls: values[0], ignorePublicAcls: values[1], blockPublicPolicy: values[2], restrictPublicBuckets: values[3]
        )
    }

    // MARK: - Groups and users

    private func groups(_ json: ConfigurationFileJSON, path: String) throws(Failure) -> [IAMGroup] {
        var groups: [IAMGroup] = []
        var seen: [String: String] = [:]
        for (index, element) in try array(json, path: path).enumerated() {
            let groupPath = ConfigurationFilePath.element(index, of: path)
            let fields = try Fields(element, path: groupPath, allowed: ["name", "policies"])
            let namePath = fields.path("name")
            let name = try string(fields.required("name"), path: namePath)
            if let problem = ConfigurationFile.problem(iamName: name, kind: "group", maximumLength: 128) {
                throw Failure(path: namePath, message: problem)
            }
            if let earlier = seen[name.lowercased()] {
                throw Failure(path: namePath, message: "the group \"\(name)\" is declared twice (first at \(earlier)); IAM names are unique regardless of case")
            }
            seen[name.lowercased()] = groupPath
            let policies = try fields["policies"].map { value throws(Failure) in
                try identityPolicies(value, path: fields.path("policies"))
            }
            groups.append(IAMGroup(name: name, policies: policies ?? [:]))
        }
        return groups
    }

    private func users(
        _ json: ConfigurationFileJSON, path: String, groups: [IAMGroup], root: AccessKey?
    ) throws(Failure) -> [IAMUser] {
        let groupNames = Set(groups.map(\.name))
        var users: [IAMUser] = []
        var seen: [String: String] = [:]
        var keyOwners: [String: String] = [:]
        if let root {
            keyOwners[root.accessKeyId] = "the root user's access key (rootCredentials.accessKeyId)"
        }
        for (index, element) in try array(json, path: path).enumerated() {
            let userPath = ConfigurationFilePath.element(index, of: path)
            let fields = try Fields(element, path: userPath, allowed: ["name", "groups", "accessKeys", "policies"])
            let namePath = fields.path("name")
            let name = try string(fields.required("name"), path: namePath)
            if let problem = ConfigurationFile.problem(iamName: name, kind: "user", maximumLength: 64) {
                throw Failure(path: namePath, message: problem)
            }
            if let earlier = seen[name.lowercased()] {
                throw Failure(path: namePath, message: "the user \"\(name)\" is declared twice (first at \(earlier)); IAM names are unique regardless of case")
            }
            seen[name.lowercased()] = userPath

            var memberOf: [String] = []
            if let value = fields["groups"] {
                let groupsPath = fields.path("groups")
                for (groupIndex, groupJSON) in try array(value, path: groupsPath).enumerated() {
                    let groupPath = ConfigurationFilePath.element(groupIndex, of: groupsPath)
                    let group = try string(groupJSON, path: groupPath)
                    guard groupNames.contains(group) else {
                        throw Failure(path: groupPath, message: "no group named \"\(group)\" is declared in groups")
                    }
                    guard !memberOf.contains(group) else {
                        throw Failure(path: groupPath, message: "the group \"\(group)\" is listed twice")
                    }
                    memberOf.append(group)
                }
            }

            var keys: [AccessKey] = []
            if let value = fields["accessKeys"] {
                let keysPath = fields.path("accessKeys")
                for (keyIndex, keyJSON) in try array(value, path: keysPath).enumerated() {
                    let keyPath = ConfigurationFilePath.element(keyIndex, of: keysPath)
                    let key = try accessKey(keyJSON, path: keyPath)
                    let idPath = ConfigurationFilePath.member("accessKeyId", of: keyPath)
                    if let owner = keyOwners[key.accessKeyId] {
                        throw Failure(path: idPath, message: "\"\(key.accessKeyId)\" is already \(owner); access key ids must be unique")
                    }
                    keyOwners[key.accessKeyId] = "the access key of user \"\(name)\" (\(idPath))"
                    keys.append(key)
                }
            }

            let policies = try fields["policies"].map { value throws(Failure) in
                try identityPolicies(value, path: fields.path("policies"))
            }
            users.append(IAMUser(name: name, accessKeys: keys, groups: memberOf, policies: policies ?? [:]))
        }
        return users
    }

    /// A `policies` object: policy name → identity-based policy document.
    private func identityPolicies(_ json: ConfigurationFileJSON, path: String) throws(Failure) -> [String: String] {
        guard case .object(let members) = json.value else {
            throw Failure(path: path, message: "expected an object of policy name → policy document, found \(json.kindName)")
        }
        var policies: [String: String] = [:]
        for (name, value) in members {
            let policyPath = ConfigurationFilePath.member(name, of: path)
            if let problem = ConfigurationFile.problem(iamName: name, kind: "policy", maximumLength: 128) {
                throw Failure(path: policyPath, message: problem)
            }
            guard policies[name] == nil else {
                throw Failure(path: policyPath, message: "the policy \"\(name)\" appears twice")
            }
            let text = try policyText(value, path: policyPath)
            do {
                _ = try PolicyDocument(parsing: text, kind: .identityPolicy)
            } catch {
                throw Failure(path: policyPath, message: "not a valid identity-based policy: \(Self.reason(error))")
            }
            policies[name] = text
        }
        return policies
    }

    // MARK: - Buckets

    private func buckets(
        _ json: ConfigurationFileJSON, path: String, accountID: String, users: [IAMUser],
        accountPublicAccessBlock: PublicAccessBlockSettings?
    ) throws(Failure) -> [BucketSeed] {
        let userARNs = Set(users.map { "arn:aws:iam::\(accountID):user/\($0.name)" })
        var seeds: [BucketSeed] = []
        var seen: [String: String] = [:]
        for (index, element) in try array(json, path: path).enumerated() {
            let bucketPath = ConfigurationFilePath.element(index, of: path)
            let fields = try Fields(
                element, path: bucketPath, allowed: ["name", "region", "publicAccessBlock", "objectOwnership", "policy", "cors", "versioning"]
            )
            let namePath = fields.path("name")
            let name = try string(fields.required("name"), path: namePath)
            guard BucketName.isValid(name) else {
                throw Failure(
                    path: namePath,
                    message: "\"\(name)\" is not a valid bucket name (3 to 63 lowercase letters, digits, '.' and '-', "
                        + "a letter or digit at both ends, no '..', not an IP address, no reserved prefix or suffix)"
                )
            }
            if let earlier = seen[name] {
                throw Failure(path: namePath, message: "the bucket \"\(name)\" is declared twice (first at \(earlier))")
            }
            seen[name] = bucketPath
            var seed = BucketSeed(name: name)

            if let value = fields["region"] {
                let regionPath = fields.path("region")
                let region = try string(value, path: regionPath)
                guard Self.isRegionName(region) else {
                    throw Failure(path: regionPath, message: "\"\(region)\" is not a region name (like us-east-1)")
                }
                seed.region = region
            }
            if let value = fields["publicAccessBlock"] {
                seed.publicAccessBlock = try publicAccessBlock(value, path: fields.path("publicAccessBlock"))
            }
            if let value = fields["objectOwnership"] {
                let ownershipPath = fields.path("objectOwnership")
                let ownership = try string(value, path: ownershipPath)
                guard Self.objectOwnerships.contains(ownership) else {
                    throw Failure(
                        path: ownershipPath,
                        message: "\"\(ownership)\" is not one of \(Self.objectOwnerships.joined(separator: ", "))"
                    )
                }
                seed.objectOwnership = ownership
            }
            if let value = fields["policy"] {
                seed.policy = try bucketPolicy(
                    value, path: fields.path("policy"), bucket: name, accountID: accountID, userARNs: userARNs,
                    publicAccessBlock: seed.publicAccessBlock, accountPublicAccessBlock: accountPublicAccessBlock
                )
            }
            if let value = fields["cors"] {
                seed.cors = try corsRules(value, path: fields.path("cors"))
            }
            if let value = fields["versioning"] {
                let versioningPath = fields.path("versioning")
                let status = try string(value, path: versioningPath)
                guard let versioning = BucketVersioning(rawValue: status) else {
                    throw Failure(path: versioningPath, message: "\"\(status)\" is not one of Enabled, Suspended")
                }
                seed.versioning = versioning
            }
            seeds.append(seed)
        }
        return seeds
    }

    private func bucketPolicy(
        _ json: ConfigurationFileJSON, path: String, bucket: String, accountID: String, userARNs: Set<String>,
        publicAccessBlock: PublicAccessBlockSettings?, accountPublicAccessBlock: PublicAccessBlockSettings?
    ) throws(Failure) -> String {
        let text = try policyText(json, path: path)
        guard text.utf8.count <= Self.maximumBucketPolicySize else {
            throw Failure(path: path, message: "the policy is larger than 20 KB, the most S3 accepts")
        }
        let rejected = RejectedPrincipal()
        let accountPrefix = "arn:aws:iam::\(accountID):"
        let document: PolicyDocument
        do {
            // Principals of this account must exist (S3 refuses "Invalid principal in policy");
            // other accounts' principals cannot be checked here and are accepted.
            document = try PolicyDocument(parsing: text, kind: .bucketPolicy(bucket: bucket)) { principal in
                guard principal.hasPrefix(accountPrefix), principal != accountPrefix + "root" else { return true }
                if userARNs.contains(principal) { return true }
                rejected.name.withLock { $0 = $0 ?? principal }
                return false
            }
        } catch {
            var message = "not a valid bucket policy: \(Self.reason(error))"
            if let principal = rejected.name.withLock({ $0 }) {
                message += " (\(principal) names no user declared in users)"
            }
            throw Failure(path: path, message: message)
        }
        if document.isPublic {
            if accountPublicAccessBlock?.blockPublicPolicy == true {
                throw Failure(
                    path: path,
                    message: "the policy is public, and the account's publicAccessBlock.BlockPublicPolicy refuses public policies"
                )
            }
            if (publicAccessBlock ?? .allBlocked).blockPublicPolicy {
                throw Failure(
                    path: path,
                    message: "the policy is public, and the bucket's Block Public Access refuses public policies "
                        + "(BlockPublicPolicy is true, the default for new buckets); set publicAccessBlock.BlockPublicPolicy to false"
                )
            }
        }
        return text
    }

    private func corsRules(_ json: ConfigurationFileJSON, path: String) throws(Failure) -> [CORSRuleSeed] {
        let elements = try array(json, path: path)
        guard !elements.isEmpty else {
            throw Failure(path: path, message: "a CORS configuration needs at least one rule (leave cors out for none)")
        }
        guard elements.count <= Self.maximumCORSRules else {
            throw Failure(path: path, message: "\(elements.count) CORS rules; S3 accepts at most \(Self.maximumCORSRules)")
        }
        var rules: [CORSRuleSeed] = []
        for (index, element) in elements.enumerated() {
            let rulePath = ConfigurationFilePath.element(index, of: path)
            let fields = try Fields(
                element, path: rulePath,
                allowed: ["ID", "AllowedOrigins", "AllowedMethods", "AllowedHeaders", "ExposeHeaders", "MaxAgeSeconds"]
            )
            var rule = CORSRuleSeed(allowedOrigins: [], allowedMethods: [])
            if let value = fields["ID"] {
                let id = try string(value, path: fields.path("ID"))
                guard id.count <= 255 else {
                    throw Failure(path: fields.path("ID"), message: "a CORS rule ID is at most 255 characters")
                }
                rule.id = id
            }
            rule.allowedOrigins = try strings(fields.required("AllowedOrigins"), path: fields.path("AllowedOrigins"), nonEmpty: true)
            for (originIndex, origin) in rule.allowedOrigins.enumerated() where origin.utf8.count(where: { $0 == UInt8(ascii: "*") }) > 1 {
                throw Failure(
                    path: ConfigurationFilePath.element(originIndex, of: fields.path("AllowedOrigins")),
                    message: "AllowedOrigin \"\(origin)\" can not have more than one wildcard."
                )
            }
            rule.allowedMethods = try strings(fields.required("AllowedMethods"), path: fields.path("AllowedMethods"), nonEmpty: true)
            for (methodIndex, method) in rule.allowedMethods.enumerated() where !Self.corsMethods.contains(method) {
                throw Failure(
                    path: ConfigurationFilePath.element(methodIndex, of: fields.path("AllowedMethods")),
                    message: "Found unsupported HTTP method in CORS config. Unsupported method is \(method) "
                        + "(allowed: \(Self.corsMethods.joined(separator: ", ")))"
                )
            }
            if let value = fields["AllowedHeaders"] {
                rule.allowedHeaders = try strings(value, path: fields.path("AllowedHeaders"), nonEmpty: false)
                for (headerIndex, header) in rule.allowedHeaders.enumerated() where header.utf8.count(where: { $0 == UInt8(ascii: "*") }) > 1 {
                    throw Failure(
                        path: ConfigurationFilePath.element(headerIndex, of: fields.path("AllowedHeaders")),
                        message: "AllowedHeader \"\(header)\" can not have more than one wildcard."
                    )
                }
            }
            if let value = fields["ExposeHeaders"] {
                rule.exposeHeaders = try strings(value, path: fields.path("ExposeHeaders"), nonEmpty: false)
            }
            if let value = fields["MaxAgeSeconds"] {
                let agePath = fields.path("MaxAgeSeconds")
                guard case .number(let text) = value.value, let seconds = Int32(text), seconds >= 0 else {
                    throw Failure(path: agePath, message: "expected a whole number of seconds from 0 to 2147483647, found \(Self.describe(value))")
                }
                rule.maxAgeSeconds = Int(seconds)
            }
            rules.append(rule)
        }
        return rules
    }

    // MARK: - Values

    /// The exact text of a policy object as written in the file.
    private func policyText(_ json: ConfigurationFileJSON, path: String) throws(Failure) -> String {
        guard case .object = json.value else {
            throw Failure(path: path, message: "expected a policy document as a JSON object, found \(json.kindName)")
        }
        return String(decoding: contents[json.range], as: UTF8.self)
    }

    private func string(_ json: ConfigurationFileJSON, path: String) throws(Failure) -> String {
        guard case .string(let text) = json.value else {
            throw Failure(path: path, message: "expected a string, found \(Self.describe(json))")
        }
        return text
    }

    private func bool(_ json: ConfigurationFileJSON, path: String) throws(Failure) -> Bool {
        guard case .bool(let value) = json.value else {
            throw Failure(path: path, message: "expected true or false, found \(Self.describe(json))")
        }
        return value
    }

    private func array(_ json: ConfigurationFileJSON, path: String) throws(Failure) -> [ConfigurationFileJSON] {
        guard case .array(let elements) = json.value else {
            throw Failure(path: path, message: "expected an array, found \(Self.describe(json))")
        }
        return elements
    }

    private func strings(_ json: ConfigurationFileJSON, path: String, nonEmpty: Bool) throws(Failure) -> [String] {
        let elements = try array(json, path: path)
        if nonEmpty && elements.isEmpty {
            throw Failure(path: path, message: "needs at least one value")
        }
        var values: [String] = []
        values.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            values.append(try string(element, path: ConfigurationFilePath.element(index, of: path)))
        }
        return values
    }

    /// A value for an error message: its kind, with scalars shown.
    static func describe(_ json: ConfigurationFileJSON) -> String {
        switch json.value {
        case .string(let text): "the string \"\(text)\""
        case .number(let text): "the number \(text)"
        case .bool(let value): value ? "true" : "false"
        default: json.kindName
        }
    }

    static func reason(_ error: any Error) -> String {
        (error as? S3Error)?.message ?? "\(error)"
    }

    /// Like `us-east-1`: lowercase letters, digits and `-`, starting with a letter.
    static func isRegionName(_ text: String) -> Bool {
        guard let first = text.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first), text.utf8.count <= 64 else {
            return false
        }
        return text.utf8.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || $0 == UInt8(ascii: "-")
        }
    }

    /// The first principal a bucket policy's validation refused; the policy parser's callback
    /// is `@Sendable`, so the note is kept behind a lock.
    private final class RejectedPrincipal: Sendable {
        let name = Mutex<String?>(nil)
    }
}

extension ConfigurationFileDecoder {
    /// The members of one JSON object, checked against the names it may have.
    struct Fields {
        let path: String
        private var members: [String: ConfigurationFileJSON] = [:]

        init(_ json: ConfigurationFileJSON, path: String, allowed: [String]) throws(Failure) {
            self.path = path
            guard case .object(let list) = json.value else {
                throw Failure(path: path, message: "expected an object, found \(ConfigurationFileDecoder.describe(json))")
            }
            for (name, value) in list {
                let memberPath = ConfigurationFilePath.member(name, of: path)
                guard allowed.contains(name) else {
                    var message = "unknown field"
                    if let intended = allowed.first(where: { $0.lowercased() == name.lowercased() }) {
                        message += "; did you mean \(intended)?"
                    } else {
                        message += " (expected " + Self.list(allowed) + ")"
                    }
                    throw Failure(path: memberPath, message: message)
                }
                guard members[name] == nil else {
                    throw Failure(path: memberPath, message: "the field appears twice")
                }
                members[name] = value
            }
        }

        subscript(name: String) -> ConfigurationFileJSON? { members[name] }

        func required(_ name: String) throws(Failure) -> ConfigurationFileJSON {
            guard let value = members[name] else {
                throw Failure(path: self.path(name), message: "missing (required)")
            }
            return value
        }

        func path(_ name: String) -> String {
            ConfigurationFilePath.member(name, of: path)
        }

        private static func list(_ names: [String]) -> String {
            guard names.count > 1, let last = names.last else { return names.first ?? "" }
            return names.dropLast().joined(separator: ", ") + " or " + last
        }
    }
}
