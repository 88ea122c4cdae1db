import Crypto

/// The owner of every bucket and object: the emulated account.
struct Owner: Sendable {
    let accountID: String
    /// The account's canonical user id (64 hex characters), stable for an account id.
    let canonicalID: String

    init(accountID: String) {
        self.accountID = accountID
        let digest = SHA256.hash(data: Array("s3emu-canonical-user:\(accountID)".utf8))
        self.canonicalID = digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
