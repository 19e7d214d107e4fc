import ButlerCore
import Testing

/// Destinations are named by `scheme://host[:port]` only (issue 12, item 5).
struct RedactedTests {
    @Test(arguments: [
        ("https://hooks.slack.com/services/T000/B000/XXXXSECRET", "https://hooks.slack.com"),
        ("http://127.0.0.1:8080/path/SECRET?token=SECRET#frag", "http://127.0.0.1:8080"),
        ("https://user:p4ssw0rd@example.com:8443/x", "https://example.com:8443"),
        ("HTTPS://Example.COM/SECRET", "https://Example.COM"),
        ("http://[::1]:9000/SECRET", "http://[::1]:9000"),
        ("https://connect.signl4.com/webhook/SECRET", "https://connect.signl4.com"),
        ("mqtt://broker.local:1883", "mqtt://broker.local:1883"),
    ])
    func origins(url: String, origin: String) {
        #expect(Redacted.origin(url) == origin)
    }

    // Not a URL: the text is never echoed (it may be a secret pasted in the wrong place).
    @Test(arguments: ["SECRET-TOKEN", "", "hooks.slack.com/services/SECRET", "/services/SECRET", "http:///SECRET", "::::SECRET"])
    func invalidURLsAreNotEchoed(text: String) {
        #expect(Redacted.origin(text) == "<invalid URL>")
    }

    @Test func scrubRemovesEverySecretPart() {
        let url = "https://user:p4ssw0rd@hooks.example.com/services/T0/B0/SECRETPATH?token=SECRET%20QUERY"
        let text = "failed: \(url) (path /services/T0/B0/SECRETPATH, query token=SECRET QUERY, user p4ssw0rd)"
        let scrubbed = Redacted.scrub(text, removing: Redacted.secretParts(of: url))
        for secret in ["SECRETPATH", "SECRET QUERY", "SECRET%20QUERY", "p4ssw0rd"] {
            #expect(!scrubbed.contains(secret), "\(scrubbed)")
        }
        #expect(scrubbed.hasPrefix("failed: "))
        // Short "secrets" (a bare "/" path) don't mangle the message.
        #expect(Redacted.scrub("a/b", removing: ["/", "ab"]) == "a/b")
    }
}
