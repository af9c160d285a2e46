import Foundation
import NIOCore
import NIOPosix
import Wire

/// One device's way to the server in live mode: a TCP relay on loopback that the device was
/// enrolled through. Online, it relays bytes both ways, and applies the faults the scenario queued
/// on it to whole WebSocket frames (``LinkFaults``, ``RelaySession``); offline, it stops listening
/// and closes every connection it relays, so the device's `outpost sync` cannot reach the server
/// at all (its connect is refused), exactly as with the network gone.
final class LiveLink: @unchecked Sendable {
    // @unchecked: `listener` and `port` are touched only from the harness's one thread.
    /// The port the device connects to (fixed by the first bind: offline and online again keep it;
    /// below the ephemeral range, so no connection takes it while the link is offline).
    private(set) var port = 0
    /// The faults queued on this link, taken by the relay as frames pass.
    let faults = LinkFaults()
    private let serverPort: Int
    private let group: any EventLoopGroup
    private var listener: (any Channel)?
    private let open = OpenChannels()

    init(serverPort: Int, group: any EventLoopGroup) throws(ScenarioError) {
        self.serverPort = serverPort
        self.group = group
        for candidate in LivePorts.candidates() {
            guard let listener = try? bind(port: candidate) else { continue }
            self.listener = listener
            port = candidate
            return
        }
        throw ScenarioError("live", "no free port for a device's link in \(LivePorts.range)")
    }

    /// The address to enroll the device with.
    var url: String { "http://127.0.0.1:\(port)" }

    /// Listens again on the same port.
    func goOnline() throws(ScenarioError) {
        guard listener == nil else { return }
        listener = try bind(port: port)
    }

    /// Stops listening and cuts every relayed connection.
    func goOffline() {
        try? listener?.close().wait()
        listener = nil
        cutAll()
    }

    /// Cuts every relayed connection (held frames are lost with them).
    func cutAll() {
        for channel in open.all { try? channel.close().wait() }
    }

    private func bind(port: Int) throws(ScenarioError) -> any Channel {
        let serverPort = serverPort
        let open = open
        let faults = faults
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { inbound in
                open.track(inbound)
                return ClientBootstrap(group: inbound.eventLoop)
                    .connect(host: "127.0.0.1", port: serverPort)
                    .flatMapThrowing { outbound in
                        open.track(outbound)
                        let session = RelaySession(faults: faults, eventLoop: inbound.eventLoop)
                        try inbound.pipeline.syncOperations.addHandler(RelaySide(session: session, up: true))
                        try outbound.pipeline.syncOperations.addHandler(RelaySide(session: session, up: false))
                    }
                    .flatMapErrorThrowing { error in
                        inbound.close(promise: nil)
                        throw error
                    }
                    // Reading starts only now that every byte has somewhere to go.
                    .flatMap { inbound.setOption(.autoRead, value: true) }
            }
        do {
            return try bootstrap.bind(host: "127.0.0.1", port: port).wait()
        } catch {
            throw ScenarioError("live", "cannot listen on 127.0.0.1:\(port) for a device's link: \(error)")
        }
    }
}

/// The faults queued on one link: the harness adds them, the relay's event loop takes them as
/// frames pass (the simulator's matching rules: ``Fault/take(from:kind:up:)``), and the harness
/// reads back what happened for its trace; and the link's ``WireTally`` of what crossed.
final class LinkFaults: @unchecked Sendable {
    // @unchecked: every field only under `lock`.
    private let lock = NSLock()
    private var queue: [Fault] = []
    private var applied: [String] = []
    private var counted = WireTally()

    /// Counts a sync frame the relay passes on (before any fault acts on it).
    func count(_ message: WireMessage, bytes: Int, up: Bool) {
        lock.withLock { counted.count(message, bytes: bytes, up: up) }
    }

    /// What crossed since the last ``resetTally()``.
    var tally: WireTally { lock.withLock { counted } }

    func resetTally() { lock.withLock { counted = WireTally() } }

    func add(_ fault: Fault) { lock.withLock { queue.append(fault) } }

    func clear() { lock.withLock { queue = [] } }

    func take(kind: Fault.FrameKind, up: Bool) -> Fault? {
        lock.withLock {
            guard let fault = Fault.take(from: &queue, kind: kind, up: up) else { return nil }
            applied.append("\(fault.kind.rawValue) \(kind.rawValue) frame \(up ? "up" : "down")")
            return fault
        }
    }

    /// What the faults did since the last call.
    func drainApplied() -> [String] {
        lock.withLock {
            defer { applied = [] }
            return applied
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
