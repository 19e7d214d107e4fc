import ButlerCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging

extension QlikSenseSimulator {
    /// The Engine (QIX) on `port` (default 4747; 0 picks a free port, `onRunning` receives the bound port):
    /// JSON-RPC 2.0 over WSS, with the same client-certificate rule as QRS.
    ///
    /// Accepts the paths Butler and enigma.js use (`/`, `/app/`, `/app/engineData`, `/app/<id>`, each with
    /// optional `/identity/<x>` and `/ttl/<n>` suffixes); other paths get 404. Each socket gets `OnConnected`
    /// first, then its own `SimulatedEngineSession`. Sessions are recorded in `site.engine`.
    public func engineApplication(port: Int = 4747, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> some ApplicationProtocol {
        let site = self.site
        let router = Router(context: BasicRequestContext.self)
        let upgrade = HTTPServerBuilder.http1WebSocketUpgrade(
            configuration: .init(ws: .init(maxFrameSize: 1 << 24, autoPing: .disabled, closeTimeout: .seconds(2)))
        ) { request, _, _ in
            guard let path = request.path, Self.isEnginePath(path) else { return .dontUpgrade }
            let user = HTTPField.Name("X-Qlik-User").flatMap { request.headerFields[$0] }
            site.engine.record(EngineActivity.Connection(path: path, user: user))
            return .upgrade([:]) { inbound, outbound, _ in
                let session = SimulatedEngineSession(site: site)
                let (frames, frameWriter) = AsyncStream.makeStream(of: JSONValue.self)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await frame in frames {
                            try await outbound.writeTextMessage(String(decoding: try JSONEncoder().encode(frame), as: UTF8.self))
                        }
                    }
                    frameWriter.yield(SimulatedEngineSession.onConnected)
                    await withTaskGroup(of: Void.self) { requests in
                        do {
                            for try await message in inbound.messages(maxSize: 1 << 24) {
                                guard case .text(let text) = message else { continue }
                                requests.addTask { frameWriter.yield(await session.answer(text)) }
                            }
                        } catch {
                            // The socket failed; handled as its end.
                        }
                        // The socket ended: requests still running (a long reload, an unanswered method) stop.
                        requests.cancelAll()
                    }
                    frameWriter.finish()
                    try await group.waitForAll()
                }
            }
        }
        var tls = try serverTLSConfiguration()
        // A client that drops the socket without answering TLS close_notify doesn't hold the session for NIOSSL's
        // default 5 s.
        tls.shutdownTimeout = .milliseconds(200)
        return Application(
            router: router,
            server: try .tls(upgrade, tlsConfiguration: tls),
            configuration: .init(address: .hostname(host, port: port), serverName: "Qlik Sense Engine"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// `/`, `/app/`, `/app/engineData`, `/app/<anything>`, with optional `/identity/<x>` and `/ttl/<n>`
    /// (enigma.js `sense-utilities`; qlik-wire-protocols.md §3.1). A query string is ignored.
    static func isEnginePath(_ path: String) -> Bool {
        var parts = path.split(separator: "?", maxSplits: 1).first.map { $0.split(separator: "/").map(String.init) } ?? []
        if parts.count >= 2, parts[parts.count - 2] == "ttl", Int(parts[parts.count - 1]) != nil { parts.removeLast(2) }
        if parts.count >= 2, parts[parts.count - 2] == "identity" { parts.removeLast(2) }
        return parts.isEmpty || (parts.first == "app" && parts.count <= 2)
    }
}
