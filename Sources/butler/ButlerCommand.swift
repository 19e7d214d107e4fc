import ArgumentParser
import ButlerCore
import ButlerNotifications
import ButlerServer
import Foundation
import Hummingbird
import Logging

/// `butler`: Butler's command line. Loads the config, then runs the REST server until SIGINT/SIGTERM.
///
/// Options are Butler's (`-c/--configfile`, `-l/--loglevel`, `--api-rate-limit`,
/// `--skip-config-verification`, `--no-qs-connection`, `--version`).
@main
struct ButlerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "butler",
        abstract: "Butler in Swift: add-on services for Qlik Sense Enterprise on Windows.",
        discussion: """
            Runs Butler's REST API (key-value store, base conversion, endpoint list, ping) as \
            configured in Butler's YAML config file. Without --configfile, config/butler.yaml is used \
            when it exists, else built-in defaults (REST API on 127.0.0.1:8080, key-value store in \
            data/butler.sqlite, no Qlik Sense). Stop it with Ctrl-C or SIGTERM.
            """,
        version: ButlerVersion.current,
        subcommands: [CronCommand.self]
    )

    @Option(name: [.short, .customLong("configfile")], help: ArgumentHelp(
        "Butler's YAML config file. Default: config/butler.yaml if present, else built-in defaults.",
        valueName: "path"))
    var configFile: String?

    @Option(name: [.short, .customLong("loglevel")], help: ArgumentHelp(
        "Log level; overrides Butler.logLevel.", valueName: "level"))
    var logLevel: LogLevel?

    @Option(name: .customLong("api-rate-limit"), help: ArgumentHelp(
        "REST API requests allowed per minute and client address; 0 turns the limit off.", valueName: "n"))
    var apiRateLimit: Int = 100

    @Flag(name: .customLong("skip-config-verification"), help: "Don't warn about unknown config keys.")
    var skipConfigVerification = false

    @Flag(name: .customLong("no-qs-connection"), help: ArgumentHelp(
        "Isolated mode: don't connect to Qlik Sense (no certificates are loaded)."))
    var noQlikSenseConnection = false

    @Option(name: .customLong("test-email-address"), help: ArgumentHelp(
        "Send a test e-mail to this address at start-up, through Butler.emailNotification.smtp.", valueName: "address"))
    var testEmailAddress: String?

    @Option(name: .customLong("test-email-from-address"), help: ArgumentHelp(
        "Sender of the test e-mail. Default: the failed-reload alert's fromAddress.", valueName: "address"))
    var testEmailFromAddress: String?

    @Flag(name: .customShort("V"), help: ArgumentHelp("Show the version (as --version).", visibility: .hidden))
    var showVersion = false

    func validate() throws {
        guard apiRateLimit >= 0 else { throw ValidationError("--api-rate-limit must be 0 (off) or a positive number") }
    }

    func run() async throws {
        if showVersion {
            print(ButlerVersion.current)
            return
        }
        let (config, source, warnings) = try loadConfig()
        let level = (logLevel ?? config.logLevel).loggerLevel
        var sinks: [any LogSink] = [ConsoleLogSink()]
        if config.fileLogging {
            do {
                sinks.append(try DailyFileLogSink(directory: config.logDirectory))
            } catch {
                throw fail("cannot create the log directory Butler.logDirectory '\(config.logDirectory)': \(error.localizedDescription)")
            }
        }
        LoggingSystem.bootstrap { [sinks] _ in ButlerLogHandler(logLevel: level, sinks: sinks) }
        var logger = Logger(label: "butler")
        logger.logLevel = level
        logger.info("Butler \(ButlerVersion.current) starting, config: \(source)")
        if !skipConfigVerification {
            for warning in warnings { logger.warning("Config: \(warning)") }
        }
        if noQlikSenseConnection { logger.info("Running without a Qlik Sense connection (--no-qs-connection)") }
        OpenFileLimit.raise(toServe: config.restServer.maxConnections, logger: logger)
        guard config.restServer.enable else {
            throw fail("Butler.restServerConfig.enable is false: the REST API is off and there is nothing else to run yet")
        }

        var options = ServerOptions()
        options.apiRateLimit = apiRateLimit
        options.qlikSenseConnection = !noQlikSenseConnection
        options.logger = logger
        let application: any ApplicationProtocol
        do {
            application = try buildApplication(config: config, options: options)
        } catch let error as ButlerError {
            throw fail(error.message)
        } catch let error as ConfigError {
            throw fail("invalid config: \(error)")
        }
        if let testEmailAddress { sendTestEmail(to: testEmailAddress, config: config, logger: logger) }
        do {
            try await application.runService()
        } catch {
            let address = "\(config.restServer.serverHost):\(config.restServer.serverPort)"
            throw fail("the REST API stopped (Butler.restServerConfig, \(address)): \(error)")
        }
    }

    /// `--test-email-address`: one message through the configured SMTP server; the outcome is logged.
    private func sendTestEmail(to address: String, config: ButlerConfig, logger: Logger) {
        let from = testEmailFromAddress ?? config.email.reloadTaskFailure?.fromAddress ?? "Butler <butler@localhost>"
        let message = MailMessage(
            from: from, to: [address], subject: "Butler test e-mail",
            html: "<p>This is a test e-mail from Butler \(ButlerVersion.current): e-mail alerts can reach you.</p>",
            text: "This is a test e-mail from Butler \(ButlerVersion.current): e-mail alerts can reach you.")
        let mailer = SMTPMailer(config: config.email.smtp)
        Task {
            do {
                try await mailer.send(message)
                logger.info("Test e-mail sent to \(address) through \(config.email.smtp.host):\(config.email.smtp.port)")
            } catch {
                logger.error("Test e-mail to \(address) failed: \(error)")
            }
        }
    }

    /// The config from `--configfile`, `config/butler.yaml` or the built-in defaults, with where it came
    /// from and its warnings. Exits with status 1 and a message naming the key on an invalid config.
    private func loadConfig() throws -> (ButlerConfig, String, [String]) {
        let path = configFile ?? (FileManager.default.fileExists(atPath: "config/butler.yaml") ? "config/butler.yaml" : nil)
        guard let path else { return (ConfigLoader.builtInDefault(), "built-in defaults", []) }
        do {
            let loaded = try ConfigLoader.load(file: path)
            return (loaded.config, path, loaded.warnings)
        } catch let error as ConfigError {
            throw fail("invalid config file '\(path)': \(error)")
        }
    }

    /// Writes a fatal start-up problem to standard error; returns the exit status to throw.
    private func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("butler: \(message)\n".utf8))
        return ExitCode(1)
    }
}

extension LogLevel: ExpressibleByArgument {
    /// Case-insensitive, as in the config file (`-l INFO`).
    public init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }
}
