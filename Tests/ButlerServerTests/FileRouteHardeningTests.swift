import ButlerCore
import ButlerServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 12, item 2: the file routes never destroy, and never reach past an approved directory.
extension FileRouteTests {
    /// Everything below `root`, as `relative path → what is there` (file contents, `dir`, or the text of a
    /// link), links not followed: two snapshots are equal only if nothing changed.
    static func snapshot(_ root: String) -> [String: String] {
        var result: [String: String] = [:]
        func walk(_ relative: String) {
            let path = relative.isEmpty ? root : root + "/" + relative
            var info = stat()
            guard lstat(path, &info) == 0 else { return }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                result[relative] = "dir"
                for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                    walk(relative.isEmpty ? name : relative + "/" + name)
                }
            case S_IFLNK: result[relative] = "link → " + ((try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?")
            default: result[relative] = "file: " + ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "?")
            }
        }
        walk("")
        return result
    }

    static func dir(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    static func link(_ path: String, _ target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
    }

    // The exact trigger of item 2: a file copied over a folder with files in it destroyed the folder.
    @Test func aFileCopiedOverAFolderIsRefused() async throws {
        let tree = try Tree()
        try tree.write("from/a.txt", "a")
        try Self.dir(tree.path("to/archive/2024"))
        try tree.write("to/archive/keep.txt", "keep")
        try tree.write("to/archive/2024/deep.txt", "deep")
        let before = Self.snapshot(tree.root.path)
        try await withButler(tree.config) { client in
            let response = try await client.send(.put, "/v4/filecopy", json: """
                {"fromFile":"\(tree.path("from/a.txt"))","toFile":"\(tree.path("to/archive"))","overwrite":true}
                """)
            #expect(response.json == butlerError(
                409, "Conflict", "toFile is a directory and fromFile is not: a directory is never replaced (nothing was changed)"))
        }
        #expect(Self.snapshot(tree.root.path) == before)
    }

    /// Every kind of source over every kind of existing destination, by copy and by move, with and
    /// without `overwrite`: what is refused changes nothing at all.
    @Test(arguments: [true, false])
    func kindsThatCantReplaceEachOther(overwrite: Bool) async throws {
        let tree = try Tree()
        try tree.write("from/file", "source file")
        try Self.dir(tree.path("from/dir/inner"))
        try tree.write("from/dir/inner/new.txt", "new")
        try Self.link(tree.path("from/linkToDir"), tree.path("from/dir"))
        try tree.write("to/file", "old file")
        try Self.dir(tree.path("to/dir/inner"))
        try tree.write("to/dir/old.txt", "old")
        try Self.link(tree.path("to/linkToDir"), tree.path("to/dir"))
        try Self.link(tree.path("to/relativeLinkToDir"), "dir/inner")
        let conflicts: [(String, String)] = [
            ("file", "dir"), ("file", "linkToDir"), ("file", "relativeLinkToDir"),
            ("dir", "file"), ("dir", "linkToDir"), ("dir", "dir"), ("dir", "relativeLinkToDir"),
        ]
        try await withButler(tree.config) { client in
            for route in ["/v4/filecopy", "/v4/filemove"] {
                for (from, to) in conflicts {
                    let before = Self.snapshot(tree.root.path)
                    let response = try await client.send(.put, route, json: #"{"fromFile":"\#(from)","toFile":"\#(to)","overwrite":\#(overwrite)}"#)
                    let label = "\(route) \(from) → \(to), overwrite \(overwrite)"
                    if route == "/v4/filecopy" && !overwrite && from == "dir" && to != "file" {
                        // Decision 2: a copy with overwrite false onto an existing destination copies nothing, 201.
                        #expect(response.status == .created, "\(label)")
                    } else {
                        #expect(response.status == .conflict, "\(label)")
                        #expect(response.json?["error"] == "Conflict", "\(label)")
                    }
                    #expect(Self.snapshot(tree.root.path) == before, "\(label)")
                }
            }
            // A move of a link to a directory moves the link, which is a non-directory: over a file it
            // replaces the file (overwrite) or is refused (409); over a directory always refused.
            let before = Self.snapshot(tree.root.path)
            let overDirectory = try await client.send(.put, "/v4/filemove", json: #"{"fromFile":"linkToDir","toFile":"dir","overwrite":\#(overwrite)}"#)
            #expect(overDirectory.status == .conflict)
            #expect(Self.snapshot(tree.root.path) == before)
            let overFile = try await client.send(.put, "/v4/filemove", json: #"{"fromFile":"linkToDir","toFile":"file","overwrite":\#(overwrite)}"#)
            #expect(overFile.status == (overwrite ? .created : .conflict))
            #expect(FileSystemProbe.kind(tree.path("to/file")) == (overwrite ? .typeSymbolicLink : .typeRegular))
            #expect(tree.read("from/dir/inner/new.txt") == "new")
            #expect(tree.read("to/dir/old.txt") == "old")
        }
    }

    // Found by a longer fuzz run: a destination whose folder is a file (an earlier request put a file
    // there) answered 500; it is a conflict, and nothing changes.
    @Test func aDestinationBelowAFileIsAConflict() async throws {
        let tree = try Tree()
        try tree.write("from/a", "a")
        try tree.write("to/sub", "a file where a folder is expected")
        try Self.link(tree.path("from/link-out"), tree.path("outside"))
        let before = Self.snapshot(tree.path(""))
        try await withButler(tree.config) { client in
            for (route, from) in [("/v4/filecopy", "a"), ("/v4/filemove", "a"), ("/v4/filemove", "link-out")] {
                for overwrite in [false, true] {
                    let response = try await client.send(.put, route, json: #"{"fromFile":"\#(from)","toFile":"sub/a","overwrite":\#(overwrite)}"#)
                    #expect(response.status == .conflict, "\(route) \(from) \(overwrite): \(response.text)")
                }
            }
        }
        #expect(Self.snapshot(tree.path("")) == before)
    }

    @Test func aFileStillReplacesAFile() async throws {
        let tree = try Tree()
        try tree.write("from/a", "new")
        try tree.write("from/b", "new b")
        try tree.write("to/a", "old")
        try tree.write("to/b", "old b")
        try await withButler(tree.config) { client in
            #expect(try await client.send(.put, "/v4/filecopy", json: #"{"fromFile":"a","toFile":"a","overwrite":true}"#).status == .created)
            #expect(tree.read("to/a") == "new")
            #expect(try await client.send(.put, "/v4/filemove", json: #"{"fromFile":"b","toFile":"b","overwrite":true}"#).status == .created)
            #expect(tree.read("to/b") == "new b")
            #expect(!tree.exists("from/b"))
            // A directory into a free name still works, by copy and by move.
            try Self.dir(tree.path("from/d/e"))
            try tree.write("from/d/e/f", "f")
            #expect(try await client.send(.put, "/v4/filecopy", json: #"{"fromFile":"d","toFile":"d","overwrite":true}"#).status == .created)
            #expect(tree.read("to/d/e/f") == "f")
            #expect(try await client.send(.put, "/v4/filemove", json: #"{"fromFile":"d","toFile":"d2","overwrite":true}"#).status == .created)
            #expect(tree.read("to/d2/e/f") == "f")
        }
    }

    // Item 8 and DESIGN Decision 2: a missing source is 400 and the message names it, on every route.
    @Test func aMissingSourceIsNamed() async throws {
        let tree = try Tree()
        try Self.link(tree.path("from/dangling"), tree.path("from/none"))
        try await withButler(tree.config) { client in
            for route in ["/v4/filecopy", "/v4/filemove"] {
                for name in ["missing.qvd", "sub/missing dir/x.qvd", "new\nline.qvd"] {
                    let escaped = name.replacingOccurrences(of: "\n", with: "\\n")
                    let response = try await client.send(.put, route, json: #"{"fromFile":"\#(escaped)","toFile":"x.qvd"}"#)
                    #expect(response.json == butlerError(400, "Bad Request", "fromFile does not exist: \(String(reflecting: name))"), "\(route) \(name)")
                }
            }
            // Copy reads through a link: a dangling one names nothing that exists.
            let dangling = try await client.send(.put, "/v4/filecopy", json: #"{"fromFile":"dangling","toFile":"x.qvd"}"#)
            #expect(dangling.json == butlerError(400, "Bad Request", #"fromFile does not exist: "dangling""#))
            // A very long name is named, cut after 300 characters.
            let long = try await client.send(.put, "/v4/filemove", json: #"{"fromFile":"\#(String(repeating: "n", count: 400))","toFile":"x.qvd"}"#)
            #expect(long.json == butlerError(400, "Bad Request", "fromFile does not exist: \"\(String(repeating: "n", count: 300))…\""))
            let delete = try await client.send(.delete, "/v4/filedelete", json: #"{"deleteFile":"gone/a.qvd"}"#)
            #expect(delete.json == butlerError(400, "Bad Request", #"Delete failed, file does not exist: "gone/a.qvd""#))
        }
        #expect(!tree.exists("to/x.qvd"))
    }
}

/// No route deletes, replaces or moves an approved directory, nor a folder holding one.
extension FileRouteTests {
    /// `area` is a delete directory holding every other approved directory: copy `area/from → area`,
    /// move `area → area/to`, createdir `area/holder/made`, QVD folder `area/to/qvd`.
    static func nestedConfig(_ tree: Tree) throws -> ButlerConfig {
        for directory in ["area/from", "area/to/qvd", "area/holder/made"] {
            try Self.dir(tree.path(directory))
            try tree.write("\(directory)/marker", directory)
        }
        try tree.write("area/from/a.txt", "a")
        try Self.link(tree.path("area/qvdLink"), tree.path("area/to/qvd"))
        var config = ButlerConfig.forTests()
        config.files = FileOperationsConfig(
            copyApprovedDirectories: [.init(fromDirectory: tree.path("area/from"), toDirectory: tree.path("area"))],
            moveApprovedDirectories: [.init(fromDirectory: tree.path("area"), toDirectory: tree.path("area/to"))],
            deleteApprovedDirectories: [tree.path("area")], createDirApprovedDirectories: [tree.path("area/holder/made")],
            qvdPath: tree.path("area/to/qvd"))
        return config
    }

    @Test func approvedDirectoriesCantBeDeletedReplacedOrMoved() async throws {
        let tree = try Tree()
        let config = try Self.nestedConfig(tree)
        let area = tree.path("area")
        // Each approved directory (and a folder holding one), spelt in several ways.
        let targets = ["from", "to", "to/qvd", "holder/made", "holder"]
        @Sendable func spellings(_ relative: String) -> [String] {
            [relative, "\(area)/\(relative)", "\(area)/\(relative)/", "\(area)/x/../\(relative)", "./\(relative)/.", "\(area)//\(relative)"]
        }
        try await withButler(config) { client in
            let before = Self.snapshot(tree.root.path)
            for target in targets {
                for spelling in spellings(target) {
                    let delete = try await client.send(.delete, "/v4/filedelete", json: #"{"deleteFile":"\#(spelling)"}"#)
                    #expect(delete.json == butlerError(403, "Forbidden", "deleteFile is an approved directory, or holds one: it can't be deleted"), "\(spelling)")
                    let move = try await client.send(.put, "/v4/filemove", json: #"{"fromFile":"\#(spelling)","toFile":"moved","overwrite":true}"#)
                    #expect(move.status == .forbidden, "move \(spelling)")
                }
            }
            // Replacing one: a copy or move whose destination is an approved directory.
            for spelling in targets.flatMap(spellings) + ["qvdLink", "\(area)/qvdLink/"] {
                let copy = try await client.send(.put, "/v4/filecopy", json: #"{"fromFile":"a.txt","toFile":"\#(spelling)","overwrite":true}"#)
                #expect(copy.json == butlerError(403, "Forbidden", "toFile is an approved directory, or holds one: it can't be replaced"), "copy → \(spelling)")
            }
            for spelling in ["qvd", "qvd/", "\(area)/to/qvd", "x/../qvd"] {
                let move = try await client.send(.put, "/v4/filemove", json: #"{"fromFile":"from/a.txt","toFile":"\#(spelling)","overwrite":true}"#)
                #expect(move.json == butlerError(403, "Forbidden", "toFile is an approved directory, or holds one: it can't be replaced"), "move → \(spelling)")
            }
            #expect(Self.snapshot(tree.root.path) == before)
            // A symlink to an approved directory is only a link: deleting or moving it leaves the directory.
            #expect(try await client.send(.put, "/v4/filemove", json: #"{"fromFile":"qvdLink","toFile":"qvdLink"}"#).status == .created)
            #expect(FileSystemProbe.kind(tree.path("area/to/qvdLink")) == .typeSymbolicLink)
            #expect(try await client.send(.delete, "/v4/filedelete", json: #"{"deleteFile":"to/qvdLink/"}"#).status == .noContent)
            #expect(FileSystemProbe.kind(tree.path("area/to/qvdLink")) == nil)
            #expect(tree.read("area/to/qvd/marker") == "area/to/qvd")
            // What is below them still works.
            #expect(try await client.send(.delete, "/v4/filedelete", json: #"{"deleteFile":"to/qvd/marker"}"#).status == .noContent)
            #expect(try await client.send(.post, "/v4/createdir", json: #"{"directory":"\#(area)/holder/made"}"#).status == .created)
        }
        for directory in ["area/from", "area/to", "area/to/qvd", "area/holder/made"] {
            #expect(FileSystemProbe.kind(tree.path(directory)) == .typeDirectory, "\(directory)")
        }
    }
}

/// `createDirApprovedDirectories`: present but empty approves nothing; only an absent key is "anywhere".
extension FileRouteTests {
    @Test(arguments: [
        "  createDirApprovedDirectories:\n",
        "  createDirApprovedDirectories:\n    # - /srv/qlik/qvd\n",
        "  createDirApprovedDirectories: []\n",
        "  createDirApprovedDirectories: ~\n",
    ])
    func anEmptyCreateDirListApprovesNothing(yaml: String) async throws {
        let tree = try Tree()
        let loaded = try ConfigLoader.load(yaml: "Butler:\n" + yaml)
        #expect(loaded.config.files.createDirApprovedDirectories == [])
        var config = tree.config
        config.files.createDirApprovedDirectories = loaded.config.files.createDirApprovedDirectories
        try await withButler(config) { client in
            for directory in [tree.path("outside/new"), "relative-\(UUID().uuidString)", "/tmp/butler-anywhere-\(UUID().uuidString)"] {
                let response = try await client.send(.post, "/v4/createdir", json: #"{"directory":"\#(directory)"}"#)
                #expect(response.json == butlerError(
                    403, "Forbidden", "Directory must be within an approved directory (Butler.createDirApprovedDirectories)"), "\(directory)")
                #expect(FileSystemProbe.kind(directory) == nil)
            }
        }
        #expect(!tree.exists("outside/new"))
    }
}

extension FileRouteTests {
    // fs-extra created a missing destination folder, the approved one included; so do we (by descriptor).
    @Test func aMissingApprovedDestinationIsCreated() async throws {
        let tree = try Tree()
        try tree.write("from/a.txt", "a")
        try tree.write("from/b.txt", "b")
        var config = tree.config
        config.files.copyApprovedDirectories = [.init(fromDirectory: tree.path("from"), toDirectory: tree.path("later/copies"))]
        config.files.moveApprovedDirectories = [.init(fromDirectory: tree.path("from"), toDirectory: tree.path("later/moves"))]
        config.files.qvdPath = tree.path("later/qvd")
        try await withButler(config) { client in
            let copy = try await client.send(.put, "/v4/filecopy", json: #"{"fromFile":"a.txt","toFile":"sub/a.txt"}"#)
            #expect(copy.status == .created)
            #expect(try await client.send(.put, "/v4/filemove", json: #"{"fromFile":"b.txt","toFile":"b.txt"}"#).status == .created)
            #expect(try await client.send(.post, "/v4/createdirqvd", json: #"{"directory":"x"}"#).status == .created)
        }
        #expect(tree.read("later/copies/sub/a.txt") == "a")
        #expect(tree.read("later/moves/b.txt") == "b")
        #expect(FileSystemProbe.kind(tree.path("later/qvd/x")) == .typeDirectory)
    }
}
