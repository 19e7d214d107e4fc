import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// A copy interrupted by SIGKILL never leaves a truncated destination.
@Suite("Interrupted file copy", .serialized)
struct InterruptedCopyTests {
    @Test func killDuringALargeCopyLeavesTheOldFile() async throws {
        let directory = ButlerProcess.makeDirectory()
        let from = directory.appendingPathComponent("from").path
        let to = directory.appendingPathComponent("to").path
        for path in [from, to] { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        let butler = try ButlerProcess(endpoints: ["fileCopy"], extraConfig: """
              fileCopyApprovedDirectories:
                - fromDirectory: \(from)
                  toDirectory: \(to)
            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        // A 1 GiB source (sparse: cheap to make, but every byte is copied) and an old destination.
        let source = from + "/big.qvd"
        _ = FileManager.default.createFile(atPath: source, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: source))
        try handle.truncate(atOffset: 1 << 30)
        try handle.close()
        try "old contents".write(toFile: to + "/big.qvd", atomically: true, encoding: .utf8)
        try await butler.start()

        let request = Task {
            try? await butler.request("PUT", "/v4/filecopy", json: #"{"fromFile":"big.qvd","toFile":"big.qvd","overwrite":true}"#)
        }
        // Wait until the temporary file exists, then kill the server in the middle of the copy.
        var sawTemporaryFile = false
        for _ in 0..<20_000 {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: to)) ?? []
            if names.contains(where: { $0.hasPrefix(".big.qvd.butler-") }) {
                sawTemporaryFile = true
                break
            }
            usleep(500)
        }
        butler.kill()
        _ = await request.value
        #expect(sawTemporaryFile, "the copy finished before it could be interrupted")
        #expect(try String(contentsOfFile: to + "/big.qvd", encoding: .utf8) == "old contents")
    }
}
