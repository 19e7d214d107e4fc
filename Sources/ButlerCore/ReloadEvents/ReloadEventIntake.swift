import Foundation
import Logging
import Synchronization

/// The path of every Scheduler datagram, in Butler's order (spec §7.1): source allow-list, size limit,
/// rate limit, a bounded queue, then — in at most `maxConcurrent` workers — sanitising and parsing,
/// execution-id de-duplication, and the handler. Nothing a datagram contains can stop the intake: every
/// refusal is counted and logged (at most once a minute per reason and source).
///
/// `submit` is called by the network listener and never blocks; `run` drains the queue until cancelled.
public final class ReloadEventIntake: Sendable {
    /// Running totals, for logs and tests.
    public struct Counters: Equatable, Sendable {
        public var received = 0
        public var rejectedSource = 0
        public var oversize = 0
        public var rateLimited = 0
        public var queueFull = 0
        public var malformed = 0
        public var unknownType = 0
        public var duplicates = 0
        public var handled = 0
        public var handlerFailures = 0
    }

    struct Datagram: Sendable {
        let bytes: [UInt8]
        let source: String
    }

    let config: UDPServerConfig
    /// The allowed source addresses (host names already resolved); nil when validation is off.
    let allowedAddresses: SourceAddresses?
    let deduplication: (any ExecutionDeduplication)?
    let clock: any WallClock
    let logger: Logger
    let handler: @Sendable (TaskEvent) async throws -> Void
    private let rateLimiter: FixedWindowRateLimiter?
    private let counters = Mutex(Counters())
    private let lastWarnings = Mutex<[String: Date]>([:])
    private let queue: AsyncStream<Datagram>
    private let queueInput: AsyncStream<Datagram>.Continuation
    private let queued = Atomic<Int>(0)

    /// - Parameters:
    ///   - allowedAddresses: resolved `allowedSources` when `enableSourceValidation` is on.
    ///   - deduplication: nil when `deduplication.enable` is false.
    ///   - handler: what to do with each new event (the dispatcher); a throw releases the execution id.
    public init(
        config: UDPServerConfig, allowedAddresses: SourceAddresses?, deduplication: (any ExecutionDeduplication)?,
        clock: any WallClock = SystemWallClock(), logger: Logger, handler: @escaping @Sendable (TaskEvent) async throws -> Void
    ) {
        self.config = config
        self.allowedAddresses = allowedAddresses
        self.deduplication = config.deduplication ? deduplication : nil
        self.clock = clock
        self.logger = logger
        self.handler = handler
        rateLimiter = config.maxMessagesPerMinute.map { FixedWindowRateLimiter(limit: $0, clock: clock) }
        (queue, queueInput) = AsyncStream.makeStream(of: Datagram.self, bufferingPolicy: .bufferingOldest(config.maxQueueSize))
    }

    public var totals: Counters { counters.withLock { $0 } }

    /// Takes one datagram from `source` (an IP address): checks it and queues it, or drops it.
    public func submit(_ bytes: [UInt8], from source: String) {
        count(\.received)
        if let allowed = allowedAddresses, !allowed.contains(source) {
            count(\.rejectedSource)
            warn("source:\(source)", "UDP: datagram from \(source) refused: not in udpServerConfig.allowedSources")
            return
        }
        guard bytes.count <= config.maxMessageSize else {
            count(\.oversize)
            warn("size:\(source)", "UDP: datagram of \(bytes.count) bytes from \(source) dropped (maxMessageSize \(config.maxMessageSize))")
            return
        }
        if let rateLimiter, !rateLimiter.check(client: "all").allowed {
            count(\.rateLimited)
            warn("rate", "UDP: datagram from \(source) dropped: over \(rateLimiter.limit) messages per minute")
            return
        }
        switch queueInput.yield(Datagram(bytes: bytes, source: source)) {
        case .enqueued:
            let waiting = queued.add(1, ordering: .relaxed).newValue
            if waiting * 100 >= config.maxQueueSize * config.backpressureThreshold {
                warn("backpressure", "UDP: \(waiting) of \(config.maxQueueSize) queue places in use")
            }
        case .dropped:
            count(\.queueFull)
            warn("queue", "UDP: queue full (\(config.maxQueueSize)), datagram from \(source) dropped")
        case .terminated:
            break
        @unknown default:
            break
        }
    }

    /// Handles queued datagrams, `maxConcurrent` at a time, until `finish()`; then waits until the
    /// de-duplication claims are stored.
    public func run() async {
        await drain()
        await deduplication?.flush()
    }

    private func drain() async {
        await withTaskGroup(of: Void.self) { workers in
            var running = 0
            for await datagram in queue {
                queued.subtract(1, ordering: .relaxed)
                if running >= config.maxConcurrent {
                    await workers.next()
                    running -= 1
                }
                running += 1
                workers.addTask { await self.handle(datagram) }
            }
        }
    }

    /// Stops taking datagrams; `run` returns once the queue is drained.
    public func finish() {
        queueInput.finish()
    }

    func handle(_ datagram: Datagram) async {
        let event: TaskEvent
        do {
            event = try TaskEventParser.parse(datagram.bytes)
        } catch TaskEventParser.Failure.unknownType(let type) {
            count(\.unknownType)
            warn("type:\(datagram.source)", "UDP: unknown message type from \(datagram.source): \(type.prefix(80))")
            return
        } catch {
            count(\.malformed)
            warn("malformed:\(datagram.source)", "UDP: dropped from \(datagram.source): \(error)")
            return
        }
        // Only Scheduler events are de-duplicated (spec §7.2); engine events are logged only.
        let dedup = event.executionId.isEmpty || event.kind == .engineReloadFailed ? nil : deduplication
        if let dedup {
            let now = clock.now
            let fresh = (try? await dedup.claim(
                event.executionId, until: now.addingTimeInterval(Double(config.deduplicationTTLMinutes) * 60), now: now)) ?? true
            guard fresh else {
                count(\.duplicates)
                logger.info("UDP: execution \(event.executionId) of task \(event.taskId) already handled; duplicate ignored")
                return
            }
        }
        do {
            try await handler(event)
            count(\.handled)
        } catch {
            count(\.handlerFailures)
            logger.error("UDP: handling \(event.kind) event of task \(event.taskId) failed: \(error)")
            try? await dedup?.release(event.executionId)
        }
    }

    private func count(_ counter: WritableKeyPath<Counters, Int>) {
        counters.withLock { $0[keyPath: counter] += 1 }
    }

    /// Logs at most once a minute per `key`, so a flood can't flood the log.
    private func warn(_ key: String, _ message: String) {
        let now = clock.now
        let due = lastWarnings.withLock { warnings in
            if let last = warnings[key], now.timeIntervalSince(last) < 60 { return false }
            if warnings.count > 1000 { warnings = [:] }
            warnings[key] = now
            return true
        }
        if due { logger.warning("\(message)") }
    }
}
