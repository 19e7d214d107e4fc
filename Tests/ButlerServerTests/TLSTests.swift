import ButlerCore
import ButlerServer
import Foundation
import HummingbirdTesting
import Testing

/// HTTPS on the REST port from `Butler.restServerConfig.tls`, with a certificate made at test time.
@Suite("HTTPS (restServerConfig.tls)", .serialized)
struct TLSTests {
    /// Writes a self-signed certificate and key for 127.0.0.1/localhost with `openssl`.
    static func makeCertificate(in directory: URL) throws -> (cert: String, key: String) {
        let cert = directory.appendingPathComponent("server.pem").path
        let key = directory.appendingPathComponent("server-key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "openssl failed")
        return (cert, key)
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("butler-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func servesHTTPS() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (cert, key) = try Self.makeCertificate(in: directory)
        var config = ButlerConfig.forTests()
        config.restServer.tls = TLSConfig(enable: true, cert: cert, key: key)
        try await withButler(config, testing: .ahc(.https)) { client in
            let response = try await client.send(.get, "/v4/butlerping")
            #expect(response.status == .ok)
            #expect(response.json == ["response": "Butler reporting for duty", "butlerVersion": .string(ButlerVersion.current)])
        }
    }

    @Test func unreadableCertificateFailsStartWithTheFileNamed() throws {
        var config = ButlerConfig.forTests()
        config.restServer.tls = TLSConfig(enable: true, cert: "/nonexistent/cert.pem", key: "/nonexistent/key.pem")
        var options = ServerOptions()
        options.keyValueStore = InMemoryKeyValueStore()
        do {
            _ = try buildApplication(config: config, options: options)
            Issue.record("expected a failure")
        } catch let error as ButlerError {
            #expect(error.message.hasPrefix("REST API TLS cert file could not be loaded (/nonexistent/cert.pem)"))
        }
    }
}
