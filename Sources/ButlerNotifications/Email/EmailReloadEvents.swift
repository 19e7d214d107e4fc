import ButlerCore
import Foundation
import Logging
import Synchronization

/// E-mail alerts for failed, aborted and successful reloads (`Butler.emailNotification.reloadTaskFailure|
/// reloadTaskAborted|reloadTaskSuccess`, spec §7.4–7.5): HTML from `<bodyFileDirectory>/<htmlTemplateFile>.handlebars` (values
/// HTML-escaped) with a plain-text alternative, the subject from its template, the configured priority.
///
/// Recipients: the task's values of `alertEnabledByEmailAddress.customPropertyName`; the global
/// `recipients` (for every task, or with `alertEnableByCustomProperty` only for tasks with that value); and
/// the app owner's address when `appOwnerAlert` includes the owner — de-duplicated (ignoring case) and
/// checked; invalid addresses are logged and skipped (B47). At most one e-mail per task and recipient every
/// `rateLimit` seconds (B46).
public final class EmailReloadEvents: ReloadEventDestination {
    let kind: TaskEvent.Kind
    let alert: EmailConfig.Alert
    let subject: Template
    let body: Template
    let urls: QlikSenseURLsConfig
    let mailer: SMTPMailer
    let clock: any WallClock
    let logger: Logger
    private let lastSent = Mutex<[String: Date]>([:])

    /// - Throws: `ConfigError` naming the template file and line when a template can't be read or parsed.
    public init(kind: TaskEvent.Kind, alert: EmailConfig.Alert, urls: QlikSenseURLsConfig, mailer: SMTPMailer,
                clock: any WallClock = SystemWallClock(), logger: Logger) throws {
        self.kind = kind
        self.alert = alert
        self.urls = urls
        self.mailer = mailer
        self.clock = clock
        self.logger = logger
        let section = "Butler.emailNotification." + Self.section(kind)
        let file = URL(fileURLWithPath: alert.bodyFileDirectory).appendingPathComponent(alert.htmlTemplateFile + ".handlebars").path
        do {
            subject = try Template(name: section + ".subject", text: alert.subject)
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ConfigError(path: section + ".htmlTemplateFile", problem: "cannot read \(file)")
            }
            body = try Template(name: file, text: text)
        } catch let error as Template.ParseError {
            throw ConfigError(path: section, problem: "template \(error)")
        }
    }

    public var name: String { "e-mail (\(kind.rawValue) reloads)" }

    static func section(_ kind: TaskEvent.Kind) -> String {
        switch kind {
        case .aborted: "reloadTaskAborted"
        case .success: "reloadTaskSuccess"
        default: "reloadTaskFailure"
        }
    }
    public func accepts(_ kind: TaskEvent.Kind) -> Bool { kind == self.kind }
    /// Limited per recipient inside `deliver`.
    public func rateLimitSeconds(for kind: TaskEvent.Kind) -> Int? { nil }

    /// Sends one e-mail per recipient, concurrently (as Butler: nobody sees the others, and one refused
    /// address doesn't stop the rest). A recipient's rate limit starts only when its e-mail was sent.
    /// - Throws: `ButlerError` when no e-mail could be sent.
    public func deliver(_ reload: ReloadAlert) async throws {
        let now = clock.now
        let recipients = recipients(for: reload).filter { !limited(taskId: reload.event.taskId, recipient: $0, now: now) }
        guard !recipients.isEmpty else {
            logger.info("\(name): no recipients (or all rate-limited) for task \(reload.event.taskId)")
            return
        }
        let fields = JSONValue.object(reload.templateFields(urls: urls, head: alert.headScriptLogLines, tail: alert.tailScriptLogLines))
        let subjectText = subject.render(fields, escapeHTML: false)
        let html = body.render(fields, escapeHTML: true)
        let text = Self.plainText(reload, fields: fields)
        let priority = MailMessage.Priority(rawValue: alert.priority) ?? .normal
        let taskId = reload.event.taskId
        // Concurrently: a server that stalls costs one timeout, not one per recipient.
        let failures = await withTaskGroup(of: String?.self) { group in
            for recipient in recipients {
                let message = MailMessage(from: alert.fromAddress, to: [recipient], subject: subjectText, html: html, text: text, priority: priority)
                group.addTask {
                    do {
                        try await self.mailer.send(message)
                        self.lastSent.withLock { $0[taskId + "|" + recipient.lowercased()] = now }
                        return nil
                    } catch {
                        self.logger.error("\(self.name): e-mail to \(recipient) for task \(taskId) not sent: \(error)")
                        return recipient
                    }
                }
            }
            var failed: [String] = []
            for await recipient in group { if let recipient { failed.append(recipient) } }
            return failed
        }
        if failures.count == recipients.count {
            throw ButlerError(.unavailable, "no e-mail could be sent for task \(reload.event.taskId)")
        }
    }

    /// Who gets the alert (see the type's summary).
    func recipients(for reload: ReloadAlert) -> [String] {
        var candidates: [String] = []
        let properties = reload.task?.customProperties ?? []
        if let name = alert.addressCustomProperty {
            candidates += properties.filter { $0.name == name }.map(\.value)
        }
        if alert.enableByCustomProperty.map({ properties.contains($0) }) ?? true {
            candidates += alert.recipients
        }
        if let rule = alert.appOwner, let owner = reload.owner {
            if let email = owner.email, !email.isEmpty, rule.includes(directory: owner.userDirectory, userId: owner.userId) {
                candidates.append(email)
            } else if owner.email?.isEmpty ?? true {
                logger.info("\(name): app owner \(owner.userDirectory)\\\(owner.userId) has no e-mail address")
            }
        }
        var seen = Set<String>()
        var result: [String] = []
        for candidate in candidates {
            let address = MailMessage.address(candidate)
            guard MailMessage.isValidAddress(address) else {
                logger.warning("\(name): '\(candidate)' is not an e-mail address; skipped")
                continue
            }
            if seen.insert(address.lowercased()).inserted { result.append(address) }
        }
        return result
    }

    private func limited(taskId: String, recipient: String, now: Date) -> Bool {
        let seconds = Double(alert.rateLimit)
        return lastSent.withLock { sent in
            if sent.count >= 10_000 { sent = sent.filter { now.timeIntervalSince($0.value) < seconds } }
            guard let last = sent[taskId + "|" + recipient.lowercased()] else { return false }
            return now.timeIntervalSince(last) < seconds
        }
    }

    static func plainText(_ reload: ReloadAlert, fields: JSONValue) -> String {
        let event = reload.event
        var lines = [
            "Qlik Sense reload \(event.kind == .success ? "succeeded" : event.kind.rawValue): \(event.taskName)",
            "", "App: \(event.appName) (\(event.appId ?? "-"))", "Server: \(event.hostName)", "Time: \(event.logTimeStamp)",
            "Message: \(event.logMessage)",
        ]
        if let status = fields["executionStatusText"]?.stringValue { lines.append("Status: \(status)") }
        if let tail = fields["scriptLogTail"]?.stringValue, !tail.isEmpty { lines += ["", "Script log (last lines):", tail] }
        return lines.joined(separator: "\n")
    }
}
