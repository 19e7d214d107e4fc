@testable import ButlerCore
import Foundation
import Testing

@Suite("Config file (Butler's YAML format)")
struct ConfigLoaderTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func shippedDefaultConfigIsTheEmbeddedOne() throws {
        let shipped = try String(contentsOf: Self.packageRoot.appendingPathComponent("config/butler.yaml"), encoding: .utf8)
        #expect(shipped == defaultConfigYAML)
        let loaded = try ConfigLoader.load(yaml: shipped)
        #expect(loaded.warnings.isEmpty)
        let config = loaded.config
        #expect(config.restServer.serverHost == "127.0.0.1")
        #expect(config.restServer.serverPort == 8080)
        #expect(config.database.file == "data/butler.sqlite")
        #expect(config.endpoints.enabledNames == ["apiListEnabledEndpoints", "base62ToBase16", "base16ToBase62", "butlerping", "keyValueStore"])
        #expect(ConfigLoader.builtInDefault() == config)
    }

    // Attack finding F4: libyaml's messages quote the offending line, which may hold a secret.
    @Test func yamlSyntaxErrorsDoNotQuoteTheFile() {
        for yaml in ["Butler:\n  mqttConfig:\n    password: PW1SECRET: x\n", "Butler:\n  slackNotification:\n    webhookURL: \"https://hooks/PW1SECRET\n",
                     "Butler:\n  key: `PW1SECRET\n", "Butler:\n  a: 1\n  a: PW1SECRET\n"] {
            do {
                _ = try ConfigLoader.load(yaml: yaml)
                Issue.record("accepted: \(yaml)")
            } catch let error as ConfigError {
                #expect(!error.description.contains("PW1SECRET"), "\(error)")
                #expect(error.description.contains("line "), "\(error)")
            } catch {
                Issue.record("\(error)")
            }
        }
    }

    @Test func productionTemplateLoadsWithoutWarnings() throws {
        let loaded = try ConfigLoader.load(file: Self.packageRoot.appendingPathComponent("config/production_template.yaml").path)
        #expect(loaded.warnings == [])
        #expect(loaded.config.endpoints.enabledNames == [])
    }

    @Test func simulatorConfigPointsAtTheSimulator() throws {
        let loaded = try ConfigLoader.load(file: Self.packageRoot.appendingPathComponent("config/simulator.yaml").path)
        #expect(loaded.warnings == [])
        let qrs = try #require(loaded.config.qlikSense.qrs)
        #expect((qrs.host, qrs.port, qrs.useSSL, qrs.rejectUnauthorized) == ("localhost", 4242, true, true))
        #expect(qrs.headers == [NameValue(name: "X-Qlik-User", value: "UserDirectory=Internal;UserId=sa_repository")])
        #expect(loaded.config.qlikSense.engine?.port == 4747)
        #expect(loaded.config.qlikSense.certificates.clientCert == "data/qlik-sense-sim/certificates/client.pem")
    }

    @Test func qlikSenseAndMQTTSections() throws {
        let loaded = try ConfigLoader.load(yaml: """
            Butler:
              configQRS:
                host: qlik.example.com
              configEngine:
                host: ""
                engineVersion: 12.612
              mqttConfig:
                enable: true
                auth: {enable: true, username: butler, password: pw}
                tls: {enable: true, ca: /etc/ca.pem, rejectUnauthorized: false}
                taskStartTopic: qs/start
              startTaskFilter:
                enable: true
                allowTask:
                  taskId: [E3B27F50-B1C0-4879-88FC-C7CDD9C1CF3E]
                  tag: [Start via API]
                  customProperty: [{name: taskGroup, value: nightly}]
            """)
        let config = loaded.config
        #expect(config.qlikSense.qrs?.port == 4242)
        #expect(config.qlikSense.qrs?.rejectUnauthorized == false)
        #expect(config.qlikSense.engine == nil)
        #expect(config.qlikSense.engineVersion == "12.612")
        #expect(config.mqtt.username == "butler")
        #expect(config.mqtt.tls == MQTTConfig.TLS(ca: "/etc/ca.pem", rejectUnauthorized: false))
        #expect(config.mqtt.taskStartTopic == "qs/start")
        #expect(config.startTaskFilter.allows(taskId: "e3b27f50-b1c0-4879-88fc-c7cdd9c1cf3e"))
        #expect(config.startTaskFilter.allows(tag: "Start via API"))
        #expect(!config.startTaskFilter.allows(tag: "start via api"))
        #expect(config.startTaskFilter.allows(customProperty: "taskGroup", value: "nightly"))

        #expect(throws: ConfigError.self) {
            try ConfigLoader.load(yaml: "Butler:\n  mqttConfig:\n    tls: {enable: true, cert: /c.pem}\n")
        }
        #expect(throws: ConfigError.self) {
            try ConfigLoader.load(yaml: "Butler:\n  configQRS:\n    authentication: header\n    host: x\n")
        }
    }

    @Test func endpointSwitchesKeepFileOrderAndAcceptButlersMisspelling() throws {
        let config = try ConfigLoader.load(yaml: """
            Butler:
              restServerEndpointsEnable:
                keyValueStore: true
                apiListEnbledEndpoints: true
                base62ToBase16: false
                newRelic:
                  postNewRelicEvent: true
                  postNewRelicMetric: false
                butlerping: true
            """).config
        #expect(config.endpoints.enabledNames == ["keyValueStore", "apiListEnbledEndpoints", "postNewRelicEvent", "butlerping"])
        #expect(config.endpoints.isEnabled(.apiListEnabledEndpoints))
        #expect(config.endpoints.isEnabled(.postNewRelicEvent))
        #expect(!config.endpoints.isEnabled(.base62ToBase16))
        #expect(!config.endpoints.isEnabled(.postNewRelicMetric))
    }

    @Test func absentSectionsTakeDefaults() throws {
        let config = try ConfigLoader.load(yaml: "Butler:\n  logLevel: debug\n").config
        #expect(config.logLevel == .debug)
        #expect(config.restServer == RestServerConfig())
        #expect(config.keyValueStore.maxKeysPerNamespace == 1000)
        #expect(config.endpoints.enabledNames == [])
    }

    @Test func unknownKeysAreWarningsNamingThePath() throws {
        let loaded = try ConfigLoader.load(yaml: """
            Butler:
              logLevel: info
              restServerConfig:
                serverPort: 8080
                serverPortt: 1
              restServerEndpointsEnable:
                butlerPing: true
              heartbeat:
                anything: goes
              notAButlerKey: 1
            extraRoot: 1
            """)
        #expect(loaded.warnings.sorted() == [
            "Unknown config key Butler.notAButlerKey is ignored",
            "Unknown config key Butler.restServerConfig.serverPortt is ignored",
            "Unknown config key Butler.restServerEndpointsEnable.butlerPing is ignored",
            "Unknown config key extraRoot is ignored",
        ])
    }

    @Test(arguments: [
        ("Butler:\n  restServerConfig:\n    serverPort: abc\n", "Butler.restServerConfig.serverPort: expected an integer"),
        ("Butler:\n  restServerConfig:\n    serverPort: 70000\n", "Butler.restServerConfig.serverPort: expected an integer from 0 to 65535, found 70000"),
        ("Butler:\n  logLevel: loud\n", "Butler.logLevel: expected one of error, warn, info, verbose, debug, silly, found 'loud'"),
        ("Butler:\n  fileLogging: maybe\n", "Butler.fileLogging: expected true or false"),
        ("Butler:\n  keyValueStore:\n    maxKeysPerNamespace: 0\n", "Butler.keyValueStore.maxKeysPerNamespace: expected an integer from 1 to 2147483647, found 0"),
        ("Butler:\n  restServerEndpointsEnable:\n    butlerping: yes please\n", "Butler.restServerEndpointsEnable.butlerping: expected true or false"),
        ("Butler:\n  restServerConfig:\n    tls:\n      enable: true\n", "Butler.restServerConfig.tls.cert: is required when tls.enable is true (path of a PEM file)"),
        ("Butler: 3\n", "Butler: expected a mapping"),
        ("Butler:\n  database:\n    file: [a]\n", "Butler.database.file: expected a single value (text, number or true/false), not a list or mapping"),
        ("Other:\n  a: 1\n", "Butler: is required"),
        ("", "the config file is empty; expected a mapping with the root key 'Butler'"),
    ])
    func invalidValuesNameTheKeyPath(yaml: String, message: String) {
        #expect(throws: (any Error).self) { try ConfigLoader.load(yaml: yaml) }
        do {
            _ = try ConfigLoader.load(yaml: yaml)
        } catch {
            #expect("\(error)" == message)
        }
    }

    @Test func brokenYAMLIsReported() {
        #expect(throws: ConfigError.self) { try ConfigLoader.load(yaml: "Butler:\n  a: [1, 2\n") }
    }

    @Test func missingFileIsReported() {
        #expect(throws: ConfigError.self) { try ConfigLoader.load(file: "/nonexistent/butler.yaml") }
    }
}
