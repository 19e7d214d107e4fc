import ButlerCore
import ButlerStore
import Foundation
import Testing

/// The database and its folder are created readable by their owner only (issue: files Butler keeps hold
/// key-value pairs that load scripts treat as private).
@Suite("Owner-only files")
struct OwnerOnlyFilesTests {
    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? Int ?? -1) & 0o777
    }

    @Test func theDatabaseAndItsFolderAreOwnerOnly() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("new/deeper/butler.sqlite")
        let database = try ButlerDatabase(path: path)
        try database.writer.write { try $0.execute(sql: "CREATE TABLE probe (x)") }
        #expect(try Self.mode(directory.path("new")) == 0o700)
        #expect(try Self.mode(directory.path("new/deeper")) == 0o700)
        #expect(try Self.mode(path) == 0o600)
        #expect(try Self.mode(path + "-wal") == 0o600)
        #expect(try Self.mode(path + "-shm") == 0o600)
    }

    @Test func existingFilesKeepTheirMode() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("existing.sqlite")
        FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o640])
        _ = try ButlerDatabase(path: path)
        #expect(try Self.mode(path) == 0o640)
        #expect(try OwnerOnlyFiles.createFile(atPath: path) == false)
    }

    @Test func writtenFilesAreOwnerOnlyFromTheStart() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("key.pem")
        try OwnerOnlyFiles.write(Data("secret".utf8), toPath: path)
        #expect(try Self.mode(path) == 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "secret")
        #expect(throws: ButlerError.self) { try OwnerOnlyFiles.createDirectories(atPath: path + "/below") }
    }
}
