/// An IPv4 or IPv6 address block in CIDR notation (`192.0.2.0/24`, `2001:db8::/32`), or one
/// address (a block of one), as `IpAddress` and `NotIpAddress` conditions hold them.
///
/// Parsed once when the policy is stored; ``contains(_:)`` is two masked comparisons.
struct IPAddressRange: Sendable, Hashable, CustomStringConvertible {
    /// An address as 128 bits; IPv4 addresses use the low 32 bits of `low` with `isV4` set.
    struct Address: Sendable, Hashable {
        var high: UInt64
        var low: UInt64
        var isV4: Bool
    }

    let network: Address
    let prefixLength: Int
    /// The block as written.
    let text: String

    var description: String { text }

    var isV4: Bool { network.isV4 }

    /// Parses `a.b.c.d[/n]` or an IPv6 address `[/n]`; nil when it is neither. An IPv4-mapped
    /// IPv6 address (`::ffff:192.0.2.1`) reads as its IPv4 address.
    init?(_ text: String) {
        self.text = text
        let pieces = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = pieces.first, let address = Self.address(first) else { return nil }
        let maximum = address.isV4 ? 32 : 128
        var prefix = maximum
        if pieces.count == 2 {
            let digits = pieces[1]
            guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                let value = Int(digits), value <= maximum
            else { return nil }
            prefix = value
        }
        prefixLength = prefix
        network = Self.masked(address, prefix: prefix)
    }

    /// Whether `address` (text, as in `aws:SourceIp`) lies in this block; false for text that
    /// is not an address, or an address of the other family.
    func contains(_ candidate: String) -> Bool {
        guard let address = Self.address(Substring(candidate)) else { return false }
        return contains(address)
    }

    func contains(_ address: Address) -> Bool {
        guard address.isV4 == network.isV4 else { return false }
        return Self.masked(address, prefix: prefixLength) == network
    }

    private static func masked(_ address: Address, prefix: Int) -> Address {
        if address.isV4 {
            let mask: UInt64 = prefix == 0 ? 0 : (UInt64(0xFFFF_FFFF) << UInt64(32 - prefix)) & 0xFFFF_FFFF
            return Address(high: 0, low: address.low & mask, isV4: true)
        }
        let highMask: UInt64 = prefix >= 64 ? .max : (prefix == 0 ? 0 : UInt64.max << UInt64(64 - prefix))
        let lowBits = prefix - 64
        let lowMask: UInt64 = lowBits <= 0 ? 0 : (lowBits >= 64 ? .max : UInt64.max << UInt64(64 - lowBits))
        return Address(high: address.high & highMask, low: address.low & lowMask, isV4: false)
    }

    /// Parses one address, IPv4 dotted quad or IPv6.
    static func address(_ text: Substring) -> Address? {
        if text.utf8.contains(UInt8(ascii: ":")) { return ipv6(text) }
        guard let value = ipv4(text) else { return nil }
        return Address(high: 0, low: UInt64(value), isV4: true)
    }

    /// A dotted quad: four decimal octets of one to three digits, each at most 255.
    private static func ipv4(_ text: Substring) -> UInt32? {
        var value: UInt32 = 0
        var octet: UInt32 = 0
        var digits = 0
        var octets = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, octets < 3 else { return nil }
                value = value << 8 | octet
                octets += 1
                octet = 0
                digits = 0
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                digits += 1
                guard digits <= 3 else { return nil }
                octet = octet * 10 + UInt32(byte - UInt8(ascii: "0"))
                guard octet <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, octets == 3 else { return nil }
        return value << 8 | octet
    }

    private static func ipv6(_ text: Substring) -> Address? {
        var text = text
        // A zone (fe80::1%eth0) names an interface, not part of the address.
        if let percent = text.firstIndex(of: "%") { text = text[text.startIndex..<percent] }
        var groups: [UInt16] = []
        let halves = text.split(separator: "::", maxSplits: 2, omittingEmptySubsequences: false)
        guard halves.count <= 2 else { return nil }
        func readGroups(_ part: Substring, allowV4Tail: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if allowV4Tail, index == pieces.count - 1, piece.contains(".") {
                    guard let v4 = ipv4(piece) else { return nil }
                    result.append(UInt16(v4 >> 16))
                    result.append(UInt16(v4 & 0xFFFF))
                    continue
                }
                guard !piece.isEmpty, piece.count <= 4, let value = UInt16(piece, radix: 16) else { return nil }
                result.append(value)
            }
            return result
        }
        if halves.count == 2 {
            guard let head = readGroups(halves[0], allowV4Tail: false),
                let tail = readGroups(halves[1], allowV4Tail: true), head.count + tail.count <= 7
            else { return nil }
            groups = head
            groups += [UInt16](repeating: 0, count: 8 - head.count - tail.count)
            groups += tail
        } else {
            guard let all = readGroups(text, allowV4Tail: true), all.count == 8 else { return nil }
            groups = all
        }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<4 { high = high << 16 | UInt64(groups[index]) }
        for index in 4..<8 { low = low << 16 | UInt64(groups[index]) }
        // ::ffff:a.b.c.d is an IPv4 address.
        if high == 0, low >> 32 == 0xFFFF {
            return Address(high: 0, low: low & 0xFFFF_FFFF, isV4: true)
        }
        return Address(high: high, low: low, isV4: false)
    }
}
