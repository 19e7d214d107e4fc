import Foundation
import Testing

/// Issue 12 item 1 with the real binary: a schedule whose name holds DEL (which once made the next start
/// exit 1) is found after a restart, and a start with a broken schedule file sets it aside and runs.
@Suite("butler binary: schedule file across restarts", .serialized)
struct ScheduleRestartTests {
    static func butler() throws -> ButlerProcess {
        try ButlerProcess(
            // ButlerProcess adds ": true" after each switch; the scheduler's are nested.
            endpoints: ["scheduler:\n      createNewSchedule: true\n      getSchedule"],
            extraConfig: "  scheduler:\n    enable: true\n    configfile: schedules/schedule.yaml")
    }

    @Test func aDELNameSurvivesARestart() async throws {
        let butler = try Self.butler()
        try await butler.start()
        let body = #"{"name":"a\u007f","cronSchedule":"0 6 * * *","timezone":"Europe/Stockholm","#
            + #""qlikSenseTaskId":"e3b27f50-b1c0-4879-88fc-c7cdd9c1cf3e","startupState":"started","#
            + #""tags":["\u0085\u2028\ufffe","\u202e👩‍👩‍👧"],"extra \u0001":"\u009f\uffff"}"#
        let created = try await butler.request("POST", "/v4/schedules", json: body)
        #expect(created.status == 201)
        let id = try #require((try JSONSerialization.jsonObject(with: Data(created.body.utf8)) as? [String: Any])?["id"] as? String)
        #expect(butler.stop() == 0)

        try await butler.start()
        let found = try await butler.request("GET", "/v4/schedules?id=\(id)")
        #expect(found.status == 200)
        let schedule = try #require(try JSONSerialization.jsonObject(with: Data(found.body.utf8)) as? [String: Any])
        #expect(schedule["name"] as? String == "a\u{7F}")
        #expect(schedule["tags"] as? [String] == ["\u{85}\u{2028}\u{FFFE}", "\u{202E}👩‍👩‍👧"])
        #expect(schedule["extra \u{1}"] as? String == "\u{9F}\u{FFFF}")
        let file = butler.directory.appendingPathComponent("schedules/schedule.yaml").path
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        #expect(butler.stop() == 0)
    }

    @Test func aBrokenScheduleFileIsSetAsideAndButlerStarts() async throws {
        let butler = try Self.butler()
        let folder = butler.directory.appendingPathComponent("schedules")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let original = Data("butlerSchedule:\n  - name: \"a\u{7F}\"\n    id: old\n".utf8)
        _ = FileManager.default.createFile(atPath: folder.appendingPathComponent("schedule.yaml").path, contents: original)
        try await butler.start()
        #expect(try await butler.request("GET", "/v4/schedules").body == "[]")
        let copies = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("schedule.yaml.unreadable-") }
        #expect(copies.count == 1)
        #expect(FileManager.default.contents(atPath: folder.appendingPathComponent(copies.first ?? "-").path) == original)
        #expect(butler.output().contains("original file is kept as"))
        #expect(butler.stop() == 0)
    }
}
