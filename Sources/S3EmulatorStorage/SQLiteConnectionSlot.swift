import Synchronization

/// A reader connection behind its own lock, one of the ``MetadataStore``'s reader pool.
final class SQLiteConnectionSlot: Sendable {
    let connection: Mutex<SQLiteConnection>

    init(_ connection: consuming sending SQLiteConnection) {
        self.connection = Mutex(connection)
    }
}
