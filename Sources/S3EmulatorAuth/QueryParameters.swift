import S3EmulatorCore

/// The parameters of a raw query string, for finding the authentication parameters in it.
/// Names match without regard to letter case where S3 does so (`X-Amz-*`).
struct QueryParameters {
    struct Parameter {
        /// The decoded name (`+` as a space; the name as sent when it does not decode).
        var name: Substring
        /// The value as sent (still encoded); nil for a parameter without `=`.
        var rawValue: Substring?

        /// The decoded name, lowercased.
        var lowercasedName: String {
            QueryParameters.isASCIILowercase(name) ? String(name) : name.lowercased()
        }
    }

    private(set) var parameters: [Parameter] = []

    init(_ rawQuery: String?) {
        guard let rawQuery, !rawQuery.isEmpty else { return }
        var parameters: [Parameter] = []
        parameters.reserveCapacity(8)
        URIEncoding.forEachQueryPart(rawQuery) { rawName, rawValue in
            let name = Self.needsDecoding(rawName) ? Substring(AuthBytes.percentDecoded(rawName, plusIsSpace: true)) : rawName
            parameters.append(Parameter(name: name, rawValue: rawValue))
            return true
        }
        self.parameters = parameters
    }

    /// Whether a parameter is named `lowercasedName` in any letter case.
    func contains(_ lowercasedName: String) -> Bool {
        parameters.contains { Self.name($0.name, equalsLowercased: lowercasedName) }
    }

    /// Whether a parameter is named exactly `name`.
    func containsExactly(_ name: String) -> Bool {
        parameters.contains { $0.name == name }
    }

    /// The decoded value of the first parameter named `lowercasedName` in any letter case
    /// (`+` decodes to a space); "" for a parameter without `=`.
    func first(_ lowercasedName: String) -> String? {
        guard let parameter = parameters.first(where: { Self.name($0.name, equalsLowercased: lowercasedName) }) else { return nil }
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

    /// Whether `name` has no uppercase ASCII letter and no byte outside ASCII.
    fileprivate static func isASCIILowercase(_ name: Substring) -> Bool {
        !name.utf8.contains { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || $0 >= 0x80 }
    }

    /// `name.lowercased() == lowercased`, without lowercasing an ASCII name into a new string.
    private static func name(_ name: Substring, equalsLowercased lowercased: String) -> Bool {
        let answer = name.utf8.withContiguousStorageIfAvailable { nameBytes -> Bool? in
            URIEncoding.withUTF8(lowercased) { expected -> Bool? in
                guard nameBytes.count == expected.count else {
                    // Unicode lowercasing can change lengths (the Kelvin sign lowercases to "k").
                    return nameBytes.contains { $0 >= 0x80 } ? nil : false
                }
                for index in 0..<nameBytes.count {
                    var byte = nameBytes[index]
                    if byte >= 0x80 { return nil }
                    if byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") { byte += 32 }
                    if byte != expected[index] {
                        return nameBytes[index...].contains { $0 >= 0x80 } ? nil : false
                    }
                }
                return true
            }
        }
        if let answer, let answer { return answer }
        return name.lowercased() == lowercased
    }
}
