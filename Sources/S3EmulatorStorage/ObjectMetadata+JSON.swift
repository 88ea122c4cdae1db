import Foundation

extension ObjectMetadata {
    /// The JSON stored in `objects.metadata`: sorted keys, empty fields left out; `{}` when empty.
    func jsonText() throws -> String {
        if self == ObjectMetadata() {
            return "{}"
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Decodes the stored JSON; `{}` (the common case) is recognised without a JSON decoder.
    init(jsonBytes: UnsafeRawBufferPointer) throws {
        if jsonBytes.count == 2, jsonBytes[0] == UInt8(ascii: "{"), jsonBytes[1] == UInt8(ascii: "}") {
            self.init()
            return
        }
        do {
            self = try JSONDecoder().decode(ObjectMetadata.self, from: Data(jsonBytes))
        } catch {
            throw StorageError.corrupt("unreadable object metadata: \(error)")
        }
    }
}
