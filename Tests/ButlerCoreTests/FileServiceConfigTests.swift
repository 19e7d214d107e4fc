@testable import ButlerCore
import Foundation
import Logging
import Testing

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
        let (service, warnings) = try FileService.make(config: config, workingDirectory: root.path, logger: Logger(label: "test"))
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
}
