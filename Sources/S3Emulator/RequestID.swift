import Synchronization

/// The `x-amz-request-id` and `x-amz-id-2` pair every response carries.
///
/// Both look like S3's (16 uppercase hex digits; 56 base64 characters and `=`). They are drawn
/// from a SplitMix64 sequence seeded once per process from the system generator: a request id
/// is a bijective mix of a per-process counter, so no two requests of a process share one, and
/// making a pair costs no system call (the system generator costs one `getrandom` per draw).
struct RequestID {
    let requestID: String
    let hostID: String

    /// The process's random starting point.
    private static let seed: UInt64 = {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }()
    private static let counter = Atomic<UInt64>(0)
    private static let golden: UInt64 = 0x9E37_79B9_7F4A_7C15

    static func make() -> RequestID {
        let sequence = counter.wrappingAdd(1, ordering: .relaxed).newValue
        var state = seed &+ sequence &* 0x2545_F491_4F6C_DD1D
        let id = mix(state)
        let requestID = String(unsafeUninitializedCapacity: 16) { buffer in
            var value = id
            for index in stride(from: 15, through: 0, by: -1) {
                let digit = UInt8(truncatingIfNeeded: value & 0xF)
                buffer[index] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "A") + digit - 10
                value >>= 4
            }
            return 16
        }
        let hostID = String(unsafeUninitializedCapacity: 57) { buffer in
            // 56 characters of 6 bits: 10 per 64-bit draw (60 bits used).
            var written = 0
            while written < 56 {
                state &+= golden
                var word = mix(state)
                var taken = 0
                while taken < 10, written < 56 {
                    buffer[written] = base64Character(UInt8(truncatingIfNeeded: word & 63))
                    word >>= 6
                    taken += 1
                    written += 1
                }
            }
            buffer[56] = UInt8(ascii: "=")
            return 57
        }
        return RequestID(requestID: requestID, hostID: hostID)
    }

    /// SplitMix64's output function: a bijection on 64-bit words.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The base64 character of a 6-bit value (a table: 56 of them per response).
    private static func base64Character(_ value: UInt8) -> UInt8 {
        base64Alphabet.utf8Start[Int(value & 63)]
    }

    private static let base64Alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
}
