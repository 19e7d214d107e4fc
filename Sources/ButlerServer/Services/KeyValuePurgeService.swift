import ButlerCore
import Logging
import ServiceLifecycle

/// Removes expired key-value pairs from storage at a fixed interval, so that pairs nobody reads again
/// don't pile up. (Expired pairs are never returned in any case; this only reclaims space.)
public struct KeyValuePurgeService: Service {
    let store: KeyValueService
    let interval: Duration
    let logger: Logger

    public init(store: KeyValueService, interval: Duration = .seconds(60), logger: Logger) {
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            do {
                let purged = try await store.purgeExpired()
                if purged > 0 { logger.debug("KV store: purged \(purged) expired key-value pairs") }
            } catch {
                logger.error("KV store: purging expired pairs failed: \(error)")
            }
        }
    }
}
