import ButlerCore
import Foundation
import Logging
import NIOCore
import NIOSSL

/// A client of the Qlik Sense Engine (QIX) over WebSocket with the site's client certificate; Butler's
/// `QlikSenseApps`.
///
/// Source: Butler's enigma.js sessions (spec §8.2, qlik-wire-protocols.md §3.4): the app list connects
/// without a path, a reload to `/app/<appId>`, a dump to `/app/engineData`; `Butler.configEngine.headers.static`
/// (`X-Qlik-User`) is sent on the upgrade. Each operation has its own session, closed afterwards. With
/// `rejectUnauthorized: false` (Butler's default) the Engine's certificate isn't verified; with true it must
/// chain to `Butler.cert.clientCertCA`.
///
/// Timeouts: `QlikSenseConfig.connectTimeout` until `OnConnected`, `requestTimeout` per call — except
/// `DoReload`, which waits for the reload to end. Errors as `QlikSenseApps` says.
public final class EngineClient: QlikSenseApps {
    let endpoint: QlikSenseConfig.ServiceEndpoint
    let tls: TLSConfiguration?
    /// The TLS server name sent for an IP-address host (SNI can't be an IP address).
    let sniHostname: String?
    let connectTimeout: Duration
    let requestTimeout: Duration
    let logger: Logger

    /// - Throws: `ButlerError.failed` when `Butler.configEngine` isn't set or a certificate file can't be loaded.
    public init(config: QlikSenseConfig, logger: Logger) throws {
        guard let endpoint = config.engine else { throw ButlerError.failed("Butler.configEngine.host is not set") }
        self.endpoint = endpoint
        if endpoint.useSSL {
            var tls = try QlikSenseTLS.clientConfiguration(certificates: config.certificates, rejectUnauthorized: endpoint.rejectUnauthorized)
            // A closed session waits at most this long for the Engine's TLS close_notify (NIOSSL: 5 s).
            tls.shutdownTimeout = .seconds(1)
            if Self.isIPAddress(endpoint.host) {
                // TLS SNI can't carry an IP address, and the WebSocket client always sends one: a neutral name
                // is sent instead, so the certificate's chain is verified but not its name.
                if tls.certificateVerification == .fullVerification { tls.certificateVerification = .noHostnameVerification }
                sniHostname = "qlik-sense-engine"
            } else {
                sniHostname = nil
            }
            self.tls = tls
        } else {
            tls = nil
            sniHostname = nil
        }
        connectTimeout = config.connectTimeout
        requestTimeout = config.requestTimeout
        self.logger = logger
    }

    /// Engine: `GetDocList`; each entry becomes `{id: qDocId, name: qDocName}`.
    public func listApps() async throws -> [AppSummary] {
        try await withSession(path: "") { session in
            let result = try await session.call(-1, "GetDocList")
            return (result["qDocList"]?.arrayValue ?? []).compactMap { entry in
                guard let id = entry["qDocId"]?.stringValue else { return nil }
                return AppSummary(id: id, name: entry["qDocName"]?.stringValue ?? entry["qTitle"]?.stringValue ?? "")
            }
        }
    }

    /// Engine: `EngineVersion`, then `OpenDoc(appId, "", "", "", false)` on a socket to `/app/<appId>`.
    public func openForReload(appId: String) async throws -> any OpenedAppForReload {
        let session = try await open(path: "/app/\(appId)")
        do {
            let version = try await session.call(-1, "EngineVersion")
            logger.debug("Qlik Sense Engine version \(version["qVersion"]?["qComponentVersion"]?.stringValue ?? "?")")
            let doc = try await session.openDoc(appId, noData: false)
            return EngineReload(session: session, doc: doc, appId: appId, logger: logger)
        } catch {
            Task { await session.close() }
            throw error
        }
    }

    /// Engine: `OpenDoc(appId, "", "", "", true)` on a socket to `/app/engineData`, then the serializer's
    /// calls (`EngineAppDump`).
    public func dump(appId: String) async throws -> JSONValue {
        try await withSession(path: "/app/engineData") { session in
            let doc = try await session.openDoc(appId, noData: true)
            return try await EngineAppDump(session: session, doc: doc, logger: logger).run()
        }
    }

    func open(path: String) async throws -> EngineSession {
        let scheme = endpoint.useSSL ? "wss" : "ws"
        let address = "\(endpoint.host):\(endpoint.port)"
        let connection = try await EngineConnection.open(
            url: "\(scheme)://\(address)\(path)", address: address, headers: endpoint.headers, tls: tls, sniHostname: sniHostname,
            connectTimeout: connectTimeout, logger: logger)
        return EngineSession(connection: connection, requestTimeout: requestTimeout)
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: 0)) != nil
    }

    /// Runs `body` on a new session; the session is closed in the background afterwards, so the caller's
    /// answer doesn't wait for the close handshake.
    func withSession<T: Sendable>(path: String, _ body: (EngineSession) async throws -> T) async throws -> T {
        let session = try await open(path: path)
        defer { Task { await session.close() } }
        return try await body(session)
    }
}

/// An Engine connection with Butler's error rules: Engine error objects become `.badGateway` naming the
/// method, except for `OpenDoc`, where they are `.unprocessable` (the app can't be opened).
struct EngineSession: Sendable {
    let connection: EngineConnection
    let requestTimeout: Duration

    /// - Parameter timeout: `.some(nil)` waits without a limit (DoReload); the default is the request timeout.
    func call(_ handle: Int, _ method: String, _ params: [JSONValue] = [], timeout: Duration?? = .none) async throws -> JSONValue {
        do {
            return try await connection.call(handle, method, params, timeout: timeout ?? requestTimeout)
        } catch let error as EngineRPCError {
            throw ButlerError(.badGateway, "Qlik Sense Engine answered \(method) with an error: \(error)")
        }
    }

    /// `OpenDoc`; returns the doc handle.
    func openDoc(_ appId: String, noData: Bool) async throws -> Int {
        let result: JSONValue
        do {
            result = try await connection.call(-1, "OpenDoc", [.string(appId), "", "", "", .bool(noData)], timeout: requestTimeout)
        } catch let error as EngineRPCError {
            throw ButlerError(.unprocessable, "Qlik Sense Engine could not open app \(appId): \(error)")
        }
        guard let handle = result["qReturn"]?["qHandle"]?.intValue else {
            throw ButlerError(.unprocessable, "Qlik Sense Engine could not open app \(appId): no document handle in its answer")
        }
        return handle
    }

    /// The object handle in `result.qReturn.qHandle`; older Engines answer a missing object with a null handle.
    func handle(in result: JSONValue, _ what: String) throws -> Int {
        guard let handle = result["qReturn"]?["qHandle"]?.intValue else {
            throw ButlerError(.badGateway, "Qlik Sense Engine: \(what) not found")
        }
        return handle
    }

    func close() async { await connection.close() }
}

/// An app opened for reload (`OpenedAppForReload`).
struct EngineReload: OpenedAppForReload {
    let session: EngineSession
    let doc: Int
    let appId: String
    let logger: Logger

    /// Engine: `DoReload(qMode, qPartial)` (two params, as Butler sends), then `DoSave()` when it returned true;
    /// the session is then closed in the background.
    func reload(_ options: AppReloadOptions) async throws -> Bool {
        do {
            let result = try await session.call(doc, "DoReload", [.number(Double(options.mode)), .bool(options.partial)], timeout: .some(nil))
            let succeeded = result["qReturn"]?.boolValue == true
            if succeeded { _ = try await session.call(doc, "DoSave") }
            Task { await session.close() }
            return succeeded
        } catch {
            Task { await session.close() }
            throw error
        }
    }

    func close() async { await session.close() }
}
