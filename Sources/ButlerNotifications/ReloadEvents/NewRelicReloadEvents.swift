import ButlerCore
import Foundation
import Logging

/// Failed and aborted reloads to New Relic (`Butler.incidentTool.newRelic`, spec §7.4): an event
/// (`qs_reloadTaskFailedEvent` / `qs_reloadTaskAbortedEvent`) to `<url.event>/v1/accounts/<id>/events` and a
/// log entry with the script log's tail to `url.log`, each to the accounts named by `sendToAccount.always`
/// and by the task's custom property, with `Api-Key` from `thirdPartyToolsCredentials.newRelic`. Static
/// attributes and (when configured) the app's and task's tags are added.
public struct NewRelicReloadEvents: ReloadEventDestination {
    let kind: TaskEvent.Kind
    let config: NewRelicIncidentConfig
    let alert: NewRelicIncidentConfig.Alert
    let accounts: [NewRelicConfig.Account]
    let http: OutboundHTTPClient
    let logger: Logger

    public init(kind: TaskEvent.Kind, config: NewRelicIncidentConfig, alert: NewRelicIncidentConfig.Alert,
                accounts: [NewRelicConfig.Account], http: OutboundHTTPClient, logger: Logger) {
        self.kind = kind
        self.config = config
        self.alert = alert
        self.accounts = accounts
        self.http = http
        self.logger = logger
    }

    public var name: String { "New Relic (\(kind == .failed ? "failed" : "aborted") reloads)" }
    public func accepts(_ kind: TaskEvent.Kind) -> Bool { kind == self.kind }
    public func rateLimitSeconds(for kind: TaskEvent.Kind) -> Int? { alert.rateLimit > 0 ? alert.rateLimit : nil }

    public func deliver(_ reload: ReloadAlert) async throws {
        var failures: [String] = []
        if let destination = alert.event {
            let event = attributes(reload, destination).merging(
                ["eventType": .string(kind == .failed ? "qs_reloadTaskFailedEvent" : "qs_reloadTaskAbortedEvent")]) { $1 }
            for account in accounts(for: reload, destination) {
                let url = config.eventURL.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/v1/accounts/\(account.accountId)/events"
                if let problem = await post(.array([.object(event)]), to: url, account: account) { failures.append(problem) }
            }
        }
        if let destination = alert.log {
            var attributes = attributes(reload, destination)
            attributes["logtype"] = .string(kind == .failed ? "qs_reloadTaskFailedLog" : "qs_reloadTaskAbortedLog")
            let tail = reload.scriptLog?.tail(destination.tailScriptLogLines).joined(separator: "\n") ?? ""
            let entry: JSONValue = .array([.object([
                "common": .object(["attributes": .object(attributes)]),
                "logs": .array([.object(["timestamp": .number((Date().timeIntervalSince1970 * 1000).rounded()),
                                         "message": .string("Qlik Sense reload \(kind == .failed ? "failed" : "aborted"): \(reload.event.taskName)\n\(tail)")])]),
            ])])
            for account in accounts(for: reload, destination) {
                if let problem = await post(entry, to: config.logURL, account: account) { failures.append(problem) }
            }
        }
        if !failures.isEmpty { throw ButlerError(.badGateway, failures.joined(separator: "; ")) }
    }

    func attributes(_ reload: ReloadAlert, _ destination: NewRelicIncidentConfig.Destination) -> [String: JSONValue] {
        let event = reload.event
        var attributes: [String: JSONValue] = [
            "qs_host": .string(event.hostName), "qs_user": .string(event.user.replacingOccurrences(of: "\\", with: "/")),
            "qs_taskId": .string(event.taskId), "qs_taskName": .string(event.taskName), "qs_appId": .string(event.appId ?? ""),
            "qs_appName": .string(event.appName), "qs_logTimeStamp": .string(event.logTimeStamp), "qs_logLevel": .string(event.logLevel),
            "qs_executionId": .string(event.executionId), "qs_logMessage": .string(event.logMessage),
        ]
        if let execution = reload.execution {
            attributes["qs_executingNodeName"] = .string(execution.executingNodeName)
            attributes["qs_executionStatusText"] = .string(execution.statusText)
            attributes["qs_executionDuration"] = .number(Double(execution.duration))
        }
        for attribute in alert.staticAttributes + destination.staticAttributes { attributes[attribute.name] = .string(attribute.value) }
        if destination.useAppTags { for tag in reload.app?.tags ?? [] { attributes["qs_appTag_\(tag)"] = .string(tag) } }
        if destination.useTaskTags { for tag in reload.task?.tags ?? [] { attributes["qs_taskTag_\(tag)"] = .string(tag) } }
        return attributes
    }

    /// `always` accounts plus those the task's custom property names, known in the credentials, without repeats.
    func accounts(for reload: ReloadAlert, _ destination: NewRelicIncidentConfig.Destination) -> [NewRelicConfig.Account] {
        var names = destination.alwaysAccounts
        if let property = destination.accountCustomProperty {
            names += (reload.task?.customProperties ?? []).filter { $0.name == property }.map(\.value)
        }
        var seen = Set<String>()
        return names.compactMap { name in
            guard seen.insert(name).inserted else { return nil }
            guard let account = accounts.first(where: { $0.accountName == name }) else {
                logger.warning("\(self.name): no account '\(name)' in Butler.thirdPartyToolsCredentials.newRelic")
                return nil
            }
            return account
        }
    }

    /// nil when New Relic accepted the records, else why not.
    private func post(_ body: JSONValue, to url: String, account: NewRelicConfig.Account) async -> String? {
        let headers = [("Api-Key", account.insertApiKey)] + alert.headers.map { ($0.name, $0.value) }
        do {
            let reply = try await http.postJSON(body.jsonData, to: url, headers: headers, service: "New Relic account '\(account.accountName)'")
            return (200..<300).contains(reply.status) ? nil : "account '\(account.accountName)' answered \(reply.status)"
        } catch {
            return "account '\(account.accountName)': \(error)"
        }
    }
}
