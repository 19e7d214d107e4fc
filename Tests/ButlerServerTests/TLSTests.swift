import ButlerCore
import ButlerServer
import Foundation
import HummingbirdTesting
import NIOSSL
import QlikSenseSimulator
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

    /// A GET over its own TLS connection with `tls`; the status, or nil when the handshake (or the request) failed.
    static func status(port: Int, _ tls: TLSConfiguration) async -> Int? {
        let client = TestClient(host: "127.0.0.1", port: port, configuration: .init(tlsConfiguration: tls, timeout: .seconds(5), serverName: "localhost"))
        client.connect()
        defer { Task { try? await client.shutdown() } }
        do {
            return try await client.execute(.init("/v4/butlerping", method: .get, authority: "localhost")).status.code
        } catch {
            return nil
        }
    }

    static func clientTLS(_ set: CertificateSet, withCertificate: Bool) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(set.rootCA))
        if withCertificate {
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(set.clientCertificate).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: set.clientKey, format: .pem))
        }
        return tls
    }

    // `requireClientCertificate: true`: mutual TLS; without it, `ca` only checks a certificate that is sent.
    @Test func requireClientCertificateMakesMutualTLSMandatory() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let set = try CertificateSet.write(to: directory)
        let stranger = try CertificateSet.write(to: directory.appendingPathComponent("stranger"))
        for required in [false, true] {
            var config = ButlerConfig.forTests()
            config.restServer.tls = TLSConfig(enable: true, cert: set.serverCertificate, key: set.serverKey, ca: set.rootCA, requireClientCertificate: required)
            try await withButler(config, testing: .ahc(.https)) { client in
                let port = try #require(client.port)
                #expect(await Self.status(port: port, try Self.clientTLS(set, withCertificate: true)) == 200)
                #expect(await Self.status(port: port, try Self.clientTLS(set, withCertificate: false)) == (required ? nil : 200))
                // A certificate from another CA is refused either way.
                var foreign = try Self.clientTLS(set, withCertificate: false)
                foreign.certificateChain = try NIOSSLCertificate.fromPEMFile(stranger.clientCertificate).map { .certificate($0) }
                foreign.privateKey = .privateKey(try NIOSSLPrivateKey(file: stranger.clientKey, format: .pem))
                #expect(await Self.status(port: port, foreign) == nil)
            }
        }
    }

    @Test func tlsBelowVersion1_2IsRefused() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let set = try CertificateSet.write(to: directory)
        var config = ButlerConfig.forTests()
        config.restServer.tls = TLSConfig(enable: true, cert: set.serverCertificate, key: set.serverKey)
        try await withButler(config, testing: .ahc(.https)) { client in
            let port = try #require(client.port)
            var old = try Self.clientTLS(set, withCertificate: false)
            old.minimumTLSVersion = .tlsv1
            old.maximumTLSVersion = .tlsv11
            #expect(await Self.status(port: port, old) == nil)
            var current = try Self.clientTLS(set, withCertificate: false)
            current.maximumTLSVersion = .tlsv12
            #expect(await Self.status(port: port, current) == 200)
        }
    }
}
