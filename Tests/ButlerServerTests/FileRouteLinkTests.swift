import ButlerCore
import ButlerServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Links: moving a link moves the link, across file systems too; nothing is read through a link to a
/// place outside the approved directories; names on disk are kept byte for byte.
extension FileRouteTests {
    /// Two writable directories on different file systems (st_dev), or `nil`.
    static func directoriesOnTwoFileSystems() -> (String, String)? {
        let candidates = [FileManager.default.temporaryDirectory.path, "/dev/shm", FileManager.default.currentDirectoryPath, "/var/tmp", "/run/user/\(getuid())"]
        var seen: [(String, dev_t)] = []
        for candidate in candidates {
            var info = stat()
            guard stat(candidate, &info) == 0, access(candidate, W_OK) == 0 else { continue }
            if let other = seen.first(where: { $0.1 != info.st_dev }) { return (other.0, candidate) }
            seen.append((candidate, info.st_dev))
        }
        return nil
    }

    @Test func moveOfALinkAcrossFileSystemsMovesTheLink() async throws {
        guard let (here, there) = Self.directoriesOnTwoFileSystems() else {
            Issue.record("no two writable directories on different file systems: can't test EXDEV")
            return
        }
        let id = UUID().uuidString
        let root = URL(fileURLWithPath: here).appendingPathComponent("butler-exdev-\(id)").resolvingSymlinksInPath().path
        let other = URL(fileURLWithPath: there).appendingPathComponent("butler-exdev-\(id)").resolvingSymlinksInPath().path
        defer {
            try? FileManager.default.removeItem(atPath: root)
            try? FileManager.default.removeItem(atPath: other)
        }
        // The "outside" tree stands for /etc/ssl: a private key that must never be copied.
        for directory in ["\(root)/from/tree/sub", "\(root)/outside/ssl/private", other] { try Self.dir(directory) }
        try "PRIVATE KEY".write(toFile: "\(root)/outside/ssl/private/key.pem", atomically: false, encoding: .utf8)
        try "secret".write(toFile: "\(root)/outside/secret.txt", atomically: false, encoding: .utf8)
        try Self.link("\(root)/from/ssl", "\(root)/outside/ssl")
        try Self.link("\(root)/from/relative", "../outside/ssl")
        try Self.link("\(root)/from/fileLink", "\(root)/outside/secret.txt")
        try Self.link("\(root)/from/tree/sub/ssl", "\(root)/outside/ssl")
        try "plain".write(toFile: "\(root)/from/tree/plain.txt", atomically: false, encoding: .utf8)
        var rootInfo = stat(), otherInfo = stat()
        #expect(stat(root, &rootInfo) == 0)
        #expect(stat(other, &otherInfo) == 0)
        #expect(rootInfo.st_dev != otherInfo.st_dev, "the two directories must be on different file systems")
        let outsideBefore = Self.snapshot("\(root)/outside")

        var config = ButlerConfig.forTests()
        let pair = FileOperationsConfig.DirectoryPair(fromDirectory: "\(root)/from", toDirectory: other)
        config.files = FileOperationsConfig(copyApprovedDirectories: [pair], moveApprovedDirectories: [pair])
        try await withButler(config) { client in
            for (name, overwrite) in [("ssl", true), ("relative", false), ("fileLink", true)] {
                let response = try await client.send(.put, "/v4/filemove", json: #"{"fromFile":"\#(name)","toFile":"\#(name)","overwrite":\#(overwrite)}"#)
                #expect(response.status == .created, "\(name)")
                #expect(FileSystemProbe.kind("\(root)/from/\(name)") == nil, "\(name)")
            }
            // A tree with a link in it, moved and copied across: the link stays a link.
            #expect(try await client.send(.put, "/v4/filemove", json: #"{"fromFile":"tree","toFile":"moved"}"#).status == .created)
            try Self.dir("\(root)/from/again")
            try Self.link("\(root)/from/again/ssl", "\(root)/outside/ssl")
            #expect(try await client.send(.put, "/v4/filecopy", json: #"{"fromFile":"again","toFile":"copied"}"#).status == .created)
        }
        #expect(Self.snapshot(other) == [
            "": "dir",
            "ssl": "link → \(root)/outside/ssl",
            "relative": "link → ../outside/ssl",
            "fileLink": "link → \(root)/outside/secret.txt",
            "moved": "dir", "moved/plain.txt": "file: plain", "moved/sub": "dir", "moved/sub/ssl": "link → \(root)/outside/ssl",
            "copied": "dir", "copied/ssl": "link → \(root)/outside/ssl",
        ])
        #expect(Self.snapshot("\(root)/outside") == outsideBefore)
    }

    @Test func copiedTreesKeepLinksAsLinks() async throws {
        let tree = try Tree()
        try Self.dir(tree.path("outside/ssl"))
        try tree.write("outside/ssl/key.pem", "PRIVATE KEY")
        try Self.dir(tree.path("from/tree"))
        try Self.link(tree.path("from/tree/abs"), tree.path("outside/ssl"))
        try Self.link(tree.path("from/tree/rel"), "../../outside/ssl/key.pem")
        try await withButler(tree.config) { client in
            for route in ["/v4/filecopy", "/v4/filemove"] {
                let target = route == "/v4/filecopy" ? "copied" : "moved"
                let response = try await client.send(.put, route, json: #"{"fromFile":"tree","toFile":"\#(target)"}"#)
                #expect(response.status == .created)
                #expect(Self.snapshot(tree.path("to/\(target)")) == [
                    "": "dir", "abs": "link → \(tree.path("outside/ssl"))", "rel": "link → ../../outside/ssl/key.pem",
                ])
            }
        }
    }
}

/// The resolved path is a POSIX path: a `\` in a real name is part of that name.
extension FileRouteTests {
    /// In `directory`: a real folder `a\` (holding `shadow`), a link `a` to `outside`, and a link `link`
    /// whose text is `a\`. `link/shadow` is `a\/shadow` (inside); re-split at `\` it became `a/shadow`,
    /// which the operation then opened through `a` (outside).
    static func plantBackslashTrap(_ tree: Tree, in directory: String) throws {
        try Self.dir(tree.path("\(directory)/a\\"))
        try tree.write("\(directory)/a\\/shadow", "inside \(directory)")
        try Self.link(tree.path("\(directory)/a"), tree.path("outside"))
        try Self.link(tree.path("\(directory)/link"), "a\\")
    }

    @Test func backslashesInRealNamesAreNotSeparators() async throws {
        let tree = try Tree()
        try tree.write("outside/shadow", "secret")
        for directory in ["from", "to", "del", "qvd"] { try Self.plantBackslashTrap(tree, in: directory) }
        var config = tree.config
        config.files.createDirApprovedDirectories = [tree.path("qvd")]
        try await withButler(config) { client in
            let copy = try await client.send(.put, "/v4/filecopy", json: #"{"fromFile":"link/shadow","toFile":"copied"}"#)
            #expect(copy.status == .created)
            #expect(tree.read("to/copied") == "inside from")
            let into = try await client.send(.put, "/v4/filecopy", json: #"{"fromFile":"link/shadow","toFile":"link/shadow","overwrite":true}"#)
            #expect(into.status == .created)
            #expect(tree.read("to/a\\/shadow") == "inside from")
            let move = try await client.send(.put, "/v4/filemove", json: #"{"fromFile":"link/shadow","toFile":"link/moved"}"#)
            #expect(move.status == .created)
            #expect(tree.read("to/a\\/moved") == "inside from")
            let delete = try await client.send(.delete, "/v4/filedelete", json: #"{"deleteFile":"\#(tree.path("del"))/link/shadow"}"#)
            #expect(delete.status == .noContent)
            #expect(!tree.exists("del/a\\/shadow"))
            for route in ["/v4/createdir", "/v4/createdirqvd"] {
                let directory = route == "/v4/createdir" ? tree.path("qvd/link/made") : "link/made-qvd"
                #expect(try await client.send(.post, route, json: #"{"directory":"\#(directory)"}"#).status == .created, "\(route)")
            }
            #expect(FileSystemProbe.kind(tree.path("qvd/a\\/made")) == .typeDirectory)
            #expect(FileSystemProbe.kind(tree.path("qvd/a\\/made-qvd")) == .typeDirectory)
        }
        #expect(Self.snapshot(tree.path("outside")) == ["": "dir", "shadow": "file: secret"])
    }
}

/// A dangling link can't be used to create or write anything where it points.
extension FileRouteTests {
    @Test func danglingLinksOnTheWayAreNeverFollowed() async throws {
        let tree = try Tree()
        try tree.write("from/a.txt", "a")
        for directory in ["to", "qvd", "del"] { try Self.link(tree.path("\(directory)/dangling"), tree.path("outside/new")) }
        var config = tree.config
        config.files.createDirApprovedDirectories = [tree.path("del")]
        try await withButler(config) { client in
            for route in ["/v4/filecopy", "/v4/filemove"] {
                let response = try await client.send(.put, route, json: #"{"fromFile":"a.txt","toFile":"dangling/a.txt","overwrite":true}"#)
                #expect(response.status == .conflict, "\(route)")
            }
            let qvd = try await client.send(.post, "/v4/createdirqvd", json: #"{"directory":"dangling/x"}"#)
            #expect(qvd.status == .conflict)
            let created = try await client.send(.post, "/v4/createdir", json: #"{"directory":"\#(tree.path("del/dangling/x"))"}"#)
            #expect(created.status == .conflict)
            // Named itself, the link is what is replaced: nothing is written through it.
            let copy = try await client.send(.put, "/v4/filecopy", json: #"{"fromFile":"a.txt","toFile":"dangling","overwrite":true}"#)
            #expect(copy.status == .created)
            #expect(FileSystemProbe.kind(tree.path("to/dangling")) == .typeRegular)
        }
        #expect(Self.snapshot(tree.path("outside")) == ["": "dir"])
        #expect(tree.read("from/a.txt") == "a")
    }
}

extension FileRouteTests {
    // A folder that may be passed through but not listed (mode 0311) works on the way, as mkdir by path
    // did. (Root ignores modes, so this can only be seen as another user.)
    @Test(.enabled(if: getuid() != 0, "runs as root: permission bits are not enforced"))
    func aFolderThatCantBeListedCanBePassedThrough() async throws {
        let tree = try Tree()
        try tree.write("from/a.txt", "a")
        try Self.dir(tree.path("to/traverse"))
        #expect(chmod(tree.path("to/traverse"), 0o311) == 0)
        defer { chmod(tree.path("to/traverse"), 0o755) }
        try await withButler(tree.config) { client in
            let response = try await client.send(.put, "/v4/filecopy", json: #"{"fromFile":"a.txt","toFile":"traverse/inner/a.txt"}"#)
            #expect(response.status == .created)
        }
        #expect(tree.read("to/traverse/inner/a.txt") == "a")
    }
}

extension FileRouteTests {
    /// `directory` + `/` + `name` as raw bytes (NUL-terminated), for names that are not UTF-8.
    static func rawPath(_ directory: String, _ name: [UInt8]) -> [CChar] {
        (Array(directory.utf8) + [UInt8(ascii: "/")] + name + [0]).map { CChar(bitPattern: $0) }
    }

    // Names on disk need not be UTF-8: a tree holding one is copied, moved and deleted byte for byte.
    @Test func namesThatAreNotUTF8AreKeptByteForByte() async throws {
        let tree = try Tree()
        let odd: [UInt8] = [0x6f, 0xff, 0xfe, 0x64]  // "o", two bytes that are never UTF-8, "d"
        try Self.dir(tree.path("from/tree"))
        let file = open(Self.rawPath(tree.path("from/tree"), odd), O_WRONLY | O_CREAT | O_EXCL, 0o644)
        #expect(file >= 0)
        #expect(write(file, "odd", 3) == 3)
        close(file)
        #expect(symlink(Self.rawPath(tree.path("outside"), odd), Self.rawPath(tree.path("from/tree"), odd + [0x6c])) == 0)
        try Self.dir(tree.path("del/tree"))
        #expect(mkdir(Self.rawPath(tree.path("del/tree"), odd), 0o755) == 0)
        try await withButler(tree.config) { client in
            let copy = try await client.send(.put, "/v4/filecopy", json: #"{"fromFile":"tree","toFile":"copied"}"#)
            #expect(copy.status == .created)
            #expect(try await client.send(.put, "/v4/filemove", json: #"{"fromFile":"tree","toFile":"moved"}"#).status == .created)
            #expect(try await client.send(.delete, "/v4/filedelete", json: #"{"deleteFile":"tree"}"#).status == .noContent)
        }
        for directory in ["to/copied", "to/moved"] {
            var info = stat()
            #expect(lstat(Self.rawPath(tree.path(directory), odd), &info) == 0 && info.st_mode & S_IFMT == S_IFREG, "\(directory)")
            #expect(lstat(Self.rawPath(tree.path(directory), odd + [0x6c]), &info) == 0 && info.st_mode & S_IFMT == S_IFLNK, "\(directory)")
            var text = [CChar](repeating: 0, count: 4096)
            let count = readlink(Self.rawPath(tree.path(directory), odd + [0x6c]), &text, 4095)
            #expect(count > 0 && Array(text[0..<count]) == Array(Self.rawPath(tree.path("outside"), odd).dropLast()), "\(directory)")
        }
        #expect(!tree.exists("from/tree"))
        #expect(!tree.exists("del/tree"))
    }
}
