import ButlerCore
import ButlerNotifications
import Logging
import ServiceLifecycle

/// Every destination of reload events that the config enables (spec §7.4): MQTT, InfluxDB, e-mail,
/// Slack, Teams, Signl4, New Relic, the script-log folder and outgoing webhooks. Destinations that own connections
/// are added to `services`, so they are closed at shutdown.
/// - Throws: `ConfigError` for a template outside the Handlebars subset or a file that can't be read.
func reloadEventDestinations(
    config: ButlerConfig, options: ServerOptions, mqtt: MQTTConnection?, http: OutboundHTTPClient, services: inout [any Service]
) throws -> [any ReloadEventDestination] {
    let logger = options.logger
    var destinations: [any ReloadEventDestination] = []
    if let mqtt { destinations.append(MQTTReloadEvents(connection: mqtt, config: config.mqtt)) }
    if config.influxDB.enable { destinations.append(InfluxDBReloadEvents(config: config.influxDB, http: http)) }
    let mailer = SMTPMailer(config: config.email.smtp, timeout: options.outboundTimeout)
    if config.email.enable, let alert = config.email.reloadTaskSuccess {
        destinations.append(try EmailReloadEvents(kind: .success, alert: alert, urls: config.urls, mailer: mailer, clock: options.clock, logger: logger))
    }
    for kind in [TaskEvent.Kind.failed, .aborted] {
        let failed = kind == .failed
        if config.email.enable, let alert = failed ? config.email.reloadTaskFailure : config.email.reloadTaskAborted {
            destinations.append(try EmailReloadEvents(kind: kind, alert: alert, urls: config.urls, mailer: mailer, clock: options.clock, logger: logger))
        }
        if let alert = failed ? config.slack.reloadTaskFailure : config.slack.reloadTaskAborted {
            destinations.append(try ChatReloadEvents(channel: .slack, kind: kind, alert: alert, urls: config.urls, http: http, logger: logger))
        }
        if let alert = failed ? config.teams.reloadTaskFailure : config.teams.reloadTaskAborted {
            destinations.append(try ChatReloadEvents(channel: .teams, kind: kind, alert: alert, urls: config.urls, http: http, logger: logger))
        }
        if let alert = failed ? config.signl4.reloadTaskFailure : config.signl4.reloadTaskAborted {
            destinations.append(Signl4ReloadEvents(kind: kind, url: config.signl4.url, alert: alert, http: http))
        }
        if let incidents = config.newRelicIncidents, let alert = failed ? incidents.reloadTaskFailure : incidents.reloadTaskAborted {
            destinations.append(NewRelicReloadEvents(kind: kind, config: incidents, alert: alert, accounts: config.newRelic.accounts, http: http, logger: logger))
        }
    }
    if let directory = config.scriptLog.failedReloadDirectory {
        destinations.append(ScriptLogArchive(config: config.scriptLog, directory: directory, clock: options.clock))
    }
    let webhooks = try WebhookReloadEvents(config: config.webhooks, timeout: options.outboundTimeout)
    if !webhooks.destinations.isEmpty {
        destinations += webhooks.destinations
        services.append(webhooks)
    }
    return destinations
}
