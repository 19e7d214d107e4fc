import ButlerCore
import Foundation

/// A real SMTP server (aiosmtpd, scripts/smtp_sink.py) on a free loopback port; every message it receives
/// is read back as {from, to, subject, priority, text, html}. Killed when released.
final class SMTPSink: @unchecked Sendable {
    let port: Int
    let folder: URL
    private let process = Process()

    /// - Parameter login: `user:password` the server requires (AUTH without TLS); nil for an open server.
    init(login: String? = nil) throws {
        port = RawConnection.freePort()
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("butler-smtp-\(UUID().uuidString)")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/smtp_sink.py")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, String(port), folder.path] + (login.map { [$0] } ?? [])
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    /// Waits (up to 10 s) until the server accepts connections.
    func ready() async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !RawConnection.isListening(port: port) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    var messages: [JSONValue] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".json") }.sorted { Int($0.dropLast(5)) ?? 0 < Int($1.dropLast(5)) ?? 0 }
        return names.compactMap { try? JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: folder.appendingPathComponent($0))) }
    }

    func waitFor(_ count: Int, seconds: Int = 10) async throws -> [JSONValue] {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while messages.count < count && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        return messages
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: folder)
    }
}
