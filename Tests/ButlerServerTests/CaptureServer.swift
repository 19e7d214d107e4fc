import ButlerCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A local HTTP server standing in for an outside service (Slack, New Relic): it records every request
/// and answers with the status and body it is given; a path ending in `/slow` answers after 3 s.
final class CaptureServer: Sendable {
    struct Captured: Sendable {
        let method: HTTPRequest.Method
        let path: String
        /// The raw query string ("" when none).
        let query: String
        let headers: HTTPFields
        let body: String

        var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(body.utf8)) }
    }

    private let requests = Mutex<[Captured]>([])
    private let replyState: Mutex<(status: Int, body: String)>

    init(status: Int, body: String) {
        replyState = Mutex((status, body))
    }

    var captured: [Captured] { requests.withLock { $0 } }

    func reply(status: Int, body: String) { replyState.withLock { $0 = (status, body) } }

    /// Runs a capture server on a free loopback port for the duration of `body`.
    static func run(
        status: Int = 200, body replyBody: String = "ok", _ body: (CaptureServer, Int) async throws -> Void
    ) async throws {
        let server = CaptureServer(status: status, body: replyBody)
        let router = Router()
        let record: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, context in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            server.requests.withLock {
                $0.append(Captured(method: request.method, path: request.uri.path, query: request.uri.query ?? "",
                                   headers: request.headers, body: String(buffer: bytes)))
            }
            if request.uri.path.hasSuffix("/slow") { try await Task.sleep(for: .seconds(3)) }
            let (status, text) = server.replyState.withLock { $0 }
            return Response(status: .init(code: status), body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.post("**", use: record)
        router.put("**", use: record)
        router.get("**", use: record)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "capture-server")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { return }
            defer { group.cancelAll() }
            try await body(server, port)
        }
    }
}

extension JSONValue {
    subscript(index: Int) -> JSONValue? {
        if case .array(let values) = self, values.indices.contains(index) { return values[index] }
        return nil
    }
}
