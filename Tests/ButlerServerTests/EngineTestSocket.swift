import ButlerCore
import Foundation
import HummingbirdWSClient
import Logging
import NIOSSL
import QlikSenseSimulator
import Synchronization

/// A raw WebSocket to the simulated Engine, for wire tests: send text frames, read JSON frames in the
/// order they arrive.
final class EngineTestSocket: Sendable {
    private let outbound: WebSocketOutboundWriter
    private let received = Mutex<[JSONValue]>([])
    private let ended = Mutex(false)

    init(outbound: WebSocketOutboundWriter) {
        self.outbound = outbound
    }

    func send(_ text: String) async throws { try await outbound.writeTextMessage(text) }

    /// The next frame, or nil when none comes within 5 s or the socket ended.
    func next() async -> JSONValue? {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if let frame = received.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return frame }
            if ended.withLock({ $0 }) { return nil }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }

    fileprivate func receive(_ frame: JSONValue) { received.withLock { $0.append(frame) } }
    fileprivate func end() { ended.withLock { $0 = true } }

    /// TLS with the site's client certificate (or another set's, to test refusals).
    static func tls(_ certificates: CertificateSet, trusting root: String) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificates.clientCertificate).map { .certificate($0) }
        configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: certificates.clientKey, format: .pem))
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(root))
        configuration.certificateVerification = .noHostnameVerification
        configuration.shutdownTimeout = .milliseconds(200)
        return configuration
    }

    /// Connects to `wss://127.0.0.1:<port><path>` and runs `body` on the open socket.
    static func with(port: Int, path: String = "/app/engineData", tls: TLSConfiguration,
                     _ body: @escaping @Sendable (EngineTestSocket) async throws -> Void) async throws {
        var logger = Logger(label: "engine-test-socket")
        logger.logLevel = .warning
        var configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 24, closeTimeout: .seconds(1), sniHostname: "localhost")
        configuration.additionalHeaders[.init("X-Qlik-User")!] = "UserDirectory=Internal;UserId=sa_repository"
        try await WebSocketClient.connect(url: "wss://127.0.0.1:\(port)\(path)", configuration: configuration, tlsConfiguration: tls, logger: logger) { inbound, outbound, _ in
            let socket = EngineTestSocket(outbound: outbound)
            // The handler reads (as Butler's EngineConnection does); the body runs beside it and closes the
            // socket (code 1000) when done, which ends the reading.
            let run = Task {
                do {
                    try await body(socket)
                    try? await outbound.close(.normalClosure, reason: nil)
                } catch {
                    try? await outbound.close(.normalClosure, reason: nil)
                    throw error
                }
            }
            defer { socket.end() }
            for try await message in inbound.messages(maxSize: 1 << 24) {
                if case .text(let text) = message, let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) {
                    socket.receive(value)
                }
            }
            try await run.value
        }
    }
}
