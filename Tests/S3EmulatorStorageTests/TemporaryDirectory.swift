import Foundation

@testable import S3EmulatorStorage

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

    /// Writes `metadata.sqlite` here as an older s3emu left it — the first `count` schema
    /// migrations applied, then `sql` (rows in that schema) — and returns its path, for tests of
    /// the later migrations. Only the migrations themselves say what the old schema was.
    func databaseAfter(migrations count: Int, then sql: String) throws -> String {
        let path = self.path + "/metadata.sqlite"
        let connection = try SQLiteConnection(path: path)
        for migration in SchemaMigration.all.prefix(count) {
            try connection.execute(migration.sql)
        }
        try connection.execute(sql + "; PRAGMA user_version = \(count)")
        return path
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
