import Foundation
import NIOCore
import NIOPosix

/// One device's way to the server in live mode: a TCP relay on loopback that the device was
/// enrolled through. Online, it relays bytes both ways; offline, it stops listening and closes
/// every connection it relays, so the device's `outpost sync` cannot reach the server at all (its
/// connect is refused), exactly as with the network gone.
final class LiveLink: @unchecked Sendable {
    // @unchecked: `listener` is touched only from the harness's one thread; `open` is locked.
    /// The port the device connects to (fixed by the first bind: offline and online again keep it).
    private(set) var port = 0
    private let serverPort: Int
    private let group: any EventLoopGroup
    private var listener: (any Channel)?
    private let open = OpenChannels()

    init(serverPort: Int, group: any EventLoopGroup) throws(ScenarioError) {
        self.serverPort = serverPort
        self.group = group
        let listener = try bind(port: 0)
        self.listener = listener
        guard let bound = listener.localAddress?.port else { throw ScenarioError("live", "the relay has no port") }
        port = bound
    }

    /// The address to enroll the device with.
    var url: String { "http://127.0.0.1:\(port)" }

    var isOnline: Bool { listener != nil }

    /// Listens again on the same port.
    func goOnline() throws(ScenarioError) {
        guard listener == nil else { return }
        listener = try bind(port: port)
    }

    /// Stops listening and cuts every relayed connection.
    func goOffline() {
        try? listener?.close().wait()
        listener = nil
        for channel in open.all { try? channel.close().wait() }
    }

    func shutdown() { goOffline() }

    private func bind(port: Int) throws(ScenarioError) -> any Channel {
        let serverPort = serverPort
        let open = open
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { inbound in
                open.track(inbound)
                return ClientBootstrap(group: inbound.eventLoop)
                    .connect(host: "127.0.0.1", port: serverPort)
                    .flatMapThrowing { outbound in
                        open.track(outbound)
                        let (toServer, toDevice) = Glue.pair()
                        try inbound.pipeline.syncOperations.addHandler(toServer)
                        try outbound.pipeline.syncOperations.addHandler(toDevice)
                    }
                    // Reading starts only now that every byte has somewhere to go.
                    .flatMap { inbound.setOption(.autoRead, value: true) }
                    .flatMapErrorThrowing { error in
                        inbound.close(promise: nil)
                        throw error
                    }
            }
        do {
            return try bootstrap.bind(host: "127.0.0.1", port: port).wait()
        } catch {
            throw ScenarioError("live", "cannot listen on 127.0.0.1:\(port) for a device's link: \(error)")
        }
    }

}

/// The connections a relay has open, so that going offline can cut them.
private final class OpenChannels: @unchecked Sendable {
    // @unchecked: `channels` only under `lock`.
    private let lock = NSLock()
    private var channels: [ObjectIdentifier: any Channel] = [:]

    var all: [any Channel] { lock.withLock { Array(channels.values) } }

    func track(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        lock.withLock { channels[id] = channel }
        channel.closeFuture.whenComplete { _ in
            self.lock.withLock { _ = self.channels.removeValue(forKey: id) }
        }
    }
}

/// Relays what one channel reads to its partner channel, with back-pressure: the two handlers of a
/// pair live on one event loop (the relay connects to the server on the device connection's loop).
private final class Glue: ChannelDuplexHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private var partner: Glue?
    private var context: ChannelHandlerContext?
    private var pendingRead = false

    static func pair() -> (Glue, Glue) {
        let first = Glue(), second = Glue()
        first.partner = second
        second.partner = first
        return (first, second)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) { partner?.context?.write(data, promise: nil) }

    func channelReadComplete(context: ChannelHandlerContext) { partner?.context?.flush() }

    func channelInactive(context: ChannelHandlerContext) { partner?.context?.close(promise: nil) }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { partner?.context?.close(promise: nil) }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, case .inputClosed = event {
            partner?.context?.close(mode: .output, promise: nil)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        guard context.channel.isWritable, let partner, partner.pendingRead else { return }
        partner.pendingRead = false
        partner.context?.read()
    }

    func read(context: ChannelHandlerContext) {
        if partner?.context?.channel.isWritable == true {
            context.read()
        } else {
            pendingRead = true
        }
    }
}
