import ButlerCore
import Crypto
import Foundation
import SwiftASN1
import X509

/// A certificate set laid out like a Qlik Sense certificate export from the QMC (PEM format): `root.pem`
/// (the site's CA), `server.pem` + `server_key.pem` (the site's services), `client.pem` + `client_key.pem`
/// (what Butler presents). Made at run time with swift-certificates (P-256 keys, PKCS #8), never committed.
public struct CertificateSet: Sendable {
    public let directory: URL

    /// A set already in `directory` (e.g. a real QMC export, or one written by `write(to:)`).
    public init(directory: URL) {
        self.directory = directory
    }

    public var rootCA: String { path("root.pem") }
    public var serverCertificate: String { path("server.pem") }
    public var serverKey: String { path("server_key.pem") }
    public var clientCertificate: String { path("client.pem") }
    public var clientKey: String { path("client_key.pem") }

    public func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Writes a new CA, a server certificate for `hostNames` and `ipAddresses`, and a client certificate into
    /// `directory` (created if missing). Certificates are valid from an hour ago for `validity`.
    /// - Throws: when a file can't be written, or an IP address is not IPv4/IPv6 text.
    @discardableResult
    public static func write(
        to directory: URL, commonName: String = "Qlik Sense simulator",
        hostNames: [String] = ["localhost"], ipAddresses: [String] = ["127.0.0.1", "::1"],
        validity: TimeInterval = 60 * 60 * 24 * 365
    ) throws -> CertificateSet {
        try OwnerOnlyFiles.createDirectories(atPath: directory.path)
        let set = CertificateSet(directory: directory)
        let notBefore = Date().addingTimeInterval(-3600)
        let notAfter = notBefore.addingTimeInterval(validity + 3600)

        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName { CommonName("\(commonName) CA") }
        let ca = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(caKey.publicKey),
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: caName, subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: .init(caKey))

        func leaf(_ name: String, usage: [ExtendedKeyUsage.Usage], alternativeNames: [GeneralName]) throws -> (String, String) {
            let key = P256.Signing.PrivateKey()
            let certificate = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
                notValidBefore: notBefore, notValidAfter: notAfter, issuer: caName,
                subject: try DistinguishedName { CommonName(name) },
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true, keyAgreement: true))
                    try ExtendedKeyUsage(usage)
                    if !alternativeNames.isEmpty { SubjectAlternativeNames(alternativeNames) }
                },
                issuerPrivateKey: .init(caKey))
            return (try certificate.serializeAsPEM().pemString, key.pemRepresentation)
        }

        var names = hostNames.map { GeneralName.dnsName($0) }
        for address in ipAddresses {
            guard let bytes = ipAddressBytes(address) else { throw CertificateSetError.notAnIPAddress(address) }
            names.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(bytes))))
        }
        let (server, serverKey) = try leaf(hostNames.first ?? "localhost", usage: [.serverAuth, .clientAuth], alternativeNames: names)
        let (client, clientKey) = try leaf("QlikClient", usage: [.clientAuth], alternativeNames: [])

        try write(try ca.serializeAsPEM().pemString, to: set.rootCA)
        try write(server, to: set.serverCertificate)
        try write(serverKey, to: set.serverKey, secret: true)
        try write(client, to: set.clientCertificate)
        try write(clientKey, to: set.clientKey, secret: true)
        return set
    }

    /// Writes one PEM file; keys (`secret`) are created readable by their owner only.
    private static func write(_ text: String, to path: String, secret: Bool = false) throws {
        let data = Data((text + "\n").utf8)
        if secret {
            try OwnerOnlyFiles.write(data, toPath: path)
        } else {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        }
    }

    private static func ipAddressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}

public enum CertificateSetError: Error, CustomStringConvertible {
    case notAnIPAddress(String)

    public var description: String {
        switch self {
        case .notAnIPAddress(let text): "Not an IP address: \(text)"
        }
    }
}
