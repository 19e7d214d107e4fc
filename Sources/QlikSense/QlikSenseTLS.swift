import ButlerCore
import NIOSSL

/// TLS to a Qlik Sense site (QRS and Engine): the client certificate and key from `Butler.cert`; with
/// `rejectUnauthorized` the server's certificate must chain to `Butler.cert.clientCertCA`, else it isn't
/// verified (Butler's default, for sites with their own CA).
enum QlikSenseTLS {
    /// - Throws: `ButlerError.failed` naming a certificate file that is not set or can't be loaded.
    static func clientConfiguration(certificates: QlikSenseConfig.ClientCertificates, rejectUnauthorized: Bool) throws -> TLSConfiguration {
        func load<T>(_ key: String, _ path: String?, _ body: (String) throws -> T) throws -> T {
            guard let path else { throw ButlerError.failed("Butler.cert.\(key) is not set") }
            do {
                return try body(path)
            } catch {
                throw ButlerError.failed("Butler.cert.\(key) could not be loaded (\(path)): \(error)")
            }
        }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateChain = try load("clientCert", certificates.clientCert) { try NIOSSLCertificate.fromPEMFile($0) }
            .map { .certificate($0) }
        configuration.privateKey = .privateKey(try load("clientCertKey", certificates.clientCertKey) { try NIOSSLPrivateKey(file: $0, format: .pem) })
        if rejectUnauthorized {
            configuration.trustRoots = .certificates(try load("clientCertCA", certificates.clientCertCA) { try NIOSSLCertificate.fromPEMFile($0) })
        } else {
            configuration.certificateVerification = .none
        }
        return configuration
    }
}
