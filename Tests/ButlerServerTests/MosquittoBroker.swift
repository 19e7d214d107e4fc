import Foundation
import QlikSenseSimulator
import Testing

/// A real mosquitto broker on a free loopback port, in its own temporary directory, for MQTT tests
/// (Debian's `mosquitto`, installed by scripts/setup.sh). Killed when stopped or released.
///
/// Stopped with SIGKILL: processes started from the test runner inherit its blocked SIGTERM.
final class MosquittoBroker: @unchecked Sendable {
    let port: Int
    let directory: URL
    private var process: Process?

    /// - Parameters:
    ///   - users: `username: password` pairs; with any, anonymous clients are refused.
    ///   - tls: a certificate set whose server certificate the broker presents (TLS only, no plain listener).
    init(users: [String: String] = [:], tls: CertificateSet? = nil) throws {
        port = RawConnection.freePort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("butler-mqtt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // As root, mosquitto would switch to the `mosquitto` user and could not read the files here.
        var config = getuid() == 0 ? "user root\n" : ""
        config += "listener \(port) 127.0.0.1\npersistence false\n"
        // The broker logs each subscription once it is in place ("<client id> <qos> <topic>"), so
        // `subscribed(_:)` can wait for it.
        config += "log_dest file \(directory.appendingPathComponent("mosquitto.log").path)\nlog_type subscribe\n"
        if let tls {
            config += "cafile \(tls.rootCA)\ncertfile \(tls.serverCertificate)\nkeyfile \(tls.serverKey)\n"
        }
        if users.isEmpty {
            config += "allow_anonymous true\n"
        } else {
            let passwords = directory.appendingPathComponent("passwords").path
            for (user, password) in users {
                let create = !FileManager.default.fileExists(atPath: passwords)
                try Self.run(Self.tool("mosquitto_passwd"), (create ? ["-c"] : []) + ["-b", passwords, user, password])
            }
            config += "allow_anonymous false\npassword_file \(passwords)\n"
        }
        try config.write(to: directory.appendingPathComponent("mosquitto.conf"), atomically: true, encoding: .utf8)
    }

    /// Starts the broker and waits (up to 5 s) until it accepts connections.
    func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.tool("mosquitto"))
        process.arguments = ["-c", directory.appendingPathComponent("mosquitto.conf").path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = ContinuousClock.now + .seconds(5)
        while !RawConnection.isListening(port: port) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(25))
        }
    }

    func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// Starts `mosquitto_sub` for one message on `topic`; `receive()` returns what it printed.
    func subscribe(_ topic: String) throws -> Subscriber {
        try Subscriber(arguments: ["-h", "127.0.0.1", "-p", String(port), "-t", topic, "-C", "1", "-W", "20"])
    }

    /// Like `subscribe(_:)`, but returns only once the broker has the subscription (its log says so; at
    /// most 10 s), so a message published right afterwards, once only, is not missed.
    func subscribed(_ topic: String) async throws -> Subscriber {
        let client = "butler-test-\(UUID().uuidString.prefix(8))"
        let subscriber = try Subscriber(arguments: ["-h", "127.0.0.1", "-p", String(port), "-i", client, "-t", topic, "-C", "1", "-W", "20"])
        let log = directory.appendingPathComponent("mosquitto.log")
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if text.split(separator: "\n").contains(where: { $0.hasSuffix(" \(client) 0 \(topic)") }) { return subscriber }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("mosquitto_sub for \(topic) not subscribed within 10 s")
        return subscriber
    }

    /// Publishes one message with `mosquitto_pub` (QoS 1).
    func publish(_ topic: String, _ message: String) throws {
        try Self.run(Self.tool("mosquitto_pub"), ["-h", "127.0.0.1", "-p", String(port), "-t", topic, "-m", message, "-q", "1"])
    }

    final class Subscriber: @unchecked Sendable {
        private let process = Process()
        private let output = Pipe()

        init(arguments: [String]) throws {
            process.executableURL = URL(fileURLWithPath: MosquittoBroker.tool("mosquitto_sub"))
            process.arguments = arguments
            process.standardOutput = output
            try process.run()
        }

        var hasReceived: Bool { !process.isRunning }

        /// What the subscriber printed (it exits after one message, or after 20 s without one).
        func receive() -> String {
            process.waitUntilExit()
            return String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        }

        deinit {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    static func tool(_ name: String) -> String {
        ["/usr/sbin/\(name)", "/usr/bin/\(name)", "/usr/local/sbin/\(name)"].first { FileManager.default.fileExists(atPath: $0) } ?? name
    }

    private static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
    }
}
