import Foundation
import S3EmulatorAccess
import S3EmulatorCore

/// An S3 access control list: grants of READ, WRITE, READ_ACP, WRITE_ACP or FULL_CONTROL to
/// canonical users or to the predefined groups, as set by a canned ACL (`x-amz-acl`), the
/// `x-amz-grant-*` headers or an `AccessControlPolicy` document.
///
/// Stored as text: the canned ACL's name when the grants are exactly a canned ACL's, otherwise
/// one `PERMISSION TYPE VALUE` line per grant after a `grants` line.
struct AccessControlList: Sendable, Equatable {
    enum Permission: String, Sendable, CaseIterable {
        case read = "READ", write = "WRITE", readACP = "READ_ACP", writeACP = "WRITE_ACP", fullControl = "FULL_CONTROL"

        /// The `x-amz-grant-*` header that grants this permission (looked up for every PUT: a
        /// literal, not built from the raw value).
        var headerName: String {
            switch self {
            case .read: "x-amz-grant-read"
            case .write: "x-amz-grant-write"
            case .readACP: "x-amz-grant-read-acp"
            case .writeACP: "x-amz-grant-write-acp"
            case .fullControl: "x-amz-grant-full-control"
            }
        }
    }

    enum Grantee: Sendable, Hashable {
        case canonicalUser(String)
        case group(String)
    }

    struct Grant: Sendable, Hashable {
        var grantee: Grantee
        var permission: Permission
    }

    static let allUsers = "http://acs.amazonaws.com/groups/global/AllUsers"
    static let authenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
    static let logDelivery = "http://acs.amazonaws.com/groups/s3/LogDelivery"
    static let groups: Set<String> = [allUsers, authenticatedUsers, logDelivery]

    static let cannedNames = [
        "private", "public-read", "public-read-write", "authenticated-read", "aws-exec-read",
        "bucket-owner-read", "bucket-owner-full-control", "log-delivery-write",
    ]

    /// The grants besides the owner's FULL_CONTROL, which every ACL here has.
    private(set) var grants: [Grant]

    init(grants: [Grant]) {
        self.grants = grants
    }

    /// A canned ACL; nil for a name S3 does not know. In one account, the bucket owner is the owner.
    init?(canned name: String) {
        switch name {
        case "private", "bucket-owner-read", "bucket-owner-full-control", "aws-exec-read":
            grants = []
        case "public-read":
            grants = [Grant(grantee: .group(Self.allUsers), permission: .read)]
        case "public-read-write":
            grants = [Grant(grantee: .group(Self.allUsers), permission: .read), Grant(grantee: .group(Self.allUsers), permission: .write)]
        case "authenticated-read":
            grants = [Grant(grantee: .group(Self.authenticatedUsers), permission: .read)]
        case "log-delivery-write":
            grants = [Grant(grantee: .group(Self.logDelivery), permission: .write), Grant(grantee: .group(Self.logDelivery), permission: .readACP)]
        default:
            return nil
        }
    }

    /// The stored form read back; nil (and a stored `nil`) mean private.
    init(stored: String?) {
        guard let stored else {
            self.grants = []
            return
        }
        if let canned = AccessControlList(canned: stored) {
            self = canned
            return
        }
        var grants: [Grant] = []
        for line in stored.split(separator: "\n").dropFirst() {
            let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
            guard parts.count == 3, let permission = Permission(rawValue: parts[0]) else { continue }
            grants.append(Grant(grantee: parts[1] == "group" ? .group(parts[2]) : .canonicalUser(parts[2]), permission: permission))
        }
        self.grants = grants
    }

    /// The text to store; nil for private.
    var stored: String? {
        guard !grants.isEmpty else { return nil }
        for name in ["public-read", "public-read-write", "authenticated-read", "log-delivery-write"] {
            if let canned = AccessControlList(canned: name), Set(canned.grants) == Set(grants) { return name }
        }
        var lines = ["grants"]
        for grant in grants {
            switch grant.grantee {
            case .group(let uri): lines.append("\(grant.permission.rawValue) group \(uri)")
            case .canonicalUser(let id): lines.append("\(grant.permission.rawValue) user \(id)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// True when the ACL grants anything to `AllUsers` or `AuthenticatedUsers` (what Block
    /// Public Access calls a public ACL).
    var isPublic: Bool {
        grants.contains { $0.grantee == .group(Self.allUsers) || $0.grantee == .group(Self.authenticatedUsers) }
    }

    /// Whether the ACL grants `permission` to the public groups a request belongs to.
    func grant(_ permission: Permission, authenticated: Bool) -> ACLGrant {
        let granted = grants.contains { grant in
            guard grant.permission == permission || grant.permission == .fullControl else { return false }
            return grant.grantee == .group(Self.allUsers) || (authenticated && grant.grantee == .group(Self.authenticatedUsers))
        }
        return granted ? .granted(viaPublicGroup: true) : .none
    }

    /// The grants of the `x-amz-grant-*` headers (`uri="…"`, `id="…"`, comma-separated), or nil
    /// when there are none.
    static func fromGrantHeaders(_ headers: S3Headers, ownerID: String) throws(S3Error) -> AccessControlList? {
        var grants: [Grant] = []
        var any = false
        for permission in Permission.allCases {
            guard let value = headers[permission.headerName] else { continue }
            any = true
            for item in value.split(separator: ",") {
                let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2 else { throw S3Error(.invalidArgument, details: [("ArgumentName", permission.headerName), ("ArgumentValue", value)]) }
                let grantee = try Self.grantee(type: pair[0].lowercased(), value: pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")), ownerID: ownerID)
                if let grantee { grants.append(Grant(grantee: grantee, permission: permission)) }
            }
        }
        return any ? AccessControlList(grants: grants) : nil
    }

    /// The grants of an `AccessControlPolicy` document.
    static func fromXML(_ root: XMLNode, ownerID: String) throws(S3Error) -> AccessControlList {
        guard root.name == "AccessControlPolicy", let list = root.child("AccessControlList") else { throw S3Error(.malformedACLError) }
        if let owner = root.child("Owner")?.childText("ID"), owner != ownerID {
            throw S3Error(.accessDenied)
        }
        var grants: [Grant] = []
        for node in list.children(named: "Grant") {
            guard let granteeNode = node.child("Grantee"), let permissionText = node.childText("Permission"),
                  let permission = Permission(rawValue: permissionText)
            else { throw S3Error(.malformedACLError) }
            let grantee: Grantee?
            if let uri = granteeNode.childText("URI") {
                grantee = try Self.grantee(type: "uri", value: uri, ownerID: ownerID)
            } else if let id = granteeNode.childText("ID") {
                grantee = try Self.grantee(type: "id", value: id, ownerID: ownerID)
            } else if let email = granteeNode.childText("EmailAddress") {
                grantee = try Self.grantee(type: "emailaddress", value: email, ownerID: ownerID)
            } else {
                throw S3Error(.malformedACLError)
            }
            if let grantee { grants.append(Grant(grantee: grantee, permission: permission)) }
        }
        return AccessControlList(grants: grants)
    }

    /// A grantee; nil for the owner, whose FULL_CONTROL is implicit.
    private static func grantee(type: String, value: String, ownerID: String) throws(S3Error) -> Grantee? {
        switch type {
        case "uri":
            guard groups.contains(value) else {
                throw S3Error(.invalidArgument, message: "Invalid group uri", details: [("ArgumentName", "uri"), ("ArgumentValue", value)])
            }
            return .group(value)
        case "id":
            guard value.utf8.count == 64, value.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
                throw S3Error(.invalidArgument, message: "Invalid id", details: [("ArgumentName", "CanonicalUser/ID"), ("ArgumentValue", value)])
            }
            return value == ownerID ? nil : .canonicalUser(value)
        case "emailaddress":
            throw S3Error(.unresolvableGrantByEmailAddress, details: [("EmailAddressGrantee", value)])
        default:
            throw S3Error(.invalidArgument, details: [("ArgumentName", "x-amz-grant"), ("ArgumentValue", type)])
        }
    }

    /// The `AccessControlPolicy` document: the owner's FULL_CONTROL, then the grants.
    func xml(ownerID: String) -> String {
        var xml = XMLWriter()
        xml.declaration()
        xml.open("AccessControlPolicy", namespace: XMLWriter.s3Namespace)
        xml.open("Owner")
        xml.element("ID", ownerID)
        xml.close("Owner")
        xml.open("AccessControlList")
        for grant in [Grant(grantee: .canonicalUser(ownerID), permission: .fullControl)] + grants {
            xml.open("Grant")
            switch grant.grantee {
            case .canonicalUser(let id):
                xml.open("Grantee", attributes: [("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"), ("xsi:type", "CanonicalUser")])
                xml.element("ID", id)
            case .group(let uri):
                xml.open("Grantee", attributes: [("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"), ("xsi:type", "Group")])
                xml.element("URI", uri)
            }
            xml.close("Grantee")
            xml.element("Permission", grant.permission.rawValue)
            xml.close("Grant")
        }
        xml.close("AccessControlList")
        xml.close("AccessControlPolicy")
        return xml.text
    }
}
