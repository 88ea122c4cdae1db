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
        for part in rawQuery.split(separator: "&", omittingEmptySubsequences: true) {
            let equals = part.firstIndex(of: "=")
            let name = AuthBytes.percentDecoded(part[..<(equals ?? part.endIndex)], plusIsSpace: true)
            parameters.append(
                Parameter(
                    name: name, lowercasedName: name.lowercased(),
                    rawValue: equals.map { part[part.index(after: $0)...] }))
        }
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
