import ButlerCore
import ButlerServer
import Foundation
import Logging
import Testing

/// Log lines: request data can't forge a line or hide text, and daily files are owner-only.
@Suite("Log lines", .serialized)
struct LogLineTests {
    @Test func controlCharactersAreEscaped() {
        let log = LogCapture()
        let logger = log.butlerLogger()
        logger.info("key \("a\nb\r\u{1B}[31mc\u{7F}\u{85}\u{202E}d\u{2066}\u{2028}e")", metadata: ["from": "x\ny"])
        logger.info("plain text, ünïcödé and emoji 🎉 stay")
        let lines = log.lines
        #expect(lines.count == 2)
        #expect(lines[0].hasSuffix(#"info: key a\u{A}b\u{D}\u{1B}[31mc\u{7F}\u{85}\u{202E}d\u{2066}\u{2028}e [from=x\u{A}y]"# + "\n"))
        #expect(lines[1].hasSuffix("info: plain text, ünïcödé and emoji 🎉 stay\n"))
        #expect(lines.allSatisfy { $0.filter(\.isNewline).count == 1 })
    }

    // Request data that reaches a log line (here the refused Origin header) is escaped there too.
    @Test func requestDataInALogLineIsEscaped() async throws {
        let log = LogCapture()
        try await withButler(logger: log.butlerLogger()) { client async throws in
            let response = try await client.send(.get, "/v4/butlerping", headers: [.origin: "https://evil\u{202E}elpmaxe.\u{85}example"])
            #expect(response.status == .forbidden)
        }
        let refused = log.lines(containing: "is not allowed (restServerConfig.allowedOrigins)")
        #expect(refused.count == 1, "\(log.lines)")
        let line = try #require(refused.first)
        #expect(line.contains(#"https://evil\u{202E}elpmaxe.\u{85}example"#), "\(Array(line.unicodeScalars))")
    }

    @Test func dailyLogFilesAreOwnerOnly() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("butler-logs-\(UUID().uuidString)/log")
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let sink = try DailyFileLogSink(directory: directory.path)
        sink.write("line\n", at: Date())
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.count == 1)
        let file = directory.appendingPathComponent(files[0]).path
        #expect((try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int).map { $0 & 0o777 } == 0o600)
        #expect((try FileManager.default.attributesOfItem(atPath: directory.path)[.posixPermissions] as? Int).map { $0 & 0o777 } == 0o700)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "line\n")
    }
}
