import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// The built `butler` binary, end to end: durability across SIGKILL, start-up failures, per-client limits.
@Suite("butler binary end to end", .serialized)
struct ButlerBinaryTests {
    @Test func acknowledgedPairsSurviveSIGKILL() async throws {
        let butler = try ButlerProcess()
        try await butler.start()
        var acknowledged: [String: String] = [:]
        // Sequential writes, then concurrent ones; each counts once it has been answered with 201.
        for index in 0..<100 {
            let value = "value \(index) ü \"q\""
            let json = #"{"key":"k\#(index)","value":"value \#(index) ü \"q\"","ttl":"\#(index % 2 == 0 ? 0 : 3_600_000)"}"#
            if try await butler.request("POST", "/v4/keyvalues/ns\(index % 3)", json: json).status == 201 {
                acknowledged["ns\(index % 3)/k\(index)"] = value
            }
        }
        let concurrent = try await withThrowingTaskGroup(of: (String, String)?.self) { group in
            for index in 100..<300 {
                group.addTask {
                    let json = #"{"key":"k\#(index)","value":"v\#(index)"}"#
                    let status = try await butler.request("POST", "/v4/keyvalues/ns\(index % 3)", json: json).status
                    return status == 201 ? ("ns\(index % 3)/k\(index)", "v\(index)") : nil
                }
            }
            var results: [(String, String)] = []
            for try await result in group { if let result { results.append(result) } }
            return results
        }
        for (key, value) in concurrent { acknowledged[key] = value }
        #expect(acknowledged.count == 300)
        #expect(try await butler.request("DELETE", "/v4/keyvalues/ns0/k0").status == 204)
        acknowledged["ns0/k0"] = nil

        butler.kill()
        try await butler.start()

        for (path, value) in acknowledged {
            let parts = path.split(separator: "/")
            let response = try await butler.request("GET", "/v4/keyvalues/\(parts[0])?key=\(parts[1])")
            #expect(response.status == 200, "\(path)")
            let body = try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: String]
            #expect(body?["value"] == value, "\(path)")
        }
        #expect(try await butler.request("GET", "/v4/keyvalues/ns0?key=k0").status == 400)
        let namespaces = try await butler.request("GET", "/v4/keyvaluesnamespaces")
        #expect(namespaces.body == #"["ns0","ns1","ns2"]"#)
        #expect(butler.stop() == 0)
    }

    @Test func brokenConfigFailsFastNamingTheKey() async throws {
        let butler = try ButlerProcess()
        let broken = """
            Butler:
              restServerConfig:
                serverPort: eighty
            """
        try broken.write(to: butler.configURL, atomically: true, encoding: .utf8)
        let (status, message) = try ButlerProcess.runToCompletion(["-c", butler.configURL.path])
        #expect(status != 0)
        #expect(message.contains("Butler.restServerConfig.serverPort: expected an integer"), "\(message)")
    }

    // `butler cron next`: the next fire times in the zone and in UTC; a bad expression or zone exits 1.
    @Test func cronNextPrintsFireTimes() throws {
        let result = try ButlerProcess.runCommand(
            ["cron", "next", "30 2 * * *", "--timezone", "Europe/Stockholm", "--from", "2024-03-30T12:00:00Z", "--count", "2"])
        #expect(result.status == 0)
        #expect(result.stdout == "2024-03-31T03:00:00+02:00  2024-03-31T01:00:00Z\n2024-04-01T02:30:00+02:00  2024-04-01T00:30:00Z\n")
        let bad = try ButlerProcess.runCommand(["cron", "next", "0 0 * 13 *"])
        #expect(bad.status == 1)
        #expect(bad.stderr == "butler cron: Invalid cron expression: month: 13 is out of range 1–12 (in '0 0 * 13 *')\n")
        let zone = try ButlerProcess.runCommand(["cron", "next", "* * * * *", "--timezone", "Europe/Stokholm"])
        #expect(zone.status == 1)
        #expect(zone.stderr.contains("Unknown time zone 'Europe/Stokholm'"))
    }

    // --test-email-address: a test message reaches a real SMTP server (aiosmtpd, scripts/smtp_sink.py).
    @Test func testEmailAtStartUp() async throws {
        let smtpPort = try ButlerProcess.freePort()
        let folder = ButlerProcess.makeDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let sink = Process()
        sink.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/smtp_sink.py")
        sink.arguments = ["python3", script.path, String(smtpPort), folder.path]
        sink.standardOutput = FileHandle.nullDevice
        try sink.run()
        defer { kill(sink.processIdentifier, SIGKILL) }
        let butler = try ButlerProcess(extraConfig: """
              emailNotification:
                enable: true
                smtp:
                  host: 127.0.0.1
                  port: \(smtpPort)
            """)
        try await Task.sleep(for: .milliseconds(700))
        try await butler.start(["--api-rate-limit", "0", "--test-email-address", "ops@example.com",
                                "--test-email-from-address", "Butler <butler@example.com>"])
        let deadline = ContinuousClock.now + .seconds(10)
        var names: [String] = []
        while names.isEmpty && ContinuousClock.now < deadline {
            names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".json") }
            try await Task.sleep(for: .milliseconds(50))
        }
        _ = butler.stop()
        let mail = try String(contentsOfFile: folder.appendingPathComponent(try #require(names.first)).path, encoding: .utf8)
        #expect(mail.contains(#""to": ["ops@example.com"]"#))
        #expect(mail.contains(#""subject": "Butler test e-mail""#))
        #expect(mail.contains(#""from": "butler@example.com""#))
    }

    @Test func missingConfigFileFailsFast() throws {
        let (status, message) = try ButlerProcess.runToCompletion(["-c", "/nonexistent/butler.yaml"])
        #expect(status != 0)
        #expect(message.contains("/nonexistent/butler.yaml"))
    }

    // B52: the rate limit counts per real client address (127.0.0.1 and 127.0.0.2 are two clients).
    @Test func rateLimitIsPerClientAddress() async throws {
        let butler = try ButlerProcess()
        try await butler.start(["--api-rate-limit", "5"])
        func curl(from address: String) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--interface", address,
                                 "http://127.0.0.1:\(butler.port)/v4/butlerping"]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            process.waitUntilExit()
            return String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        }
        // start() used one request from 127.0.0.1 already.
        var codes: [String] = []
        for _ in 0..<5 { codes.append(try curl(from: "127.0.0.1")) }
        #expect(codes == ["200", "200", "200", "200", "429"])
        #expect(try curl(from: "127.0.0.2") == "200")
        #expect(butler.stop() == 0)
    }

    @Test func fileLoggingWritesDailyFiles() async throws {
        let butler = try ButlerProcess(extraConfig: "  fileLogging: true\n  logDirectory: logs\n")
        try await butler.start(["--api-rate-limit", "0", "--loglevel", "info"])
        _ = try await butler.request("GET", "/v4/butlerping")
        #expect(butler.stop() == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: butler.directory.appendingPathComponent("logs").path)
        #expect(files.count == 1)
        let name = try #require(files.first)
        #expect(name.hasPrefix("butler.") && name.hasSuffix(".log"))
        let text = try String(contentsOf: butler.directory.appendingPathComponent("logs/\(name)"), encoding: .utf8)
        #expect(text.contains("GET /v4/butlerping 200"))
    }

    // HTTPS with `tls.ca`: clients without a certificate are served (as with Butler); a client
    // certificate must be signed by the configured CA.
    @Test func httpsWithClientCertificates() async throws {
        let pkiDirectory = ButlerProcess.makeDirectory()
        defer { try? FileManager.default.removeItem(at: pkiDirectory) }
        let pki = try TestCertificates(in: pkiDirectory)
        let butler = try ButlerProcess(restServerConfig: """
                tls:
                  enable: true
                  cert: \(pki.path("server.pem"))
                  key: \(pki.path("server-key.pem"))
                  ca: \(pki.path("ca.pem"))
            """)
        try butler.launch(["--api-rate-limit", "0"])

        func curl(_ extra: [String]) throws -> String {
            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            curl.arguments = ["curl", "-s", "--max-time", "5", "-w", " %{http_code}", "--cacert", pki.path("ca.pem")] + extra
                + ["https://127.0.0.1:\(butler.port)/v4/butlerping"]
            let out = Pipe()
            curl.standardOutput = out
            try curl.run()
            curl.waitUntilExit()
            return String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        }
        var plain = ""
        for _ in 0..<100 {
            plain = try curl([])
            if plain.hasSuffix(" 200") { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(plain.hasSuffix(" 200"), "\(plain)")
        #expect(plain.contains("Butler reporting for duty"))
        let withClientCertificate = try curl(["--cert", pki.path("client.pem"), "--key", pki.path("client-key.pem")])
        #expect(withClientCertificate.hasSuffix(" 200"), "\(withClientCertificate)")
        let intruder = try curl(["--cert", pki.path("intruder.pem"), "--key", pki.path("intruder-key.pem")])
        #expect(intruder.hasSuffix(" 000"), "\(intruder)")
    }

    // Attack finding F3: at the usual soft limit of 1,024 open files, descriptors ran out before the default
    // maxConnections (1,000) refused any connection. The soft limit is raised to the hard one at start-up,
    // and a cap the hard limit can't serve is warned about.
    @Test func theOpenFileLimitIsRaisedAndAnUnservableCapWarnedAbout() async throws {
        let butler = try ButlerProcess()
        for (hard, warned) in [(4096, false), (600, true)] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -Sn 256 && ulimit -Hn \(hard) && exec \"$0\" -c \"$1\" --loglevel info", ButlerProcess.binary.path, butler.configURL.path]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            // Ask the running process for its limit, then stop it.
            var limits = ""
            for _ in 0..<200 where !limits.contains("Max open files") {
                if (try? await butler.request("GET", "/v4/butlerping").status) == 200 {
                    limits = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/limits", encoding: .utf8)) ?? ""
                } else {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let line = limits.split(separator: "\n").first { $0.hasPrefix("Max open files") }.map(String.init) ?? ""
            #expect(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).first == "\(hard)", "\(line)")
            #expect(text.contains("the open-file limit is \(hard), too low for restServerConfig.maxConnections 1000") == warned, "\(text)")
        }
    }
}
