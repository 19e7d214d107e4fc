import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization

/// The REST server's limits on connections, applied in each connection's channel pipeline after HTTP
/// decoding (Hummingbird's `additionalChannelHandlers`):
///
/// - at most `maxConnections` open at once (`Butler.restServerConfig.maxConnections`, default 1,000); a
///   connection beyond it is closed as soon as it is accepted;
/// - a request's head must arrive within `headTimeout` (10 s) of the connection opening or of the end of
///   the previous response, and its body within `bodyTimeout` (30 s) of its head. These are deadlines, not
///   idle timers: a client that trickles one byte at a time is closed on time all the same.
///
/// While any request received is still being answered (from the end of its body until its response's
/// last byte has been handed to the socket) no head deadline runs, so a long file copy, a large response
/// to a slow reader and requests pipelined behind a slow one are never cut short. Beyond Butler (Node's
/// `headersTimeout`/`requestTimeout` are similar).
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Limits shared by every connection of one server.
    final class Limits: Sendable {
        let maxConnections: Int
        let headTimeout: TimeAmount
        let bodyTimeout: TimeAmount
        let logger: Logger
        let open = Atomic<Int>(0)

        init(maxConnections: Int, headTimeout: Duration, bodyTimeout: Duration, logger: Logger) {
            self.maxConnections = maxConnections
            self.headTimeout = TimeAmount(headTimeout)
            self.bodyTimeout = TimeAmount(bodyTimeout)
            self.logger = logger
        }

        /// The open connections now.
        var openConnections: Int { open.load(ordering: .relaxed) }
    }

    private let limits: Limits
    private var closed = false
    /// Request heads and ends received, and responses written out, on this connection.
    private var heads = 0, ends = 0, responses = 0
    private var deadline: Scheduled<Void>?
    private var counted = false

    init(limits: Limits) {
        self.limits = limits
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let (_, now) = limits.open.add(1, ordering: .relaxed)
        counted = true
        if now > limits.maxConnections {
            closed = true
            // The pipeline is set up before the connection is registered: close once it is active.
            if context.channel.isActive { refuse(context) }
            return
        }
        arm(limits.headTimeout, context, "its request head")
    }

    func channelActive(context: ChannelHandlerContext) {
        if closed {
            refuse(context)
        } else {
            context.fireChannelActive()
        }
    }

    private func refuse(_ context: ChannelHandlerContext) {
        limits.logger.warning("API: connection from \(context.remoteAddress?.ipAddress ?? "-") refused: \(limits.maxConnections) connections are open (restServerConfig.maxConnections)")
        close(context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release()
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closed else { return }
        switch unwrapInboundIn(data) {
        case .head:
            heads += 1
            arm(limits.bodyTimeout, context, "its request body")
        case .body:
            break
        case .end:
            ends += 1
            // Answered already (e.g. a refusal before the body was read): wait for the next head.
            if responses >= heads { arm(limits.headTimeout, context, "its next request head") } else { disarm() }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        // The next head is awaited once this response's last byte is out, and nothing else is pending.
        let written = promise ?? context.eventLoop.makePromise()
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        written.futureResult.whenSuccess {
            let (handler, context) = loopBound.value
            handler.responses += 1
            if !handler.closed, handler.ends == handler.heads, handler.responses >= handler.heads {
                handler.arm(handler.limits.headTimeout, context, "its next request head")
            }
        }
        context.write(data, promise: written)
    }

    private func arm(_ timeout: TimeAmount, _ context: ChannelHandlerContext, _ what: String) {
        disarm()
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: timeout) {
            let (handler, context) = loopBound.value
            handler.limits.logger.debug("API: connection from \(context.remoteAddress?.ipAddress ?? "-") closed: \(what) did not arrive in time")
            handler.close(context)
        }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }

    private func close(_ context: ChannelHandlerContext) {
        disarm()
        closed = true
        context.close(promise: nil)
    }

    private func release() {
        disarm()
        if counted {
            counted = false
            limits.open.subtract(1, ordering: .relaxed)
        }
    }
}
