extension AccessKey {
    private static let idAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    private static let secretAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    /// A fresh key pair shaped like AWS's: `AKIA` and 16 characters, a 40-character secret.
    static func generated() -> AccessKey {
        var generator = SystemRandomNumberGenerator()
        let id = "AKIA" + String((0..<16).map { _ in idAlphabet.randomElement(using: &generator) ?? "A" })
        let secret = String((0..<40).map { _ in secretAlphabet.randomElement(using: &generator) ?? "a" })
        return AccessKey(accessKeyId: id, secretAccessKey: secret)
    }
}
