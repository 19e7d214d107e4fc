import Foundation
import Testing

/// Issue 12, item 2: `createDirApprovedDirectories:` with nothing after it approves nothing, through the
/// real binary and a real YAML file; both an empty and an absent key are warned about at start-up.
@Suite("createdir approval from the config file", .serialized)
struct CreateDirConfigTests {
    @Test func aKeyWithNothingAfterItApprovesNothing() async throws {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("butler-anywhere-\(UUID().uuidString)").path
        let butler = try ButlerProcess(endpoints: ["createDir"], extraConfig: """
              createDirApprovedDirectories:
                # - /srv/qlik/qvd
            """)
        try await butler.start()
        let response = try await butler.request("POST", "/v4/createdir", json: #"{"directory":"\#(target)"}"#)
        _ = butler.stop()
        #expect(response.status == 403)
        #expect(!FileManager.default.fileExists(atPath: target))
        #expect(butler.output().contains("Butler.createDirApprovedDirectories is present but lists no folder: POST /v4/createdir refuses every directory (403)"))
    }

    @Test func anAbsentKeyIsWarnedAbout() async throws {
        let butler = try ButlerProcess(endpoints: ["createDir"])
        try await butler.start()
        _ = butler.stop()
        #expect(butler.output().contains("Butler.createDirApprovedDirectories is not set: POST /v4/createdir may create directories anywhere"))
    }
}
