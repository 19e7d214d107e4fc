/// `Butler.mqttConfig`: the connection to the MQTT broker and the topics Butler listens to.
///
/// Beyond Butler, which connected anonymously over plain TCP: `auth.{enable, username, password}` and
/// `tls.{enable, ca, cert, key, rejectUnauthorized}`. Butler's other topic keys are accepted (they are used
/// by the reload-event destinations).
public struct MQTTConfig: Equatable, Sendable, Decodable {
    /// `mqttConfig.tls`: TLS to the broker. Paths are PEM files.
    public struct TLS: Equatable, Sendable, Decodable {
        /// CA that signed the broker's certificate; nil = the system trust store.
        public var ca: String?
        /// Client certificate and key, only for brokers that ask for one.
        public var cert: String?
        public var key: String?
        /// false skips verification of the broker's certificate (testing only).
        public var rejectUnauthorized: Bool = true

        public init(ca: String? = nil, cert: String? = nil, key: String? = nil, rejectUnauthorized: Bool = true) {
            self.ca = ca
            self.cert = cert
            self.key = key
            self.rejectUnauthorized = rejectUnauthorized
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case enable, ca, cert, key, rejectUnauthorized
        }

        public init(from decoder: any Decoder) throws {
            try decoder.warnAboutUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            ca = try container.decodeIfPresent(String.self, forKey: .ca).flatMap { $0.isEmpty ? nil : $0 }
            cert = try container.decodeIfPresent(String.self, forKey: .cert).flatMap { $0.isEmpty ? nil : $0 }
            key = try container.decodeIfPresent(String.self, forKey: .key).flatMap { $0.isEmpty ? nil : $0 }
            rejectUnauthorized = try container.value(.rejectUnauthorized, default: true)
            if (cert == nil) != (key == nil) {
                throw ConfigError(container.codingPath, "cert and key must be given together")
            }
        }
    }

    public var enable: Bool = false
    public var brokerHost: String = "127.0.0.1"
    public var brokerPort: Int = 1883
    /// `auth.username`/`auth.password` when `auth.enable` is true.
    public var username: String?
    public var password: String?
    /// `tls` when `tls.enable` is true.
    public var tls: TLS?
    /// Topic filter Butler subscribes to (template `qliksense/#`).
    public var subscriptionRootTopic: String = "qliksense/#"
    /// A message on this topic carries the id of a Qlik Sense task to start (template `qliksense/start_task`).
    public var taskStartTopic: String = "qliksense/start_task"
    /// Reload events (spec §6.3): the task name to `taskFailureTopic` / `taskAbortedTopic`, and with
    /// `taskFailureSendFull` / `taskAbortedSendFull` the event as JSON to the `…FullTopic`s.
    public var taskFailureTopic: String = "qliksense/task_failure"
    public var taskFailureFullTopic: String = "qliksense/task_failure_full"
    public var taskFailureSendFull: Bool = true
    public var taskAbortedTopic: String = "qliksense/task_aborted"
    public var taskAbortedFullTopic: String = "qliksense/task_aborted_full"
    public var taskAbortedSendFull: Bool = true

    public init(
        enable: Bool = false, brokerHost: String = "127.0.0.1", brokerPort: Int = 1883,
        username: String? = nil, password: String? = nil, tls: TLS? = nil,
        subscriptionRootTopic: String = "qliksense/#", taskStartTopic: String = "qliksense/start_task"
    ) {
        self.enable = enable
        self.brokerHost = brokerHost
        self.brokerPort = brokerPort
        self.username = username
        self.password = password
        self.tls = tls
        self.subscriptionRootTopic = subscriptionRootTopic
        self.taskStartTopic = taskStartTopic
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case enable, brokerHost, brokerPort, auth, tls, subscriptionRootTopic, taskStartTopic
        case taskFailureTopic, taskFailureFullTopic, taskFailureSendFull, taskAbortedTopic, taskAbortedFullTopic, taskAbortedSendFull
    }

    struct Auth: Decodable {
        var enable: Bool?
        var username: String?
        var password: String?
    }

    struct Switch: Decodable {
        var enable: Bool?
    }

    static let topicKeys: Set<String> = [
        "azureEventGrid", "taskFailureServerStatusTopic",
        "serviceRunningTopic", "serviceStoppedTopic", "serviceStatusTopic", "qlikSenseServerLicenseTopic",
        "qlikSenseServerLicenseExpireTopic", "qlikSenseCloud",
    ]

    public init(from decoder: any Decoder) throws {
        try decoder.warnAboutUnknownKeys(CodingKeys.self, alsoKnown: Self.topicKeys)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        enable = try container.value(.enable, default: false)
        brokerHost = try container.value(.brokerHost, default: "127.0.0.1")
        brokerPort = try container.integer(.brokerPort, in: 1...65535, default: 1883)
        if let auth = try container.decodeIfPresent(Auth.self, forKey: .auth), auth.enable == true {
            guard let username = auth.username, !username.isEmpty else {
                throw ConfigError(container.codingPath + [CodingKeys.auth], "auth.enable is true but auth.username is empty")
            }
            self.username = username
            password = auth.password
        }
        if try container.decodeIfPresent(Switch.self, forKey: .tls)?.enable == true {
            tls = try container.decode(TLS.self, forKey: .tls)
        }
        subscriptionRootTopic = try container.value(.subscriptionRootTopic, default: "qliksense/#")
        taskStartTopic = try container.value(.taskStartTopic, default: "qliksense/start_task")
        taskFailureTopic = try container.value(.taskFailureTopic, default: taskFailureTopic)
        taskFailureFullTopic = try container.value(.taskFailureFullTopic, default: taskFailureFullTopic)
        taskFailureSendFull = try container.value(.taskFailureSendFull, default: true)
        taskAbortedTopic = try container.value(.taskAbortedTopic, default: taskAbortedTopic)
        taskAbortedFullTopic = try container.value(.taskAbortedFullTopic, default: taskAbortedFullTopic)
        taskAbortedSendFull = try container.value(.taskAbortedSendFull, default: true)
    }
}
