import ButlerCore
import ButlerServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The file routes against real directory trees in a temporary directory.
@Suite("File routes: copy, move, delete, createdir, createdirqvd")
struct FileRouteTests {
    /// `root/{from,to,del,qvd,outside}` with approved pairs from→to (copy and move), `del` for delete and
    /// `qvd` as the QVD folder.
    final class Tree: Sendable {
        let root: URL

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("butler-files-\(UUID().uuidString)")
                .resolvingSymlinksInPath()
            for directory in ["from/sub", "to", "del", "qvd", "outside"] {
                try FileManager.default.createDirectory(at: root.appendingPathComponent(directory), withIntermediateDirectories: true)
            }
        }

        func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

        func write(_ relative: String, _ text: String) throws {
            try text.write(toFile: path(relative), atomically: false, encoding: .utf8)
        }

        func read(_ relative: String) -> String? { try? String(contentsOfFile: path(relative), encoding: .utf8) }

        func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path(relative)) }

        func modified(_ relative: String) throws -> Date {
            try FileManager.default.attributesOfItem(atPath: path(relative))[.modificationDate] as! Date
        }

        func setModified(_ relative: String, _ date: Date) throws {
            try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path(relative))
        }

        var config: ButlerConfig {
            var config = ButlerConfig.forTests()
            let pair = FileOperationsConfig.DirectoryPair(fromDirectory: path("from"), toDirectory: path("to"))
            config.files = FileOperationsConfig(
                copyApprovedDirectories: [pair], moveApprovedDirectories: [pair], deleteApprovedDirectories: [path("del")],
                qvdPath: path("qvd"))
            return config
        }

        deinit { try? FileManager.default.removeItem(at: root) }
    }

    static let old = Date(timeIntervalSince1970: 1_600_000_000)

    // B09, and the seed's sample with relative paths.
    @Test func copyWithStringFlagsPreservesTimestamp() async throws {
        let tree = try Tree()
        try tree.write("from/a.qvd", "new data")
        try tree.setModified("from/a.qvd", Self.old)
        try tree.write("to/a.qvd", "old data")
        try await withButler(tree.config) { client in
            let response = try await client.send(.put, "/v4/filecopy", json: """
                {"fromFile":"\(tree.path("from/a.qvd"))","toFile":"\(tree.path("to/a.qvd"))","overwrite":"true","preserveTimestamp":"true"}
                """)
            #expect(response.status == .created)
            #expect(response.json == [
                "fromFile": .string(tree.path("from/a.qvd")), "toFile": .string(tree.path("to/a.qvd")),
                "overwrite": true, "preserveTimestamp": true,
            ])
            #expect(tree.read("to/a.qvd") == "new data")
            #expect(try tree.modified("to/a.qvd") == Self.old)
            let sample = try await client.send(.put, "/v4/filecopy", json: #"{"fromFile":"a.qvd","toFile":"archive/file1_20200925.qvd","overwrite":false,"preserveTimestamp":false}"#)
            #expect(sample.json == ["fromFile": "a.qvd", "toFile": "archive/file1_20200925.qvd", "overwrite": false, "preserveTimestamp": false])
            #expect(tree.read("to/archive/file1_20200925.qvd") == "new data")
            #expect(try tree.modified("to/archive/file1_20200925.qvd") != Self.old)
            let bad = try await client.send(.put, "/v4/filecopy", json: #"{"fromFile":"a.qvd","toFile":"b.qvd","overwrite":"yes"}"#)
            #expect(bad.json == butlerError(400, "Bad Request", "body/overwrite must be boolean", code: "FST_ERR_VALIDATION"))
        }
    }

    // B10 (Decision 2): copy keeps the destination with 201; move refuses with 409.
    @Test func overwriteFalseOntoAnExistingFile() async throws {
        let tree = try Tree()
        try tree.write("from/a.qvd", "new")
        try tree.write("to/a.qvd", "old")
        try await withButler(tree.config) { client in
            let copy = try await client.send(.put, "/v4/filecopy", json: #"{"fromFile":"a.qvd","toFile":"a.qvd","overwrite":false}"#)
            #expect(copy.status == .created)
            #expect(tree.read("to/a.qvd") == "old")
            let move = try await client.send(.put, "/v4/filemove", json: #"{"fromFile":"a.qvd","toFile":"a.qvd"}"#)
            #expect(move.json == butlerError(409, "Conflict", "toFile already exists and overwrite is false: nothing was moved"))
            #expect(tree.read("to/a.qvd") == "old")
            #expect(tree.read("from/a.qvd") == "new")
            let forced = try await client.send(.put, "/v4/filemove", json: #"{"fromFile":"a.qvd","toFile":"a.qvd","overwrite":"true"}"#)
            #expect(forced.json == ["fromFile": "a.qvd", "toFile": "a.qvd", "overwrite": true])
            #expect(tree.read("to/a.qvd") == "new")
            #expect(!tree.exists("from/a.qvd"))
        }
    }

    // B11 and B18: a missing source is 400 inside the approved directories, 403 outside them.
    @Test func missingSourcesAndTheExistenceOracle() async throws {
        let tree = try Tree()
        try tree.write("outside/secret.txt", "secret")
        try await withButler(tree.config) { client in
            for route in ["/v4/filecopy", "/v4/filemove"] {
                let missing = try await client.send(.put, route, json: #"{"fromFile":"missing.qvd","toFile":"x.qvd"}"#)
                #expect(missing.json == butlerError(400, "Bad Request", #"fromFile does not exist: "missing.qvd""#))
                let operation = route == "/v4/filecopy" ? "file copy" : "file move"
                for outside in [tree.path("outside/secret.txt"), tree.path("outside/nothing.txt")] {
                    let response = try await client.send(.put, route, json: #"{"fromFile":"\#(outside)","toFile":"x.qvd"}"#)
                    #expect(response.json == butlerError(403, "Forbidden", "No approved fromDir/toDir for \(operation)"))
                }
            }
            #expect(!tree.exists("to/x.qvd"))
        }
    }

    @Test func directoryCopyAndMoveAcrossDirectories() async throws {
        let tree = try Tree()
        try tree.write("from/sub/one.qvd", "1")
        try FileManager.default.createDirectory(atPath: tree.path("from/sub/deeper"), withIntermediateDirectories: true)
        try tree.write("from/sub/deeper/two.qvd", "2")
        try await withButler(tree.config) { client in
            let copy = try await client.send(.put, "/v4/filecopy", json: #"{"fromFile":"sub","toFile":"copy-of-sub"}"#)
            #expect(copy.status == .created)
            #expect(tree.read("to/copy-of-sub/one.qvd") == "1")
            #expect(tree.read("to/copy-of-sub/deeper/two.qvd") == "2")
            let move = try await client.send(.put, "/v4/filemove", json: #"{"fromFile":"sub","toFile":"stage/moved"}"#)
            #expect(move.status == .created)
            #expect(tree.read("to/stage/moved/deeper/two.qvd") == "2")
            #expect(!tree.exists("from/sub"))
            // No temporary files are left behind.
            let leftovers = try FileManager.default.subpathsOfDirectory(atPath: tree.path("to")).filter { $0.contains(".butler-") }
            #expect(leftovers.isEmpty)
        }
    }

    @Test func deleteFileAndDirectory() async throws {
        let tree = try Tree()
        try tree.write("del/a.qvd", "a")
        try FileManager.default.createDirectory(atPath: tree.path("del/dir/inner"), withIntermediateDirectories: true)
        try tree.write("del/dir/inner/b.qvd", "b")
        try await withButler(tree.config) { client in
            let file = try await client.send(.delete, "/v4/filedelete", json: #"{"deleteFile":"\#(tree.path("del/a.qvd"))"}"#)
            #expect(file.status == .noContent)
            #expect(file.body.readableBytes == 0)
            #expect(!tree.exists("del/a.qvd"))
            // B51 (a): what the Qlik REST connector sends.
            let directory = try await client.send(
                .post, "/v4/filedelete", json: #"{"deleteFile":"dir"}"#, headers: [HTTPField.Name("X-HTTP-Method-Override")!: "DELETE"])
            #expect(directory.status == .noContent)
            #expect(!tree.exists("del/dir"))
            let again = try await client.send(.delete, "/v4/filedelete", json: #"{"deleteFile":"a.qvd"}"#)
            #expect(again.json == butlerError(400, "Bad Request", #"Delete failed, file does not exist: "a.qvd""#))
            let itself = try await client.send(.delete, "/v4/filedelete", json: #"{"deleteFile":"\#(tree.path("del"))"}"#)
            #expect(itself.status == .forbidden)
            #expect(tree.exists("del"))
        }
    }

    // B13
    @Test func dotDotSegmentsAreResolvedBeforeTheCheck() async throws {
        let tree = try Tree()
        try tree.write("outside/secret.txt", "secret")
        try tree.write("del/a.qvd", "a")
        try await withButler(tree.config) { client in
            let copy = try await client.send(.put, "/v4/filecopy", json: #"{"fromFile":"\#(tree.path("from"))/../outside/secret.txt","toFile":"a.txt"}"#)
            #expect(copy.status == .forbidden)
            for escape in ["\(tree.path("del"))/sub/../../outside/secret.txt", "\(tree.path("del"))\\sub\\..\\..\\outside\\secret.txt", "../outside/secret.txt"] {
                let response = try await client.send(.delete, "/v4/filedelete", json: #"{"deleteFile":"\#(escape.replacingOccurrences(of: "\\", with: "\\\\"))"}"#)
                #expect(response.status == .forbidden, "\(escape)")
            }
            #expect(tree.read("outside/secret.txt") == "secret")
            let inside = try await client.send(.delete, "/v4/filedelete", json: #"{"deleteFile":"\#(tree.path("del"))/sub/../a.qvd"}"#)
            #expect(inside.status == .noContent)
        }
    }

    // B14 (Decision 3): a relative path resolves against the approved directory, not the working directory.
    @Test func relativePathsNeverUseTheWorkingDirectory() async throws {
        let tree = try Tree()
        let cwd = FileManager.default.currentDirectoryPath
        let decoy = "butler-decoy-\(UUID().uuidString).qvd"
        try "keep".write(toFile: cwd + "/" + decoy, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: cwd + "/" + decoy) }
        try await withButler(tree.config) { client in
            let response = try await client.send(.delete, "/v4/filedelete", json: #"{"deleteFile":"\#(decoy)"}"#)
            #expect(response.json == butlerError(400, "Bad Request", "Delete failed, file does not exist: \(String(reflecting: decoy))"))
            #expect(FileManager.default.fileExists(atPath: cwd + "/" + decoy))
        }
    }

    // B17
    @Test func uncPathsAreRefusedOnThisHost() async throws {
        let tree = try Tree()
        try await withButler(tree.config) { client in
            let unc = #"\\\\server.example\\share\\a.qvd"#
            let copy = try await client.send(.put, "/v4/filecopy", json: #"{"fromFile":"\#(unc)","toFile":"a.qvd"}"#)
            #expect(copy.json == butlerError(
                400, "Bad Request",
                #"UNC paths not supported for file copy operations when running Butler on non-Windows OS. Path: \\server.example\share\a.qvd"#))
            let move = try await client.send(.put, "/v4/filemove", json: #"{"fromFile":"a.qvd","toFile":"\#(unc)"}"#)
            #expect(move.status == .badRequest)
            let delete = try await client.send(.delete, "/v4/filedelete", json: #"{"deleteFile":"\#(unc)"}"#)
            #expect(delete.status == .badRequest)
        }
    }

    @Test func symlinkOutOfAnApprovedDirectoryIsDenied() async throws {
        let tree = try Tree()
        try tree.write("outside/secret.txt", "secret")
        try FileManager.default.createSymbolicLink(atPath: tree.path("from/link"), withDestinationPath: tree.path("outside"))
        try FileManager.default.createSymbolicLink(atPath: tree.path("del/link.txt"), withDestinationPath: tree.path("outside/secret.txt"))
        try await withButler(tree.config) { client in
            let copy = try await client.send(.put, "/v4/filecopy", json: #"{"fromFile":"link/secret.txt","toFile":"s.txt"}"#)
            #expect(copy.status == .forbidden)
            let move = try await client.send(.put, "/v4/filemove", json: #"{"fromFile":"link/secret.txt","toFile":"s.txt"}"#)
            #expect(move.status == .forbidden)
            // Deleting a link deletes the link itself, never what it points to.
            let delete = try await client.send(.delete, "/v4/filedelete", json: #"{"deleteFile":"link.txt"}"#)
            #expect(delete.status == .noContent)
            #expect(FileSystemProbe.kind(tree.path("del/link.txt")) == nil)
            #expect(tree.read("outside/secret.txt") == "secret")
            #expect(!tree.exists("to/s.txt"))
        }
    }

    // B19 and B20
    @Test func createDirectories() async throws {
        let tree = try Tree()
        try tree.write("qvd/a.qvd", "a file")
        try await withButler(tree.config) { client in
            let qvd = try await client.send(.post, "/v4/createdirqvd", json: #"{"directory":"sales/2024"}"#)
            #expect(qvd.json == ["directory": "sales/2024"])
            #expect(FileManager.default.fileExists(atPath: tree.path("qvd/sales/2024")))
            #expect(try await client.send(.post, "/v4/createdirqvd", json: #"{"directory":"sales/2024"}"#).status == .created)
            for escape in [#"../../etc/evil"#, #"../../../tmp/evil"#, #"..\\..\\Windows\\evil"#] {
                let response = try await client.send(.post, "/v4/createdirqvd", json: #"{"directory":"\#(escape)"}"#)
                #expect(response.json == butlerError(403, "Forbidden", "Directory must be within the QVD folder"), "\(escape)")
            }
            let nested = tree.path("outside/a/b/c")
            let created = try await client.send(.post, "/v4/createdir", json: #"{"directory":"\#(nested)"}"#)
            #expect(created.json == ["directory": .string(nested)])
            #expect(FileManager.default.fileExists(atPath: nested))
            let blocked = try await client.send(.post, "/v4/createdir", json: #"{"directory":"\#(tree.path("qvd/a.qvd/sub"))"}"#)
            #expect(blocked.json == butlerError(409, "Conflict", "A name on the path is a file where a folder is needed: nothing was changed"))
            for route in ["/v4/createdir", "/v4/createdirqvd"] {
                for body in ["{}", #"{"directory":""}"#] {
                    let response = try await client.send(.post, route, json: body)
                    #expect(response.json == butlerError(400, "Bad Request", "Required parameter missing"))
                }
            }
        }
    }

    @Test func createDirApprovedDirectoriesRestrictCreateDir() async throws {
        let tree = try Tree()
        var config = tree.config
        config.files.createDirApprovedDirectories = [tree.path("qvd")]
        try await withButler(config) { client in
            #expect(try await client.send(.post, "/v4/createdir", json: #"{"directory":"\#(tree.path("qvd/x"))"}"#).status == .created)
            let outside = try await client.send(.post, "/v4/createdir", json: #"{"directory":"\#(tree.path("outside/x"))"}"#)
            #expect(outside.status == .forbidden)
            #expect(!tree.exists("outside/x"))
        }
    }

    @Test func emptyBodiesAndDisabledRoutes() async throws {
        let tree = try Tree()
        try await withButler(tree.config) { client in
            for (method, route) in [(HTTPRequest.Method.put, "/v4/filecopy"), (.put, "/v4/filemove"), (.delete, "/v4/filedelete")] {
                #expect(try await client.send(method, route, json: "{}").json == butlerError(400, "Bad Request", "Required parameter missing"))
                #expect(try await client.send(method, route).json == butlerError(400, "Bad Request", "Required parameter missing"))
            }
            // B21 (b): a very long name is refused cleanly.
            let long = try await client.send(.delete, "/v4/filedelete", json: #"{"deleteFile":"\#(tree.path("del"))/\#(String(repeating: "a", count: 5000))"}"#)
            #expect(long.status == .badRequest)
            let longCopy = try await client.send(.put, "/v4/filecopy", json: #"{"fromFile":"a","toFile":"\#(String(repeating: "b", count: 300))"}"#)
            #expect(longCopy.status == .badRequest)
            #expect(try await client.send(.get, "/v4/butlerping").status == .ok)
        }
        var off = tree.config
        off.endpoints = EndpointSwitches(enabling: [.butlerping])
        try await withButler(off) { client in
            let response = try await client.send(.put, "/v4/filecopy", json: "{}")
            #expect(response.json == butlerError(404, "Not Found", "Route PUT:/v4/filecopy not found"))
        }
    }
}

extension FileRouteTests {
    /// /dev/shm is a separate (tmpfs) file system on Linux: a move there can't be a rename.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/shm")))
    func moveAcrossFileSystemsCopiesThenDeletes() async throws {
        let tree = try Tree()
        let other = "/dev/shm/butler-move-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: other) }
        try tree.write("from/a.qvd", "across")
        try FileManager.default.createDirectory(atPath: tree.path("from/dir"), withIntermediateDirectories: true)
        try tree.write("from/dir/b.qvd", "tree")
        var config = tree.config
        config.files.moveApprovedDirectories = [.init(fromDirectory: tree.path("from"), toDirectory: other)]
        try await withButler(config) { client in
            let file = try await client.send(.put, "/v4/filemove", json: #"{"fromFile":"a.qvd","toFile":"a.qvd"}"#)
            #expect(file.status == .created)
            #expect(try String(contentsOfFile: other + "/a.qvd", encoding: .utf8) == "across")
            #expect(!tree.exists("from/a.qvd"))
            let directory = try await client.send(.put, "/v4/filemove", json: #"{"fromFile":"dir","toFile":"dir"}"#)
            #expect(directory.status == .created)
            #expect(try String(contentsOfFile: other + "/dir/b.qvd", encoding: .utf8) == "tree")
            #expect(!tree.exists("from/dir"))
        }
    }

    @Test func createDirQVDWithoutAQVDFolder() async throws {
        let tree = try Tree()
        var config = tree.config
        config.files.qvdPath = nil
        try await withButler(config) { client in
            let response = try await client.send(.post, "/v4/createdirqvd", json: #"{"directory":"x"}"#)
            #expect(response.json == butlerError(
                500, "Internal Server Error", "Failed to create directory: Butler.configDirectories.qvdPath is not set"))
        }
    }
}

/// `lstat` for tests: what is at a path, without following a final symlink.
enum FileSystemProbe {
    static func kind(_ path: String) -> FileAttributeType? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
    }
}

/// Cases from an adversarial review: each tried to reach outside the approved directories.
extension FileRouteTests {
    // Names are split on Unicode scalars: "\u{0600}/" is one Character but holds a separator.
    @Test func combiningCharactersCantHideSeparators() async throws {
        let tree = try Tree()
        try tree.write("from/a.txt", "hello")
        try tree.write("outside/secret", "secret")
        try await withButler(tree.config) { client in
            for to in [#"../\u0301j1\u0600/../outside/secret"#, #"../\u0301d\u0600/../../\u0301e\u0600/../../escaped.txt"#] {
                let copy = try await client.send(.put, "/v4/filecopy", json: #"{"fromFile":"a.txt","toFile":"\#(to)","overwrite":true}"#)
                #expect(copy.status == .forbidden, "\(to)")
                let move = try await client.send(.put, "/v4/filemove", json: #"{"fromFile":"a.txt","toFile":"\#(to)","overwrite":true}"#)
                #expect(move.status == .forbidden, "\(to)")
            }
            let qvd = try await client.send(.post, "/v4/createdirqvd", json: #"{"directory":"../\u0301j3\u0600/../outside/newdir"}"#)
            #expect(qvd.status == .forbidden)
            #expect(tree.read("outside/secret") == "secret")
            #expect(try FileManager.default.contentsOfDirectory(atPath: tree.path("outside")) == ["secret"])
            #expect(try FileManager.default.contentsOfDirectory(atPath: tree.root.path).sorted() == ["del", "from", "outside", "qvd", "to"])
        }
    }

    // Names compare byte for byte on POSIX: NFC "café" and NFD "cafe\u{301}" are different directories.
    @Test func unicodeEquivalentNamesAreDifferentDirectories() async throws {
        let tree = try Tree()
        let nfc = "caf\u{e9}", nfd = "cafe\u{301}"
        try FileManager.default.createDirectory(atPath: tree.path(nfc), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: tree.path(nfd), withIntermediateDirectories: true)
        try tree.write("\(nfd)/victim", "keep")
        var config = tree.config
        config.files.deleteApprovedDirectories = [tree.path(nfc)]
        try await withButler(config) { client in
            let response = try await client.send(.delete, "/v4/filedelete", json: #"{"deleteFile":"\#(tree.path(nfd))/victim"}"#)
            #expect(response.status == .forbidden)
            #expect(tree.read("\(nfd)/victim") == "keep")
        }
    }

    @Test func symlinksNamedByTheRequestAreActedOnThemselves() async throws {
        let tree = try Tree()
        try tree.write("del/real.txt", "real")
        try FileManager.default.createDirectory(atPath: tree.path("del/rdir"), withIntermediateDirectories: true)
        try tree.write("del/rdir/inner.txt", "inner")
        try FileManager.default.createSymbolicLink(atPath: tree.path("del/link"), withDestinationPath: tree.path("del/real.txt"))
        try FileManager.default.createSymbolicLink(atPath: tree.path("del/dlink"), withDestinationPath: tree.path("del/rdir"))
        try FileManager.default.createSymbolicLink(atPath: tree.path("del/dangling"), withDestinationPath: tree.path("del/none"))
        try tree.write("from/real.txt", "real")
        try FileManager.default.createSymbolicLink(atPath: tree.path("from/flink"), withDestinationPath: tree.path("from/real.txt"))
        try await withButler(tree.config) { client in
            for name in ["link", "dlink", "dangling"] {
                let response = try await client.send(.delete, "/v4/filedelete", json: #"{"deleteFile":"\#(name)"}"#)
                #expect(response.status == .noContent, "\(name)")
                #expect(FileSystemProbe.kind(tree.path("del/\(name)")) == nil, "\(name)")
            }
            #expect(tree.read("del/real.txt") == "real")
            #expect(tree.read("del/rdir/inner.txt") == "inner")
            let move = try await client.send(.put, "/v4/filemove", json: #"{"fromFile":"flink","toFile":"moved"}"#)
            #expect(move.status == .created)
            #expect(FileSystemProbe.kind(tree.path("to/moved")) == .typeSymbolicLink)
            #expect(tree.read("from/real.txt") == "real")
        }
    }

    @Test func aFIFOIsRefusedQuickly() async throws {
        let tree = try Tree()
        #expect(mkfifo(tree.path("from/fifo"), 0o644) == 0)
        try await withButler(tree.config) { client in
            let response = try await client.send(.put, "/v4/filecopy", json: #"{"fromFile":"fifo","toFile":"x"}"#)
            #expect(response.json == butlerError(400, "Bad Request", "fromFile is not a regular file or directory"))
        }
    }

    @Test func pathsThatContainEachOtherAreRefused() async throws {
        let tree = try Tree()
        var config = tree.config
        let pair = FileOperationsConfig.DirectoryPair(fromDirectory: tree.path("from"), toDirectory: tree.path("from"))
        config.files.copyApprovedDirectories = [pair]
        config.files.moveApprovedDirectories = [pair]
        try FileManager.default.createDirectory(atPath: tree.path("from/sub/inner"), withIntermediateDirectories: true)
        try tree.write("from/sub/inner/a.txt", "a")
        try await withButler(config) { client in
            for (from, to) in [("sub", "sub/inner/copy"), ("sub/inner/a.txt", "sub/inner/a.txt"), ("sub/inner", "sub")] {
                for route in ["/v4/filecopy", "/v4/filemove"] {
                    let response = try await client.send(.put, route, json: #"{"fromFile":"\#(from)","toFile":"\#(to)","overwrite":true}"#)
                    #expect(response.json == butlerError(
                        400, "Bad Request", "fromFile and toFile must not be the same path, nor one inside the other"), "\(route) \(from) → \(to)")
                }
            }
            #expect(tree.read("from/sub/inner/a.txt") == "a")
        }
    }

    // A leading backslash is a root on POSIX too (Butler turned "\\" into "/"): not a relative path.
    @Test func leadingBackslashIsAbsolute() async throws {
        let tree = try Tree()
        try tree.write("from/a.txt", "a")
        try await withButler(tree.config) { client in
            let outside = tree.path("outside/z").replacingOccurrences(of: "/", with: "\\\\")
            let response = try await client.send(.put, "/v4/filecopy", json: #"{"fromFile":"a.txt","toFile":"\#(outside)"}"#)
            #expect(response.status == .forbidden)
            #expect(!tree.exists("outside/z"))
        }
    }

    @Test func overwriteFalseKeepsADanglingLinkAtTheDestination() async throws {
        let tree = try Tree()
        try tree.write("from/a.txt", "a")
        try FileManager.default.createSymbolicLink(atPath: tree.path("to/a.txt"), withDestinationPath: tree.path("to/none"))
        try await withButler(tree.config) { client in
            let response = try await client.send(.put, "/v4/filecopy", json: #"{"fromFile":"a.txt","toFile":"a.txt"}"#)
            #expect(response.status == .created)
            #expect(FileSystemProbe.kind(tree.path("to/a.txt")) == .typeSymbolicLink)
            #expect(!tree.exists("to/none"))
        }
    }
}
