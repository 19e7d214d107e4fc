import ButlerCore
import ButlerServer
import Foundation
import HummingbirdTesting
import QlikSenseSimulator
import Testing

/// Issue 12, item 7: with `serverHost: "::"` the listener's dual-stack socket sees an IPv4 sender as
/// `::ffff:a.b.c.d`; an IPv4 entry of `allowedSources` must still let it through (and others still not).
@Suite("UDP source allow-list on a dual-stack socket", .serialized)
struct UDPDualStackTests {
    static func run(allowed: [String], _ body: @escaping @Sendable (CaptureServer, SchedulerUDPSender, LogCapture) async throws -> Void) async throws {
        try await ReloadEventPipelineTests.withDatabase { database in
            try await CaptureServer.run { server, port in
                var config = ReloadEventPipelineTests.config(capture: port, database: database)
                config.udpServer.serverHost = "::"
                config.udpServer.portTaskFailure = 0
                config.udpServer.enableSourceValidation = true
                config.udpServer.allowedSources = allowed
                let capture = LogCapture()
                var options = ServerOptions()
                options.apiRateLimit = 0
                options.keyValueStore = InMemoryKeyValueStore()
                options.logger = capture.logger()
                let (bound, boundInput) = AsyncStream.makeStream(of: Int.self)
                options.onUDPBound = { boundInput.yield($0) }
                let app = try buildApplication(config: config, options: options)
                try await app.test(.live) { _ in
                    var iterator = bound.makeAsyncIterator()
                    guard let udpPort = await iterator.next() else { return }
                    #expect(capture.lines.contains { $0.contains("listening for Qlik Sense Scheduler messages on :::") })
                    try await body(server, SchedulerUDPSender(host: "127.0.0.1", port: udpPort), capture)
                }
            }
        }
    }

    @Test func anIPv4EntryMatchesAnIPv4SenderOnADualStackSocket() async throws {
        try await Self.run(allowed: ["127.0.0.1"]) { server, sender, capture in
            sender.send(ReloadEventPipelineTests.datagram())
            #expect(await capture.wait(for: "Reload event: task", within: 5), "\(capture.lines.suffix(5))")
            #expect(!capture.lines.contains { $0.contains("not in udpServerConfig.allowedSources") })
            let delivered = try await ReloadEventPipelineTests.waitFor(1, server)
            #expect(delivered.first?.json?["taskName"] == "Reload of HR Overview")
        }
    }

    @Test func otherIPv4SendersAreStillRefused() async throws {
        try await Self.run(allowed: ["192.0.2.10"]) { server, sender, capture in
            sender.send(ReloadEventPipelineTests.datagram())
            #expect(await capture.wait(for: "not in udpServerConfig.allowedSources", within: 5))
            #expect(capture.lines.contains { $0.contains("from ::ffff:127.0.0.1 refused") })
            #expect(server.captured.isEmpty)
        }
    }
}
