import ButlerCore
import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import NIOSSL
import Synchronization

/// An error object the Engine answered a request with: `{"code":N,"parameter":"…","message":"…"}`
/// (qlik-wire-protocols.md §3.3; e.g. 1003 "App not found", 2 object not found, -32601 method not found).
public struct EngineRPCError: Error, Equatable, Sendable, CustomStringConvertible {
    public let code: Int
    public let parameter: String
    public let message: String

    public var description: String { "\(message) (Engine error \(code)\(parameter.isEmpty ? "" : ", \(parameter)"))" }
}

/// One WebSocket to a Qlik Sense Engine, speaking JSON-RPC 2.0 (qlik-wire-protocols.md §3).
///
/// `open` connects (TLS with Butler's client certificate, `configEngine.headers.static` on the upgrade) and
/// returns once the Engine has pushed `OnConnected`; `call` sends one request (`"delta": false`, ids counting
/// up from 1) and matches the answer by `id`, so answers may come in any order and many calls may be in
/// flight. Errors: `ButlerError.unavailable` for everything about the connection (refused, TLS refused, no
/// `OnConnected` within the connect timeout, no answer within the request timeout, dropped socket) and
/// `EngineRPCError` for an Engine error object.
final class EngineConnection: Sendable {
    private struct State {
        var nextId = 1
        var pending: [Int: CheckedContinuation<JSONValue, any Error>] = [:]
        var writer: WebSocketOutboundWriter?
        var connected = false
        var connectWaiter: CheckedContinuation<Void, any Error>?
        var failure: ButlerError?
    }

    private let state = Mutex(State())
    private let runner = Mutex<Task<Void, Never>?>(nil)
    /// `host:port` in messages.
    let address: String
    let logger: Logger

    private init(address: String, logger: Logger) {
        self.address = address
        self.logger = logger
    }

    /// Connects to `url` (`wss://host:port/app/<appId>`, `…/app/engineData` or no path) and waits for
    /// `OnConnected` for up to `connectTimeout`.
    /// - Throws: `ButlerError.unavailable` when that doesn't happen.
    static func open(url: String, address: String, headers: [NameValue], tls: TLSConfiguration?, sniHostname: String?,
                     connectTimeout: Duration, logger: Logger) async throws -> EngineConnection {
        let connection = EngineConnection(address: address, logger: logger)
        var configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 24, closeTimeout: .seconds(2), sniHostname: sniHostname)
        for header in headers {
            if let name = HTTPField.Name(header.name) { configuration.additionalHeaders.append(HTTPField(name: name, value: header.value)) }
        }
        let client = WebSocketClient(url: url, configuration: configuration, tlsConfiguration: tls, logger: logger) { inbound, outbound, _ in
            connection.state.withLock { $0.writer = outbound }
            for try await message in inbound.messages(maxSize: 1 << 26) {
                if case .text(let text) = message { connection.receive(text) }
            }
        }
        let run = Task {
            do {
                try await client.run()
                connection.fail(ButlerError(.unavailable, "The Qlik Sense Engine at \(address) closed the connection"))
            } catch {
                connection.fail(ButlerError(.unavailable, "Qlik Sense Engine at \(address) could not be reached: \(Self.describe(error))"))
            }
        }
        connection.runner.withLock { $0 = run }
        let timer = Task {
            try await Task.sleep(for: connectTimeout)
            connection.fail(ButlerError(.unavailable, "Qlik Sense Engine at \(address) did not accept a session within \(connectTimeout)"))
            connection.runner.withLock { $0?.cancel() }
        }
        defer { timer.cancel() }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            connection.state.withLock { state in
                if let failure = state.failure {
                    continuation.resume(throwing: failure)
                } else if state.connected {
                    continuation.resume()
                } else {
                    state.connectWaiter = continuation
                }
            }
        }
        return connection
    }

    /// Sends `method` on `handle` (-1 is the Global object) with positional `params` and returns the
    /// `result` object (an answer in delta form is unpatched). `timeout` nil waits until the answer or the
    /// end of the connection.
    /// - Throws: `EngineRPCError` for an error answer; `ButlerError.unavailable` for a timeout or a lost connection.
    func call(_ handle: Int, _ method: String, _ params: [JSONValue] = [], timeout: Duration?) async throws -> JSONValue {
        let registered: (Int, WebSocketOutboundWriter)? = try state.withLock { state in
            if let failure = state.failure { throw failure }
            guard let writer = state.writer else { return nil }
            defer { state.nextId += 1 }
            return (state.nextId, writer)
        }
        guard let (id, writer) = registered else { throw ButlerError(.unavailable, "No session with the Qlik Sense Engine at \(address)") }
        let request: JSONValue = [
            "jsonrpc": "2.0", "id": .number(Double(id)), "handle": .number(Double(handle)),
            "method": .string(method), "params": .array(params), "delta": false,
        ]
        let text = String(decoding: try JSONEncoder().encode(request), as: UTF8.self)
        let timer = timeout.map { timeout in
            Task {
                try await Task.sleep(for: timeout)
                self.resolve(id, .failure(ButlerError(.unavailable, "The Qlik Sense Engine at \(self.address) did not answer \(method) within \(timeout)")))
            }
        }
        defer { timer?.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            let failure: ButlerError? = state.withLock { state in
                if let failure = state.failure { return failure }
                state.pending[id] = continuation
                return nil
            }
            if let failure { return continuation.resume(throwing: failure) }
            Task {
                do {
                    try await writer.writeTextMessage(text)
                } catch {
                    self.resolve(id, .failure(ButlerError(.unavailable, "Could not send \(method) to the Qlik Sense Engine at \(self.address): \(error)")))
                }
            }
        }
    }

    /// Closes the session (close code 1000, as enigma's `session.close()`) and waits for the socket to end.
    func close() async {
        let writer = state.withLock { $0.writer }
        if let writer { try? await writer.close(.normalClosure, reason: nil) } else { runner.withLock { $0?.cancel() } }
        await runner.withLock { $0 }?.value
    }

    private func receive(_ text: String) {
        guard let message = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
            logger.warning("Qlik Sense Engine sent a frame that isn't JSON: \(text.prefix(200))")
            return
        }
        guard let id = message["id"]?.intValue else {
            if message["method"]?.stringValue == "OnConnected" {
                let waiter = state.withLock { state in
                    state.connected = true
                    defer { state.connectWaiter = nil }
                    return state.connectWaiter
                }
                waiter?.resume()
            }
            return
        }
        if let error = message["error"] {
            resolve(id, .failure(EngineRPCError(
                code: error["code"]?.intValue ?? 0, parameter: error["parameter"]?.stringValue ?? "",
                message: error["message"]?.stringValue ?? "")))
        } else {
            let result = message["result"] ?? [:]
            resolve(id, .success(message["delta"]?.boolValue == true ? Self.unpatched(result) : result))
        }
    }

    private func resolve(_ id: Int, _ result: Result<JSONValue, any Error>) {
        state.withLock { $0.pending.removeValue(forKey: id) }?.resume(with: result)
    }

    /// Fails the connection: every waiting call and the connect wait end with `error` (first failure wins).
    private func fail(_ error: ButlerError) {
        let (waiters, connectWaiter, failure) = state.withLock { state in
            if state.failure == nil { state.failure = error }
            defer { state.pending = [:]; state.connectWaiter = nil }
            return (Array(state.pending.values), state.connectWaiter, state.failure!)
        }
        connectWaiter?.resume(throwing: failure)
        for waiter in waiters { waiter.resume(throwing: failure) }
    }

    /// A delta answer holds, per out-param, JSON-Patch operations; without a cache only a whole-value
    /// patch (`[{"op":"add","path":"/","value":V}]`, what the Engine sends first) can be applied.
    static func unpatched(_ result: JSONValue) -> JSONValue {
        guard let fields = result.objectValue else { return result }
        return .object(fields.mapValues { value in
            guard let patches = value.arrayValue, let last = patches.last(where: { $0["path"]?.stringValue == "/" }),
                let whole = last["value"] else { return value }
            return whole
        })
    }

    static func describe(_ error: any Error) -> String {
        if error is NIOSSLError || error is BoringSSLError { return "TLS handshake failed (\(error))" }
        return "\(error)"
    }
}
