import ButlerCore
import Foundation
import GRDB

/// Butler's SQLite database (`Butler.database.file`), in WAL mode with `synchronous = FULL`, so that a
/// write is on disk when it is acknowledged and survives a crash of the process or the machine.
///
/// The schema is created and upgraded by migrations when the database is opened.
public struct ButlerDatabase: Sendable {
    /// The connection pool: one writer, concurrent readers.
    public let writer: DatabasePool

    /// Opens (creating if needed) the database file and its directory, and migrates the schema. A new file
    /// and folder are readable by their owner only (0600/0700; SQLite gives its `-wal` and `-shm` files the
    /// database file's mode).
    /// - Throws: `ButlerError.failed` naming the file when it can't be opened or migrated.
    public init(path: String) throws {
        let url = URL(fileURLWithPath: path)
        do {
            try OwnerOnlyFiles.createDirectories(atPath: url.deletingLastPathComponent().path)
            try OwnerOnlyFiles.createFile(atPath: url.path)
            var configuration = Configuration()
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            configuration.busyMode = .timeout(5)
            writer = try DatabasePool(path: url.path, configuration: configuration)
            try Self.migrator.migrate(writer)
        } catch {
            throw ButlerError.failed("Cannot open the database '\(path)': \(error)")
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: key-value store") { db in
            try db.create(table: "kvNamespace") { table in
                table.column("name", .text).notNull().primaryKey()
                table.column("position", .integer).notNull()
            }
            try db.create(table: "kvPair") { table in
                table.column("namespace", .text).notNull()
                    .references("kvNamespace", column: "name", onDelete: .cascade)
                table.column("key", .text).notNull()
                table.column("value", .text).notNull()
                // Milliseconds since 1970-01-01 UTC; NULL = never expires.
                table.column("expiresAt", .integer)
                table.column("position", .integer).notNull()
                table.primaryKey(["namespace", "key"])
            }
            try db.create(index: "kvPair_expiresAt", on: "kvPair", columns: ["expiresAt"], condition: Column("expiresAt") != nil)
        }
        migrator.registerMigration("v2: reload-event de-duplication") { db in
            try db.create(table: "executionClaim") { table in
                table.column("executionId", .text).notNull().primaryKey()
                // Milliseconds since 1970-01-01 UTC.
                table.column("expiresAt", .integer).notNull()
            }
        }
        // Purging expired claims (`DELETE … WHERE expiresAt <= ?`) and loading live ones at start-up are
        // index range scans, not whole-table scans (issue 12, item 7).
        migrator.registerMigration("v3: execution claims by expiry") { db in
            try db.create(index: "executionClaim_expiresAt", on: "executionClaim", columns: ["expiresAt"])
        }
        return migrator
    }
}
