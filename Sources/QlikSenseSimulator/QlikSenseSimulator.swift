import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL

/// A simulated Qlik Sense site: QRS over HTTPS (default port 4242, `qrsApplication`) and the Engine's
/// JSON-RPC over WSS (default port 4747, `engineApplication`), both requiring a client certificate signed
/// by the site's CA, like a real central node.
///
/// Made from a `SiteDescription` and a `CertificateSet` (the site's `root.pem`, `server.pem`,
/// `server_key.pem`; clients present `client.pem`/`client_key.pem`).
public struct QlikSenseSimulator: Sendable {
    public let site: SimulatedSite
    public let certificates: CertificateSet
    public let host: String
    public let logger: Logger

    public init(site: SimulatedSite, certificates: CertificateSet, host: String = "127.0.0.1", logger: Logger = Logger(label: "qlik-sense-sim")) {
        self.site = site
        self.certificates = certificates
        self.host = host
        self.logger = logger
    }

    /// TLS for the site's services: the server certificate, and a client certificate signed by the site's
    /// CA required on every connection (the handshake fails without one).
    public func serverTLSConfiguration() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificates.serverCertificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: certificates.serverKey, format: .pem)))
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificates.rootCA))
        configuration.certificateVerification = .noHostnameVerification
        return configuration
    }

    /// The QRS server on `port` (0 picks a free port; `onRunning` receives the bound port).
    public func qrsApplication(port: Int = 4242, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: QRSRequestCheck())
        QRSController(site: site).register(on: router)
        let tls = try serverTLSConfiguration()
        return Application(
            router: router,
            server: try .tls(.http1(), tlsConfiguration: tls),
            configuration: .init(address: .hostname(host, port: port), serverName: "Qlik Sense Repository Service"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
