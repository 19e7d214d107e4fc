@testable import ButlerCore
import Foundation
import Logging
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("File routes' approved directories from the config")
struct FileServiceConfigTests {
    @Test func approvedDirectoriesAreResolvedAndCheckedAtStartUp() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("butler-cfg-\(UUID().uuidString)").resolvingSymlinksInPath()
        try FileManager.default.createDirectory(at: root.appendingPathComponent("in"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let config = FileOperationsConfig(
            copyApprovedDirectories: [.init(fromDirectory: "in", toDirectory: "missing/out")],
            deleteApprovedDirectories: ["\\\\server\\share\\qvd", "./in/../in"],
            qvdPath: "in")
        let (service, warnings) = try FileService.make(config: config, workingDirectory: root.path, createDirEnabled: false, logger: Logger(label: "test"))
        #expect(service.copyPairs.map(\.from.description) == [root.appendingPathComponent("in").path])
        #expect(service.copyPairs.map(\.to.description) == [root.appendingPathComponent("missing/out").path])
        #expect(service.deleteDirectories.map(\.description) == [root.appendingPathComponent("in").path])
        #expect(service.qvdPath?.description == root.appendingPathComponent("in").path)
        #expect(warnings.count == 2)
        #expect(warnings.contains { $0.hasPrefix("Butler.fileCopyApprovedDirectories.toDirectory: the directory 'missing/out'") })
        #expect(warnings.contains { $0.hasPrefix("Butler.fileDeleteApprovedDirectories: '\\\\server\\share\\qvd' can't be used") })
    }

    @Test func configKeysDecode() throws {
        let config = try ConfigLoader.load(yaml: """
            Butler:
              fileCopyApprovedDirectories:
                - fromDirectory: /srv/in
                  toDirectory: /srv/out
              fileMoveApprovedDirectories:
              fileDeleteApprovedDirectories:
                - /srv/tmp
              createDirApprovedDirectories: []
              configDirectories:
                qvdPath: /srv/qvd
            """)
        #expect(config.warnings == [])
        #expect(config.config.files == FileOperationsConfig(
            copyApprovedDirectories: [.init(fromDirectory: "/srv/in", toDirectory: "/srv/out")], moveApprovedDirectories: [],
            deleteApprovedDirectories: ["/srv/tmp"], createDirApprovedDirectories: [], qvdPath: "/srv/qvd"))
        #expect(throws: ConfigError.self) {
            try ConfigLoader.load(yaml: "Butler:\n  fileCopyApprovedDirectories:\n    - fromDirectory: /a\n")
        }
    }

    @Test func createDirListsAreWarnedAboutWhenAbsentOrEmpty() throws {
        let absent = try FileService.make(config: FileOperationsConfig(), workingDirectory: "/", logger: Logger(label: "test"))
        #expect(absent.0.createDirectories == nil)
        #expect(absent.warnings == [
            "Butler.createDirApprovedDirectories is not set: POST /v4/createdir may create directories anywhere this process may write (Butler's behaviour); list folders to limit it"
        ])
        let empty = try FileService.make(config: FileOperationsConfig(createDirApprovedDirectories: []), workingDirectory: "/", logger: Logger(label: "test"))
        #expect(empty.0.createDirectories == [])
        #expect(empty.warnings == ["Butler.createDirApprovedDirectories is present but lists no folder: POST /v4/createdir refuses every directory (403)"])
        let off = try FileService.make(config: FileOperationsConfig(), workingDirectory: "/", createDirEnabled: false, logger: Logger(label: "test"))
        #expect(off.warnings == [])
        // Only an absent key is "anywhere": a key with nothing after it, or only comments, approves nothing.
        #expect(try ConfigLoader.load(yaml: "Butler:\n  logLevel: info\n").config.files.createDirApprovedDirectories == nil)
        #expect(try ConfigLoader.load(yaml: "Butler:\n  createDirApprovedDirectories:\n    # - /srv\n").config.files.createDirApprovedDirectories == [])
    }

    @Test func everyApprovedDirectoryIsProtected() throws {
        let config = FileOperationsConfig(
            copyApprovedDirectories: [.init(fromDirectory: "/srv/a", toDirectory: "/srv/b")],
            moveApprovedDirectories: [.init(fromDirectory: "/srv/c", toDirectory: "/srv/d")],
            deleteApprovedDirectories: ["/srv/e"], createDirApprovedDirectories: ["/srv/f"], qvdPath: "/srv/g")
        let (service, _) = try FileService.make(config: config, policy: ApprovedPathPolicy(style: .posix), workingDirectory: "/", logger: Logger(label: "test"))
        #expect(Set(service.protectedDirectories.map(\.description)) == Set(["a", "b", "c", "d", "e", "f", "g"].map { "/srv/\($0)" }))
    }
}

@Suite("Descriptor walks below an approved directory")
struct DirectoryHandleTests {
    @Test func aFolderSwappedForALinkIsNeverFollowed() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("butler-fd-\(UUID().uuidString)").resolvingSymlinksInPath().path
        defer { try? FileManager.default.removeItem(atPath: root) }
        for directory in ["base/sub", "outside"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(directory)", withIntermediateDirectories: true)
        }
        try "inside".write(toFile: "\(root)/base/sub/file", atomically: false, encoding: .utf8)
        try "outside".write(toFile: "\(root)/outside/file", atomically: false, encoding: .utf8)
        let base = ApprovedPathPolicyTests.absolute("\(root)/base", .posix)
        let file = ApprovedPathPolicyTests.absolute("\(root)/base/sub/file", .posix)
        // The entry holds its folder open: swapping the folder for a link afterwards changes nothing.
        let entry = try #require(try FileSystem.entry(file, below: base, creatingParents: false))
        try FileManager.default.moveItem(atPath: "\(root)/base/sub", toPath: "\(root)/base/moved")
        try FileManager.default.createSymbolicLink(atPath: "\(root)/base/sub", withDestinationPath: "\(root)/outside")
        try FileSystem.remove(entry)
        #expect(!FileManager.default.fileExists(atPath: "\(root)/base/moved/file"))
        #expect(try String(contentsOfFile: "\(root)/outside/file", encoding: .utf8) == "outside")
        // A walk that meets the link stops with ELOOP, for reading and for creating.
        for creating in [false, true] {
            let failure = #expect(throws: FileSystem.Failure.self) {
                _ = try FileSystem.entry(file, below: base, creatingParents: creating)
            }
            #expect(failure?.code == ELOOP)
        }
        #expect(throws: FileSystem.Failure.self) {
            try FileSystem.createDirectories(ApprovedPathPolicyTests.absolute("\(root)/base/sub/new", .posix), below: base)
        }
        #expect(!FileManager.default.fileExists(atPath: "\(root)/outside/new"))
    }

    // glibc 2.28+ has renameat2: a no-replace rename is atomic, not a check and a rename.
    @Test func renameWithoutReplacingIsAtomicHere() throws {
        #expect(DirectoryHandle.renameat2 != nil)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("butler-rn-\(UUID().uuidString)").resolvingSymlinksInPath().path
        defer { try? FileManager.default.removeItem(atPath: root) }
        for directory in ["a", "b/inner"] { try FileManager.default.createDirectory(atPath: "\(root)/\(directory)", withIntermediateDirectories: true) }
        let handle = try DirectoryHandle.open(root)
        #expect(try handle.renameIfAbsent("a", to: handle, "b") == false)
        #expect(FileManager.default.fileExists(atPath: "\(root)/a"))
        #expect(FileManager.default.fileExists(atPath: "\(root)/b/inner"))
        #expect(try handle.renameIfAbsent("a", to: handle, "c") == true)
        #expect(FileManager.default.fileExists(atPath: "\(root)/c"))
    }
}
