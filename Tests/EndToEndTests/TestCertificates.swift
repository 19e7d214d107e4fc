import Foundation

/// A test PKI made with `openssl` at test time (never committed): a CA with a server certificate for
/// 127.0.0.1 and a client certificate, and a second, unrelated CA with its own client certificate.
struct TestCertificates {
    let directory: URL

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    init(in directory: URL) throws {
        self.directory = directory
        try makeCA("ca")
        try makeCertificate("server", signedBy: "ca", subject: "/CN=localhost", altNames: "DNS:localhost,IP:127.0.0.1")
        try makeCertificate("client", signedBy: "ca", subject: "/CN=qlik-client")
        try makeCA("other-ca")
        try makeCertificate("intruder", signedBy: "other-ca", subject: "/CN=intruder")
    }

    private func makeCA(_ name: String) throws {
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=\(name)",
                     "-keyout", path("\(name)-key.pem"), "-out", path("\(name).pem")])
    }

    private func makeCertificate(_ name: String, signedBy ca: String, subject: String, altNames: String? = nil) throws {
        var request = ["req", "-newkey", "rsa:2048", "-nodes", "-subj", subject,
                       "-keyout", path("\(name)-key.pem"), "-out", path("\(name).csr")]
        if let altNames { request += ["-addext", "subjectAltName=\(altNames)"] }
        try openssl(request)
        try openssl(["x509", "-req", "-in", path("\(name).csr"), "-CA", path("\(ca).pem"), "-CAkey", path("\(ca)-key.pem"),
                     "-CAcreateserial", "-days", "1", "-copy_extensions", "copy", "-out", path("\(name).pem")])
    }

    private func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestCertificateError.opensslFailed(arguments.joined(separator: " ")) }
    }
}

enum TestCertificateError: Error {
    case opensslFailed(String)
}
