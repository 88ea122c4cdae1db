import Crypto
import Synchronization

/// A SigV4 signing key, with an HMAC already keyed by it: a signature then costs the message's
/// hashing alone, not the key's two blocks as well.
///
/// `@unchecked Sendable`: `keyed` is never mutated; each signature works on a copy, and
/// swift-crypto's hash state is copy-on-write (a shared state is copied before an update).
struct SigningKey: @unchecked Sendable, Equatable {
    let bytes: [UInt8]
    private let keyed: HMAC<SHA256>

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.keyed = HMAC<SHA256>(key: SymmetricKey(data: bytes))
    }

    /// The lowercase hex HMAC-SHA256 of `message` under this key.
    func hexSignature(of message: String) -> String {
        var message = message
        return message.withUTF8 { hexSignature(of: UnsafeRawBufferPointer($0)) }
    }

    /// The lowercase hex HMAC-SHA256 of `message`'s bytes under this key.
    func hexSignature(of message: UnsafeRawBufferPointer) -> String {
        var mac = keyed
        mac.update(data: message)
        return AuthBytes.hex(mac.finalize())
    }

    static func == (lhs: SigningKey, rhs: SigningKey) -> Bool {
        lhs.bytes == rhs.bytes
    }
}

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

    private let keys = Mutex<[Key: SigningKey]>([:])
    private let capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = max(1, capacity)
    }

    func signingKey(secret: String, date: String, region: String, service: String) -> SigningKey {
        let key = Key(secret: secret, date: date, region: region, service: service)
        if let cached = keys.withLock({ $0[key] }) {
            return cached
        }
        let derived = SigningKey(SigV4.signingKey(secret: secret, date: date, region: region, service: service))
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
