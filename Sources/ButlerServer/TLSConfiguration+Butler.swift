import ButlerCore
import NIOSSL

/// HTTPS from `Butler.restServerConfig.tls`: the PEM certificate chain and key, TLS 1.2 or later; with
/// `ca`, clients that present a certificate must present one the CA signed (clients without one are still
/// served, as with Butler, whose `ca` did not require client certificates) unless
/// `requireClientCertificate` makes mutual TLS mandatory.
func makeTLSConfiguration(_ tls: TLSConfig) throws -> TLSConfiguration {
    func load<T>(_ what: String, _ path: String?, _ body: (String) throws -> T) throws -> T {
        guard let path, !path.isEmpty else { throw ButlerError.failed("REST API TLS \(what) file is not set") }
        do {
            return try body(path)
        } catch {
            throw ButlerError.failed("REST API TLS \(what) file could not be loaded (\(path)): \(error)")
        }
    }
    let chain = try load("cert", tls.cert) { try NIOSSLCertificate.fromPEMFile($0) }
    let key = try load("key", tls.key) { try NIOSSLPrivateKey(file: $0, format: .pem) }
    var configuration = TLSConfiguration.makeServerConfiguration(
        certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
    configuration.minimumTLSVersion = .tlsv12
    if let ca = tls.ca, !ca.isEmpty {
        let roots = try load("CA", ca) { try NIOSSLCertificate.fromPEMFile($0) }
        configuration.trustRoots = .certificates(roots)
        // A server doesn't check its clients' host names; `noHostnameVerification` requires a certificate.
        configuration.certificateVerification = tls.requireClientCertificate ? .noHostnameVerification : .optionalVerification
    }
    return configuration
}
