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
/// While a request is being handled (after its body, until its response ends) no deadline runs, so a
/// long file copy is never cut short. Beyond Butler (Node's `headersTimeout`/`requestTimeout` are similar).
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

    private enum State {
        case awaitingHead, readingBody, handling, closed
    }

    private let limits: Limits
    private var state = State.awaitingHead
    private var deadline: Scheduled<Void>?
    private var counted = false

    init(limits: Limits) {
        self.limits = limits
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let (_, now) = limits.open.add(1, ordering: .relaxed)
        counted = true
        if now > limits.maxConnections {
            state = .closed
            // The pipeline is set up before the connection is registered: close once it is active.
            if context.channel.isActive { refuse(context) }
            return
        }
        arm(limits.headTimeout, context, "its request head")
    }

    func channelActive(context: ChannelHandlerContext) {
        if state == .closed {
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
        guard state != .closed else { return }
        switch unwrapInboundIn(data) {
        case .head:
            arm(limits.bodyTimeout, context, "its request body")
            state = .readingBody
        case .body:
            break
        case .end:
            disarm()
            state = .handling
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), state == .handling {
            state = .awaitingHead
            arm(limits.headTimeout, context, "its next request head")
        }
        context.write(data, promise: promise)
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
        state = .closed
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
