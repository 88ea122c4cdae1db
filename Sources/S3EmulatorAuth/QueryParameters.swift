import S3EmulatorCore

/// The parameters of a raw query string, for finding the authentication parameters in it.
/// Names match without regard to letter case where S3 does so (`X-Amz-*`).
struct QueryParameters {
    struct Parameter {
        /// The decoded name.
        var name: String
        /// The decoded name, lowercased.
        var lowercasedName: String
        /// The value as sent (still encoded); nil for a parameter without `=`.
        var rawValue: Substring?
    }

    private(set) var parameters: [Parameter] = []

    init(_ rawQuery: String?) {
        guard let rawQuery, !rawQuery.isEmpty else { return }
        var parameters: [Parameter] = []
        parameters.reserveCapacity(8)
        URIEncoding.forEachQueryPart(rawQuery) { rawName, rawValue in
            let name = AuthBytes.percentDecoded(rawName, plusIsSpace: true)
            parameters.append(Parameter(name: name, lowercasedName: Self.lowercased(name), rawValue: rawValue))
            return true
        }
        self.parameters = parameters
    }

    /// `name.lowercased()`, without a new string when there is nothing to lower.
    private static func lowercased(_ name: String) -> String {
        name.utf8.contains { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || $0 >= 0x80 } ? name.lowercased() : name
    }

    /// Whether a parameter is named `lowercasedName` in any letter case.
    func contains(_ lowercasedName: String) -> Bool {
        parameters.contains { $0.lowercasedName == lowercasedName }
    }

    /// Whether a parameter is named exactly `name`.
    func containsExactly(_ name: String) -> Bool {
        parameters.contains { $0.name == name }
    }

    /// The decoded value of the first parameter named `lowercasedName` in any letter case
    /// (`+` decodes to a space); "" for a parameter without `=`.
    func first(_ lowercasedName: String) -> String? {
        guard let parameter = parameters.first(where: { $0.lowercasedName == lowercasedName }) else { return nil }
        return AuthBytes.percentDecoded(parameter.rawValue ?? "", plusIsSpace: true)
    }

    /// The value of the first parameter named exactly `name`, with `%XX` decoded and `+` kept.
    func firstExactly(_ name: String) -> String? {
        guard let parameter = parameters.first(where: { $0.name == name }) else { return nil }
        return AuthBytes.percentDecoded(parameter.rawValue ?? "", plusIsSpace: false)
    }
}
