import Crypto
import Synchronization

/// A SigV4 signing key, with HMAC-SHA256's two hash states already keyed by it (RFC 2104): a
/// signature then costs the message's hashing alone, not the key's two blocks as well.
///
/// The states are SHA-256 hashers, not swift-crypto's `HMAC`: `HMAC.update(data:)` is generic
/// and reached this module unspecialized, which cost a presigned GET more than the hashing.
///
/// `@unchecked Sendable`: `inner` and `outer` are never mutated; each signature works on
/// copies, and swift-crypto's hash state is copy-on-write (a shared state is copied before an
/// update).
struct SigningKey: @unchecked Sendable, Equatable {
    let bytes: [UInt8]
    /// SHA-256 after `(key ⊕ ipad)`, and after `(key ⊕ opad)`.
    private let inner: SHA256
    private let outer: SHA256

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        // The key as one block: hashed first when longer, padded with zeros.
        var block = bytes.count > SHA256.blockByteCount ? Array(SHA256.hash(data: bytes)) : bytes
        block += repeatElement(0, count: SHA256.blockByteCount - block.count)
        var inner = SHA256()
        inner.update(data: block.map { $0 ^ 0x36 })
        var outer = SHA256()
        outer.update(data: block.map { $0 ^ 0x5C })
        self.inner = inner
        self.outer = outer
    }

    /// The lowercase hex HMAC-SHA256 of `message` under this key.
    func hexSignature(of message: String) -> String {
        var message = message
        return message.withUTF8 { hexSignature(of: UnsafeRawBufferPointer($0)) }
    }

    /// The lowercase hex HMAC-SHA256 of `message`'s bytes under this key.
    func hexSignature(of message: UnsafeRawBufferPointer) -> String {
        var inner = self.inner
        inner.update(bufferPointer: message)
        var outer = self.outer
        inner.finalize().withUnsafeBytes { outer.update(bufferPointer: $0) }
        return AuthBytes.hex(outer.finalize())
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
