import ButlerCore
import Foundation
import Hummingbird
import Logging
import QlikSenseSimulator
import ServiceLifecycle

/// A Qlik Sense simulator running for one test: its QRS and its Engine on free loopback ports, over TLS
/// with a certificate set made for the test run.
struct RunningSimulator: Sendable {
    let simulator: QlikSenseSimulator
    let qrsPort: Int
    let enginePort: Int

    var site: SimulatedSite { simulator.site }
    var certificates: CertificateSet { simulator.certificates }

    /// `config` pointed at this site: `configQRS`, `configEngine` and `cert` as a Butler user would set them.
    func butlerConfig(_ base: ButlerConfig = .forTests()) -> ButlerConfig {
        var config = base
        let headers = [NameValue(name: "X-Qlik-User", value: "UserDirectory=Internal;UserId=sa_repository")]
        config.qlikSense.qrs = .init(host: "127.0.0.1", port: qrsPort, headers: headers, rejectUnauthorized: true)
        config.qlikSense.engine = .init(host: "127.0.0.1", port: enginePort, headers: headers, rejectUnauthorized: true)
        config.qlikSense.certificates = .init(
            clientCert: certificates.clientCertificate, clientCertKey: certificates.clientKey, clientCertCA: certificates.rootCA)
        config.qlikSense.connectTimeout = .seconds(2)
        config.qlikSense.requestTimeout = .seconds(5)
        return config
    }
}

enum TestSite {
    /// The shipped example site (examples/qlik-sense-site.yaml), so the example is checked by every run.
    static func description() throws -> SiteDescription {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try SiteDescription.load(from: root.appendingPathComponent("examples/qlik-sense-site.yaml").path)
    }

    /// One certificate set for the whole test run (a site's CA, server and client certificates).
    static let certificates: CertificateSet = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("butler-qlik-pki-\(UUID().uuidString)")
        return try! CertificateSet.write(to: directory)
    }()

    static let salesTask = "e3b27f50-b1c0-4879-88fc-c7cdd9c1cf3e"
    static let hrTask = "7552d9fc-d1bb-4975-9a38-18357de531ea"
    static let financeTask = "fbf645f0-0c92-40a4-af9a-6e3eb1d3c35c"
    static let userSyncTask = "0d815a99-1ca3-4131-a398-6878bd735fd8"
    static let salesApp = "3a0b4f0e-6f1d-4c8a-9a7e-2d5f0c1e9b11"
    static let hrApp = "4b1c5a1f-7a2e-4d9b-8b8f-3e6a1d2f0c22"
}

/// Runs the simulator for the duration of `body`, then shuts it down.
func withSimulator(
    _ description: SiteDescription? = nil, certificates: CertificateSet = TestSite.certificates,
    _ body: @Sendable (RunningSimulator) async throws -> Void
) async throws {
    var logger = Logger(label: "qlik-sense-sim")
    logger.logLevel = .warning
    let simulator = QlikSenseSimulator(site: SimulatedSite(try description ?? TestSite.description()), certificates: certificates, logger: logger)
    let (qrsPorts, qrsContinuation) = AsyncStream.makeStream(of: Int.self)
    let (enginePorts, engineContinuation) = AsyncStream.makeStream(of: Int.self)
    let qrs = try simulator.qrsApplication(port: 0) { port in qrsContinuation.yield(port) }
    let engine = try simulator.engineApplication(port: 0) { port in engineContinuation.yield(port) }
    let group = ServiceGroup(configuration: .init(services: [qrs, engine], logger: logger))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var qrsIterator = qrsPorts.makeAsyncIterator()
        var engineIterator = enginePorts.makeAsyncIterator()
        guard let qrsPort = await qrsIterator.next(), let enginePort = await engineIterator.next() else { throw CancellationError() }
        do {
            try await body(RunningSimulator(simulator: simulator, qrsPort: qrsPort, enginePort: enginePort))
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}
