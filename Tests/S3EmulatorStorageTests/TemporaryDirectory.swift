import Foundation

/// A fresh directory under the system temp directory, removed by ``remove()``.
final class TemporaryDirectory {
    let path: String

    init() throws {
        let base = NSTemporaryDirectory() + "s3emu-storage-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        path = base
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The regular files below `relative`, recursively, as paths relative to it.
    func files(under relative: String) -> [String] {
        let root = path + "/" + relative
        guard let enumerator = FileManager.default.enumerator(atPath: root) else {
            return []
        }
        var files: [String] = []
        while let item = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + item, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(item)
            }
        }
        return files.sorted()
    }
}
