/// The `x-amz-request-id` and `x-amz-id-2` pair every response carries.
struct RequestID {
    let requestID: String
    let hostID: String

    static func make() -> RequestID {
        var generator = SystemRandomNumberGenerator()
        let id = generator.next() as UInt64
        let requestID = String(id, radix: 16, uppercase: true)
        let padded = String(repeating: "0", count: 16 - requestID.count) + requestID
        var host = [UInt8]()
        host.reserveCapacity(48)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for _ in 0..<56 {
            host.append(alphabet[Int(generator.next() as UInt8) & 63])
        }
        return RequestID(requestID: padded, hostID: String(decoding: host, as: UTF8.self) + "=")
    }
}
