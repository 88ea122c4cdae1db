extension StringProtocol {
    /// Whether the text is ASCII without a capital letter, so lowercasing leaves it as it is.
    /// Text outside ASCII counts as not lowercase (its case is Unicode's to judge).
    @inlinable
    public var isLowercaseASCII: Bool {
        func isLowercase(_ bytes: some Sequence<UInt8>) -> Bool {
            !bytes.contains { ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) || $0 >= 0x80 }
        }
        return utf8.withContiguousStorageIfAvailable(isLowercase) ?? isLowercase(utf8)
    }
}

extension String {
    /// `lowercased()`, or the string itself, without a copy, when it is lowercase ASCII already
    /// (header names, condition keys and host names usually are).
    @inlinable
    public func lowercasedIfNeeded() -> String {
        isLowercaseASCII ? self : lowercased()
    }
}
