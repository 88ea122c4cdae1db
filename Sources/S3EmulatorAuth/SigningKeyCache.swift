import Synchronization

/// Signing keys by (secret, date, region, service), so a request costs one HMAC for its
/// signature instead of five. Bounded: when full, the cache starts over (keys of one day
/// are all that a steady client needs).
final class SigningKeyCache: Sendable {
    private struct Key: Hashable {
        var secret: String
        var date: String
        var region: String
        var service: String
    }

    private let keys = Mutex<[Key: [UInt8]]>([:])
    private let capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = max(1, capacity)
    }

    func signingKey(secret: String, date: String, region: String, service: String) -> [UInt8] {
        let key = Key(secret: secret, date: date, region: region, service: service)
        if let cached = keys.withLock({ $0[key] }) {
            return cached
        }
        let derived = SigV4.signingKey(secret: secret, date: date, region: region, service: service)
        keys.withLock { keys in
            if keys.count >= capacity {
                keys.removeAll(keepingCapacity: true)
            }
            keys[key] = derived
        }
        return derived
    }

    /// The number of keys held (for tests).
    var count: Int { keys.withLock { $0.count } }
}
