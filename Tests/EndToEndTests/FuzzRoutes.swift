/// One Butler route as the fuzzer sees it: its method and path template (`{name}` marks a path
/// parameter), sample values for its path and query parameters, and its seed body (the seed document's
/// request sample) that the generator mutates.
struct FuzzRoute: Sendable, CustomStringConvertible {
    let method: String
    /// e.g. `/v4/keyvalues/{namespace}/keyexists`.
    let template: String
    /// Sample values per path parameter, in template order.
    let parameters: [(name: String, samples: [String])]
    /// Query parameters the route reads, with sample values.
    let query: [(name: String, samples: [String])]
    let body: FuzzJSON?
    /// The route calls an outside service (Qlik Sense, MQTT, Slack, New Relic), so 502 and 503 are
    /// documented answers (docs/compatibility.md) while that service is down or not configured.
    let dependsOnService: Bool

    var description: String { "\(method) \(template)" }

    init(_ method: String, _ template: String, parameters: [(name: String, samples: [String])] = [],
         query: [(name: String, samples: [String])] = [], body: FuzzJSON? = nil, dependsOnService: Bool = false) {
        self.method = method
        self.template = template
        self.parameters = parameters
        self.query = query
        self.body = body
        self.dependsOnService = dependsOnService
    }
}

/// Every route Butler registers with every switch on (Sources/ButlerServer/Controllers), with the seed's
/// samples (/work/shared/seed/butler-api-9.4.0.txt) as starting points.
enum FuzzRoutes {
    static let taskIds = ["7552d9fc-d1bb-4975-9a38-18357de531ea", "-", "fbf645f0-0c92-40a4-af9a-6e3eb1d3c35c"]
    static let appIds = ["210832b5-6174-4572-bd19-3e61eda675ef", "not-a-guid", "{210832B5-6174-4572-BD19-3E61EDA675EF}"]
    /// Ids of the schedules the fuzz config's schedule file starts with.
    static let scheduleIds = ["fuzz-schedule-1", "0fe447a9-ba1f-44a9-ac23-68c3a1d88d8b"]
    static let namespaces = ["Sales ETL step 2", "fuzz", "ns"]
    static let keys = ["Last extract timestamp", "k1", "keyexists"]
    /// What POST writes first (namespace `fuzz-kept`, the seed's key), so the read routes also find something.
    static let keptKey = "ce68c8ca-b3ff-4371-8285-7c9ce5040e42_parameter_1"

    static let pathBody: FuzzJSON = [
        "fromFile": "subfolder/file1.qvd", "toFile": "archive/file1_20200925.qvd", "overwrite": false, "preserveTimestamp": false,
    ]
    static let taskItems: FuzzJSON = [
        ["type": "starttaskid", "payload": ["taskId": "7552d9fc-d1bb-4975-9a38-18357de531ea"]],
        ["type": "starttasktag", "payload": ["tag": "startTask1"]],
        ["type": "starttaskcustomproperty", "payload": ["customPropertyName": "taskGroup", "customPropertyValue": "tasks2"]],
        ["type": "keyvaluestore", "payload": ["namespace": "Sales ETL step 2", "key": "k1", "value": "12345.789", "ttl": 10000]],
    ]
    static let appReload: FuzzJSON = [
        "reloadMode": 0, "partialReload": true,
        "startQSEoWTaskOnSuccess": ["09b3c78f-04dd-45e3-a4bf-1b074d6572fa", "eaf1da4f-fd44-4cea-b2de-7b67a6496ee3"],
        "startQSEoWTaskOnFailure": ["09b3c78f-04dd-45e3-a4bf-1b074d6572fa"],
    ]
    static let schedule: FuzzJSON = [
        "name": "Reload sales metrics", "cronSchedule": "0,30 6 * * 1-5", "timezone": "Europe/Stockholm",
        "qlikSenseTaskId": "210832b5-6174-4572-bd19-3e61eda675ef", "startupState": "started", "tags": ["tag 1", "tag 2"],
    ]
    static let attributes: FuzzJSON = [["name": "host.name", "value": "dev.server.com"]]

    static let all: [FuzzRoute] = [
        FuzzRoute("GET", "/v4/configfile/endpointsenabled"),
        FuzzRoute("GET", "/v4/butlerping"),
        FuzzRoute("GET", "/v4/base62tobase16", query: [("base62", ["6DMW88LpSok9Z7P7hUK0wv7bF", "0", "zz"])]),
        FuzzRoute("GET", "/v4/base16tobase62", query: [("base16", ["3199af08bfeeaf5d420f27ed9c01e74370077", "0", "ff"])]),
        FuzzRoute("PUT", "/v4/filecopy", body: pathBody),
        // file2, so moving it away leaves the copy route's sample source in place.
        FuzzRoute("PUT", "/v4/filemove", body: ["fromFile": "subfolder/file2.qvd", "toFile": "archive/file1_20200925.qvd", "overwrite": false]),
        FuzzRoute("DELETE", "/v4/filedelete", body: ["deleteFile": "subfolder/file1.qvd"]),
        FuzzRoute("POST", "/v4/createdir", body: ["directory": "subfolder/2020-10"]),
        FuzzRoute("POST", "/v4/createdirqvd", body: ["directory": "subfolder/2020-10"]),
        FuzzRoute("GET", "/v4/keyvaluesnamespaces"),
        FuzzRoute("GET", "/v4/keyvalues/{namespace}", parameters: [("namespace", ["fuzz-kept"] + namespaces)], query: [("key", [keptKey] + keys)]),
        FuzzRoute("GET", "/v4/keyvalues/{namespace}/keyexists", parameters: [("namespace", ["fuzz-kept"] + namespaces)],
                  query: [("key", [keptKey] + keys)]),
        // `fuzz-kept` is a namespace no delete case names: every pair acknowledged there must survive.
        FuzzRoute("POST", "/v4/keyvalues/{namespace}", parameters: [("namespace", ["fuzz-kept"] + namespaces)],
                  body: ["key": .text(keptKey), "value": "12345.789", "ttl": 0]),
        FuzzRoute("DELETE", "/v4/keyvalues/{namespace}/{key}", parameters: [("namespace", namespaces), ("key", keys)]),
        FuzzRoute("DELETE", "/v4/keyvalues/{namespace}/keyexists", parameters: [("namespace", namespaces)]),
        FuzzRoute("DELETE", "/v4/keyvalues/{namespace}", parameters: [("namespace", namespaces)]),
        FuzzRoute("GET", "/v4/keylist/{namespace}", parameters: [("namespace", ["fuzz-kept"] + namespaces)]),
        FuzzRoute("PUT", "/v4/mqttpublishmessage", body: ["topic": "qliksense/new_data_notification/sales", "message": "dt=20201028"],
                  dependsOnService: true),
        FuzzRoute("POST", "/v4/newrelic/event",
                  body: ["eventType": "reload_failed", "timestamp": 1642164296053, "attributes": attributes], dependsOnService: true),
        FuzzRoute("POST", "/v4/newrelic/metric",
                  body: ["name": "memory.heap", "type": "gauge", "value": 2.3, "timestamp": 1642164296053, "interval": 0,
                         "attributes": attributes], dependsOnService: true),
        FuzzRoute("GET", "/v4/schedules", query: [("id", scheduleIds)]),
        FuzzRoute("POST", "/v4/schedules", body: schedule),
        FuzzRoute("DELETE", "/v4/schedules/{scheduleId}", parameters: [("scheduleId", scheduleIds + ["a\u{7f}"])]),
        FuzzRoute("PUT", "/v4/schedules/startall"),
        FuzzRoute("PUT", "/v4/schedules/{scheduleId}/start", parameters: [("scheduleId", scheduleIds)]),
        FuzzRoute("PUT", "/v4/schedules/stopall"),
        FuzzRoute("PUT", "/v4/schedules/{scheduleId}/stop", parameters: [("scheduleId", scheduleIds)]),
        FuzzRoute("GET", "/v4/schedules/status"),
        FuzzRoute("PUT", "/v4/reloadtask/{taskId}/start", parameters: [("taskId", taskIds)],
                  query: [("allTaskIdsMustExist", ["true", "false"])], body: taskItems, dependsOnService: true),
        FuzzRoute("POST", "/v4/reloadtask/{taskId}/start", parameters: [("taskId", taskIds)],
                  query: [("allTaskIdsMustExist", ["true", "false"])], body: taskItems, dependsOnService: true),
        FuzzRoute("PUT", "/v4/app/{appId}/reload", parameters: [("appId", appIds)], body: appReload, dependsOnService: true),
        FuzzRoute("GET", "/v4/app/{appId}/dump", parameters: [("appId", appIds)], dependsOnService: true),
        FuzzRoute("GET", "/v4/senseappdump/{appId}", parameters: [("appId", appIds)], dependsOnService: true),
        FuzzRoute("GET", "/v4/apps/list", dependsOnService: true),
        FuzzRoute("GET", "/v4/senselistapps", dependsOnService: true),
        FuzzRoute("PUT", "/v4/slackpostmessage",
                  body: ["channel": "#reload-notification", "from_user": "Butler the Bot", "msg": "This is a message from Qlik Sense",
                         "emoji": "thumbsup"], dependsOnService: true),
    ]
}
