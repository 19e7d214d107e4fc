import ButlerCore
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Listens for the Qlik Sense Scheduler's UDP messages (`Butler.udpServerConfig`) on a NIO datagram
/// channel and hands each datagram to the `ReloadEventIntake`, which checks, queues and handles it.
struct UDPListener: Service {
    let config: UDPServerConfig
    let intake: ReloadEventIntake
    let logger: Logger
    /// Called with the bound port (tests bind port 0).
    var onBound: @Sendable (Int) -> Void = { _ in }
    /// Called once the intake has stopped (the dispatcher gives up its distribute polls).
    var onStop: @Sendable () -> Void = {}

    func run() async throws {
        let intake = self.intake
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_rcvbuf), value: 4 * 1024 * 1024)
            // One byte more than the limit, so an oversize datagram is seen as oversize, not cut short
            // (NIO's default receive buffer is 2 KiB).
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: config.maxMessageSize + 1))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(DatagramHandler(intake: intake)) }
            }
            .bind(host: config.serverHost, port: config.portTaskFailure)
            .get()
        let port = channel.localAddress?.port ?? config.portTaskFailure
        logger.info("UDP: listening for Qlik Sense Scheduler messages on \(config.serverHost):\(port)")
        onBound(port)
        await withGracefulShutdownHandler {
            await intake.run()
        } onGracefulShutdown: {
            channel.close(promise: nil)
            intake.finish()
        }
        // Also when the service group was cancelled instead of shut down gracefully.
        channel.close(promise: nil)
        intake.finish()
        onStop()
        try? await channel.closeFuture.get()
    }

    /// Resolves `allowedSources` (addresses and host names) to the addresses datagrams come from, compared
    /// as addresses (an IPv4 entry matches the `::ffff:a.b.c.d` form a dual-stack `::` socket reports).
    /// - Throws: `ButlerError.failed` when none of them resolves (validation would refuse everything).
    static func allowedAddresses(_ config: UDPServerConfig, logger: Logger) throws -> SourceAddresses? {
        guard config.enableSourceValidation else { return nil }
        var addresses = Set<String>()
        for source in config.allowedSources {
            let resolved = resolve(source)
            if resolved.isEmpty { logger.warning("UDP: allowed source '\(source)' does not resolve; ignored") }
            addresses.formUnion(resolved)
        }
        let allowed = SourceAddresses(addresses)
        guard !allowed.isEmpty else {
            throw ButlerError.failed("Butler.udpServerConfig.allowedSources: none of \(config.allowedSources) resolves to an address")
        }
        return allowed
    }

    static func resolve(_ host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var result: [String] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(current.pointee.ai_addr, current.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0 {
                result.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            entry = current.pointee.ai_next
        }
        return result
    }
}

/// Passes each datagram's bytes and sender address to the intake.
private final class DatagramHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let intake: ReloadEventIntake

    init(intake: ReloadEventIntake) { self.intake = intake }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        intake.submit(Array(envelope.data.readableBytesView), from: envelope.remoteAddress.ipAddress ?? "unknown")
    }
}
