import S3EmulatorCore

/// The parameters of a raw query string, for finding the authentication parameters in it.
/// Names match without regard to letter case where S3 does so (`X-Amz-*`).
struct QueryParameters {
    struct Parameter {
        /// The decoded name (`+` as a space; the name as sent when it does not decode).
        var name: Substring
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
            let name = Self.needsDecoding(rawName) ? Substring(AuthBytes.percentDecoded(rawName, plusIsSpace: true)) : rawName
            parameters.append(Parameter(name: name, lowercasedName: Self.lowercased(name), rawValue: rawValue))
            return true
        }
        self.parameters = parameters
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

    // MARK: - Names

    private static func needsDecoding(_ rawName: Substring) -> Bool {
        rawName.utf8.contains { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }
    }

    /// `name.lowercased()`: an ASCII name is lowered byte by byte into one new string; any
    /// other goes through Unicode lowercasing (which can reach ASCII: the Kelvin sign is "k").
    private static func lowercased(_ name: Substring) -> String {
        var name = name
        return name.withUTF8 { bytes in
            guard !bytes.contains(where: { $0 >= 0x80 }) else { return String(decoding: bytes, as: UTF8.self).lowercased() }
            return String(unsafeUninitializedCapacity: bytes.count) { out in
                for (index, byte) in bytes.enumerated() {
                    out[index] = AuthBytes.asciiLowercased(byte)
                }
                return bytes.count
            }
        }
    }
}
