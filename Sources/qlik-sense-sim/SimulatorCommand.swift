import ArgumentParser
import Foundation
import Hummingbird
import Logging
import QlikSenseSimulator
import ServiceLifecycle

/// `qlik-sense-sim`: a stand-in Qlik Sense site for trying Butler without one.
@main
struct SimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qlik-sense-sim",
        abstract: "A simulated Qlik Sense site (QRS and the Engine with client certificates, Scheduler UDP messages) for trying Butler.",
        subcommands: [Run.self, Certificates.self],
        defaultSubcommand: Run.self)

    /// `qlik-sense-sim certificates --output <dir>`: a CA, server and client set laid out like a QMC export.
    struct Certificates: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write root.pem, server.pem, server_key.pem, client.pem and client_key.pem into a folder.")

        @Option(help: ArgumentHelp("Folder to write the certificates into (created if missing).", valueName: "dir"))
        var output: String

        @Option(help: ArgumentHelp("Host name for the server certificate.", valueName: "name"))
        var hostName: String = "localhost"

        func run() throws {
            let set = try CertificateSet.write(to: URL(fileURLWithPath: output), hostNames: [hostName])
            print("Wrote \(set.rootCA), \(set.serverCertificate), \(set.serverKey), \(set.clientCertificate), \(set.clientKey)")
        }
    }

    /// `qlik-sense-sim run`: serves the site until Ctrl-C / SIGTERM.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Serve a simulated site.")

        @Option(help: ArgumentHelp("Site description (YAML or JSON).", valueName: "path"))
        var site: String = "examples/qlik-sense-site.yaml"

        @Option(help: ArgumentHelp(
            "Certificate folder (root.pem, server.pem, …); a new set is written there when it has none.", valueName: "dir"))
        var certificates: String = "data/qlik-sense-sim/certificates"

        @Option(help: ArgumentHelp("Address to listen on.", valueName: "address"))
        var host: String = "127.0.0.1"

        @Option(help: ArgumentHelp("QRS port.", valueName: "port"))
        var qrsPort: Int = 4242

        @Option(help: ArgumentHelp("Engine port.", valueName: "port"))
        var enginePort: Int = 4747

        @Option(help: ArgumentHelp(
            "Send the Scheduler's UDP message of every finished run to Butler's udpServerConfig listener, e.g. 127.0.0.1:9998.",
            valueName: "host:port"))
        var schedulerMessagesTo: String?

        func run() async throws {
            let logger = Logger(label: "qlik-sense-sim")
            let folder = URL(fileURLWithPath: certificates)
            var set = CertificateSet(directory: folder)
            if !FileManager.default.fileExists(atPath: set.rootCA) {
                set = try CertificateSet.write(to: folder)
                logger.info("Wrote a new certificate set to \(folder.path)")
            }
            let simulator = QlikSenseSimulator(site: SimulatedSite(try SiteDescription.load(from: site)), certificates: set, host: host, logger: logger)
            var target: SchedulerUDPSender?
            if let address = schedulerMessagesTo {
                guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
                    throw ValidationError("--scheduler-messages-to must be host:port, e.g. 127.0.0.1:9998")
                }
                target = SchedulerUDPSender(host: String(address[..<colon]), port: port)
            }
            let sender = target
            let site = simulator.site
            site.onRun { task, result in
                logger.info("Task \(task.id) (\(task.name)) ran: status \(result.status)")
                sender?.send(for: task, result, site: site)
            }
            let qrs = try simulator.qrsApplication(port: qrsPort) { port in
                logger.info("QRS listening on https://\(host):\(port)/qrs (client certificate required)")
            }
            let engine = try simulator.engineApplication(port: enginePort) { port in
                logger.info("Engine listening on wss://\(host):\(port) (client certificate required)")
            }
            let group = ServiceGroup(configuration: .init(services: [qrs, engine], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        }
    }
}
