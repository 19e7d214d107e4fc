import Foundation

extension ReloadAlert {
    /// The fields notification templates see (spec §7.4): task, app, owner, execution details, script-log
    /// head and tail, the Qlik Sense URLs and the generic URLs. Dates are ISO 8601 UTC as QRS gives them,
    /// and `-` for QRS's "never" (`1753-…`).
    /// - Parameters:
    ///   - head, tail: script-log lines to include from the start and the end.
    public func templateFields(urls: QlikSenseURLsConfig, head: Int, tail: Int) -> [String: JSONValue] {
        func date(_ text: String?) -> JSONValue {
            guard let text, !text.isEmpty, !text.hasPrefix("1753") else { return .string("-") }
            return .string(text)
        }
        func properties(_ values: [NameValue]?) -> JSONValue {
            .array((values ?? []).map { .object(["name": .string($0.name), "value": .string($0.value)]) })
        }
        let task = alert(\.task?.raw)
        var fields: [String: JSONValue] = [
            "hostName": .string(event.hostName), "user": .string(event.user), "taskName": .string(event.taskName),
            "taskId": .string(event.taskId), "appName": .string(event.appName), "appId": .string(event.appId ?? ""),
            "logTimeStamp": .string(event.logTimeStamp), "logLevel": .string(event.logLevel),
            "logMessage": .string(event.logMessage), "executionId": .string(event.executionId),
            "taskTags": .array((self.task?.tags ?? []).map(JSONValue.string)),
            "taskCustomProperties": properties(self.task?.customProperties),
            "taskIsManuallyTriggered": task["isManuallyTriggered"] ?? .bool(false),
            "taskIsPartialReload": task["isPartialReload"] ?? .bool(false),
            "taskMaxRetries": task["maxRetries"] ?? .number(0),
            "taskModifiedByUsername": task["modifiedByUserName"] ?? .string(""),
            "taskModifiedDate": date(task["modifiedDate"]?.stringValue),
            "taskSessionTimeout": task["taskSessionTimeout"] ?? .number(0),
            "taskNextExecution": task["operational"]?["nextExecution"]?.stringValue.map { $0.hasPrefix("1753") ? .string("Never") : .string($0) } ?? .string("Never"),
            "appDescription": .string(app?.description ?? ""), "appStreamName": .string(app?.stream ?? ""),
            "appTags": .array((app?.tags ?? []).map(JSONValue.string)), "appCustomProperties": properties(app?.customProperties),
            "appFileSize": app?.raw["fileSize"] ?? .number(0),
            "appLastSuccessfulReload": date(app?.raw["lastReloadTime"]?.stringValue),
            "appLastModifiedDate": date(app?.raw["modifiedDate"]?.stringValue),
            "appLastModifiedByUserName": app?.raw["modifiedByUserName"] ?? .string(""),
            "appPublishTime": date(app?.raw["publishTime"]?.stringValue), "appPublished": app?.raw["published"] ?? .bool(false),
            "appUrl": .string(urls.appBaseUrl.isEmpty || event.appId == nil
                ? "" : "\(urls.appBaseUrl.hasSuffix("/") ? String(urls.appBaseUrl.dropLast()) : urls.appBaseUrl)/\(event.appId!)"),
            "appOwnerName": .string(owner?.name ?? ""), "appOwnerUserId": .string(owner?.userId ?? ""),
            "appOwnerUserDirectory": .string(owner?.userDirectory ?? ""), "appOwnerEmail": .string(owner?.email ?? ""),
            "qlikSenseQMC": .string(urls.qmc), "qlikSenseHub": .string(urls.hub),
            "genericUrls": .array(urls.generic.map {
                .object(["id": .string($0.id), "linkText": .string($0.linkText), "comment": .string($0.comment), "url": .string($0.url)])
            }),
        ]
        if let execution {
            let seconds = execution.duration / 1000
            fields["executingNodeName"] = .string(execution.executingNodeName)
            fields["executionStatusNum"] = .number(Double(execution.status))
            fields["executionStatusText"] = .string(execution.statusText)
            fields["executionDuration"] = .object([
                "hours": .number(Double(seconds / 3600)), "minutes": .number(Double(seconds % 3600 / 60)), "seconds": .number(Double(seconds % 60)),
            ])
            fields["executionStartTime"] = .object(["startTimeUTC": date(execution.startTime)])
            fields["executionStopTime"] = .object(["stopTimeUTC": date(execution.stopTime)])
            fields["executionDetails"] = .array(execution.details.map {
                .object(["timestampUTC": date($0.created), "message": .string($0.message), "detailsType": .number(Double($0.type))])
            })
            fields["executionDetailsConcatenated"] = .string(execution.details.map { "\($0.created)\t\($0.message)" }.joined(separator: "\n"))
        }
        let log = scriptLog?.lines ?? []
        fields["scriptLogSize"] = .number(Double(execution?.scriptLogSize ?? log.reduce(0) { $0 + $1.utf8.count + 2 }))
        fields["scriptLogSizeRows"] = .number(Double(log.count))
        fields["scriptLogSizeCharacters"] = .number(Double(log.reduce(0) { $0 + $1.count }))
        fields["scriptLogHead"] = .string(scriptLog?.head(head).joined(separator: "\n") ?? "")
        fields["scriptLogTail"] = .string(scriptLog?.tail(tail).joined(separator: "\n") ?? "")
        fields["scriptLogHeadCount"] = .number(Double(min(head, log.count)))
        fields["scriptLogTailCount"] = .number(Double(min(tail, log.count)))
        return fields
    }

    private func alert(_ path: KeyPath<ReloadAlert, JSONValue?>) -> JSONValue {
        self[keyPath: path] ?? .object([:])
    }
}
