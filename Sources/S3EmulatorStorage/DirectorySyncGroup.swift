import Foundation

/// Makes renames durable with as few directory fsyncs as possible: writers committing into the
/// same directory at the same time share one `fsync`.
///
/// A directory `fsync` makes every entry change made in the directory before it started
/// durable. A writer that has renamed its file calls ``sync(_:using:)``: when no sync of the
/// directory is running it runs one; when one is running (it may have started before the
/// rename) it waits for the next one, which whichever waiting writer gets there first runs for
/// all of them. A failed sync fails only its runner; the writers waiting on it run their own.
///
/// ```swift
/// try FileSystem.rename(temporaryPath, to: directory + "/" + blobID)
/// try syncs.sync(directory) { try FileSystem.syncDirectory($0) }
/// ```
final class DirectorySyncGroup: @unchecked Sendable {
    // @unchecked Sendable: `directories` is only read and written with `condition` locked.

    private struct Directory {
        /// Syncs started so far (the generation of the latest one).
        var started: UInt64 = 0
        /// The generation of the latest sync that succeeded.
        var completed: UInt64 = 0
        var isSyncing = false
        /// Callers waiting for a sync (for tests).
        var waiting = 0
    }

    private let condition = NSCondition()
    private var directories: [String: Directory] = [:]

    /// Returns once a sync of `path` that started after this call began has succeeded, running
    /// it with `perform` when no other caller is.
    func sync(_ path: String, using perform: (String) throws -> Void) throws {
        condition.lock()
        // Any sync that starts from now on covers the caller's rename; one running now may not.
        let needed = directories[path, default: Directory()].started + 1
        while true {
            var directory = directories[path, default: Directory()]
            if directory.completed >= needed {
                condition.unlock()
                return
            }
            if !directory.isSyncing {
                directory.started += 1
                directory.isSyncing = true
                let generation = directory.started
                directories[path] = directory
                condition.unlock()
                var failure: (any Error)?
                do {
                    try perform(path)
                } catch {
                    failure = error
                }
                condition.lock()
                directories[path]?.isSyncing = false
                if failure == nil {
                    directories[path]?.completed = generation
                }
                condition.broadcast()
                condition.unlock()
                if let failure {
                    throw failure
                }
                return
            }
            directories[path]?.waiting += 1
            condition.wait()
            directories[path]?.waiting -= 1
        }
    }

    /// How many callers wait for a sync of `path` (for tests).
    func waitingCount(_ path: String) -> Int {
        condition.lock()
        defer { condition.unlock() }
        return directories[path]?.waiting ?? 0
    }
}
