@testable import ButlerCore
import Testing

@Suite("Access policy: addresses, hosts, origins, route groups, config")
struct AccessPolicyTests {
    @Test func addressRanges() throws {
        let cases: [(range: String, address: String, inside: Bool)] = [
            ("10.0.0.0/8", "10.255.1.2", true), ("10.0.0.0/8", "11.0.0.1", false),
            ("192.168.1.5", "192.168.1.5", true), ("192.168.1.5", "192.168.1.6", false),
            ("192.168.1.0/25", "192.168.1.127", true), ("192.168.1.0/25", "192.168.1.128", false),
            ("0.0.0.0/0", "8.8.8.8", true), ("0.0.0.0/0", "::1", false),
            ("::1", "::1", true), ("::1/128", "0:0:0:0:0:0:0:1", true), ("fd00::/8", "fd12:3456::1", true), ("fd00::/8", "fe80::1", false),
            // IPv4-mapped addresses (a dual-stack socket on `::`) are their IPv4 address, on either side.
            ("10.0.0.0/8", "::ffff:10.1.2.3", true), ("::ffff:10.0.0.0/104", "10.1.2.3", true), ("::ffff:10.1.2.3", "10.1.2.3", true),
            ("127.0.0.1", "::ffff:127.0.0.2", false),
            ("fe80::/10", "fe80::1%eth0", true),
            ("10.0.0.0/8", "-", false), ("10.0.0.0/8", "not an address", false), ("10.0.0.0/8", "", false),
        ]
        for (text, address, inside) in cases {
            let range = try #require(IPAddressRange(text), "\(text)")
            #expect(range.contains(address) == inside, "\(text) ∋ \(address)")
        }
        for bad in ["", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8/8", "256.0.0.1", "10.0.0", "host.example", "::1/129", "10.0.0.0/ 8", "10.0.0.0/+8"] {
            #expect(IPAddressRange(bad) == nil, "\(bad)")
        }
        #expect(IPAddressRange("10.9.8.7/8")?.description == "10.0.0.0/8")
    }

    @Test func hostAuthorities() {
        #expect(HostAuthority("LocalHost:8080") == HostAuthority("localhost:8080"))
        #expect(HostAuthority("localhost:8080")?.port == 8080)
        #expect(HostAuthority("[::1]:8080")?.host == "::1")
        #expect(HostAuthority("example.com.")?.host == "example.com")
        for loopback in ["localhost", "a.localhost", "127.0.0.1", "127.9.9.9", "[::1]", "[::ffff:127.0.0.1]"] {
            #expect(HostAuthority(loopback)?.isLoopback == true, "\(loopback)")
        }
        for other in ["localhost.example", "128.0.0.1", "[::2]", "example.com", "0.0.0.0"] {
            #expect(HostAuthority(other)?.isLoopback == false, "\(other)")
        }
        for bad in ["", ":80", "a:", "a:b", "a:99999", "user@host", "a/b", "[::1", "[nothex]", "a b", "é.example", "[::1]x"] {
            #expect(HostAuthority(bad) == nil, "\(bad)")
        }
    }

    @Test func webOrigins() {
        #expect(WebOrigin("https://QMC.example.com")?.description == "https://qmc.example.com:443")
        #expect(WebOrigin("http://example.com") == WebOrigin("http://example.com:80"))
        #expect(WebOrigin("http://[::1]:8080")?.description == "http://[::1]:8080")
        for bad in ["null", "", "example.com", "ftp://example.com", "http://", "http://a/b", "http://user@a", "file:///etc"] {
            #expect(WebOrigin(bad) == nil, "\(bad)")
        }
    }

    static func policy(host: String = "127.0.0.1", allowedHosts: [String] = [], origins: [String] = [], tls: Bool = false) -> BrowserRequestPolicy {
        var config = RestServerConfig(serverHost: host)
        config.allowedHosts = allowedHosts
        config.allowedOrigins = origins
        config.tls.enable = tls
        return BrowserRequestPolicy(config: config)
    }

    @Test func hostRuleFollowsTheListenAddress() {
        for loopback in ["127.0.0.1", "localhost", "::1", "127.0.0.2"] {
            let policy = Self.policy(host: loopback)
            #expect(policy.acceptsHost("localhost:8080"), "\(loopback)")
            #expect(!policy.acceptsHost("evil.example:8080"), "\(loopback)")
            #expect(!policy.acceptsHost(nil), "\(loopback)")
        }
        for everywhere in ["0.0.0.0", "::", "10.1.2.3", "butler.corp.example"] {
            let open = Self.policy(host: everywhere)
            #expect(open.hostRule == .any)
            #expect(open.acceptsHost("butler.corp.example:8080") && open.acceptsHost(nil))
            let restricted = Self.policy(host: everywhere, allowedHosts: ["butler.corp.example"])
            #expect(restricted.acceptsHost("butler.corp.example:8080"))
            #expect(!restricted.acceptsHost("localhost"))
            #expect(!restricted.acceptsHost("evil.example"))
        }
    }

    @Test func originRuleIsSameOriginOrListed() {
        let policy = Self.policy(origins: ["https://qmc.example.com"])
        #expect(policy.acceptsOrigin("http://localhost:8080", host: "localhost:8080"))
        #expect(policy.acceptsOrigin("http://127.0.0.1", host: "127.0.0.1:80"))
        #expect(!policy.acceptsOrigin("https://localhost:8080", host: "localhost:8080"))
        #expect(!policy.acceptsOrigin("http://localhost:8081", host: "localhost:8080"))
        #expect(!policy.acceptsOrigin("http://evil.example:8080", host: "evil.example:8080"))
        #expect(policy.acceptsOrigin("https://qmc.example.com:443", host: "localhost:8080"))
        #expect(!policy.acceptsOrigin("null", host: "localhost:8080"))
        #expect(Self.policy(tls: true).acceptsOrigin("https://localhost:8443", host: "localhost:8443"))
    }

    @Test func routeGroups() {
        let cases: [(String, RouteGroup?)] = [
            ("/v4/keyvalues/ns", .keyValueStore), ("/v4/keylist/ns", .keyValueStore), ("/v4/keyvaluesnamespaces", .keyValueStore),
            ("/v4/filecopy", .files), ("/v4/createdirqvd", .files), ("/v4/schedules/x/start", .scheduler), ("/v4/schedules", .scheduler),
            ("/v4/reloadtask/-/start", .qlikSense), ("/v4/app/x/reload", .qlikSense), ("/v4/apps/list", .qlikSense), ("/v4/senselistapps", .qlikSense),
            ("/v4/slackpostmessage", .notifications), ("/v4/newrelic/event", .notifications), ("/v4/mqttpublishmessage", .notifications),
            ("/v4/butlerping", .utility), ("/v4/configfile/endpointsenabled", .utility), ("/v4/base16tobase62", .utility),
            ("/v4//keyvalues/ns", .keyValueStore), ("/", nil), ("/v4", nil), ("/v3/keyvalues", nil), ("/v4/unknown", nil),
        ]
        for (path, group) in cases { #expect(RouteGroup(path: path) == group, "\(path)") }
    }

    @Test func accessConfigKeys() throws {
        let loaded = try ConfigLoader.load(yaml: """
            Butler:
              restServerConfig:
                serverHost: 0.0.0.0
                maxConnections: 50
                allowedClients: [10.0.0.0/8, "::1"]
                allowedOrigins: [https://qmc.example.com]
                allowedHosts: [Butler.Example.com]
                auth:
                  apiKeys:
                    - name: load-scripts
                      key: 0123456789abcdef0123
                      endpoints: [keyValueStore, scheduler]
                    - name: ci
                      keyFile: /etc/butler/ci.key
                tls:
                  enable: true
                  cert: c.pem
                  key: k.pem
                  ca: ca.pem
                  requireClientCertificate: true
            """)
        #expect(loaded.warnings == [])
        let rest = loaded.config.restServer
        #expect(rest.maxConnections == 50)
        #expect(rest.allowedClients.map(\.description) == ["10.0.0.0/8", "::1"])
        #expect(rest.allowedOrigins == ["https://qmc.example.com:443"])
        #expect(rest.allowedHosts == ["butler.example.com"])
        #expect(rest.auth.apiKeys == [
            APIKeyConfig(name: "load-scripts", secret: .inline("0123456789abcdef0123"), endpoints: [.keyValueStore, .scheduler]),
            APIKeyConfig(name: "ci", secret: .file("/etc/butler/ci.key")),
        ])
        #expect(rest.tls.requireClientCertificate)
    }

    @Test func badAccessConfigStopsStartUpNamingTheKey() {
        let cases: [(String, String)] = [
            ("allowedClients: [10.0.0.0/33]", "Butler.restServerConfig.allowedClients[0]"),
            ("allowedOrigins: [qmc.example.com]", "Butler.restServerConfig.allowedOrigins[0]"),
            ("allowedHosts: [\"a/b\"]", "Butler.restServerConfig.allowedHosts[0]"),
            ("maxConnections: 0", "Butler.restServerConfig.maxConnections"),
            ("auth: {apiKeys: [{name: a, key: short}]}", "Butler.restServerConfig.auth.apiKeys[0].key"),
            ("auth: {apiKeys: [{name: a}]}", "Butler.restServerConfig.auth.apiKeys[0]"),
            ("auth: {apiKeys: [{name: a, key: 0123456789abcdef0, keyFile: f}]}", "Butler.restServerConfig.auth.apiKeys[0]"),
            ("auth: {apiKeys: [{key: 0123456789abcdef0}]}", "Butler.restServerConfig.auth.apiKeys[0].name"),
            ("auth: {apiKeys: [{name: a, key: 0123456789abcdef0, endpoints: [files, everything]}]}", "Butler.restServerConfig.auth.apiKeys[0].endpoints[1]"),
            ("auth: {apiKeys: [{name: a, key: 0123456789abcdef0}, {name: a, key: 0123456789abcdef1}]}", "Butler.restServerConfig.auth.apiKeys[1].name"),
            ("tls: {enable: true, cert: c, key: k, requireClientCertificate: true}", "Butler.restServerConfig.tls.ca"),
        ]
        for (yaml, path) in cases {
            do {
                _ = try ConfigLoader.load(yaml: "Butler:\n  restServerConfig:\n    \(yaml)\n")
                Issue.record("accepted: \(yaml)")
            } catch let error as ConfigError {
                #expect(error.path == path, "\(yaml): \(error)")
                #expect(!error.problem.contains("short") && !error.problem.contains("0123456789abcdef"), "\(error)")
            } catch {
                Issue.record("\(yaml): \(error)")
            }
        }
    }
}
