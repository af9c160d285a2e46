import NIOCore
import Wire

/// One relayed connection between a device and the server: both of its channels live on one event
/// loop, and everything here runs on it. Each direction's bytes are split into WebSocket frames
/// (``StreamSplitter``); a frame a queued fault matches is dropped, doubled, held behind the next
/// one, delayed, or cuts the connection, as in the simulator (Protocol/SCENARIOS.md).
///
/// The simulator's session timeout (no frame for 30 s) becomes a watchdog: once a fault has
/// stalled the session (a drop, a held frame), the relay cuts the connection after
/// ``stallCut`` without traffic; a delay of 30 s or more is a stall too (the frame would arrive
/// after both sides gave up).
final class RelaySession {
    static let stallCut = TimeAmount.seconds(1)
    /// A frame held by `reorder` goes anyway when no next frame comes this soon.
    static let reorderRelease = TimeAmount.milliseconds(300)
    static let sessionTimeoutMs: UInt64 = 30_000

    private let faults: LinkFaults
    private let eventLoop: any EventLoop
    var device: RelaySide?
    var server: RelaySide?
    /// Frames held by `reorder`, per direction (up = index 1).
    private var held: [[[UInt8]]] = [[], []]
    /// Frames waiting behind a delayed one, per direction, and whether a delay is running.
    private var waiting: [[[UInt8]]] = [[], []]
    private var delaying = [false, false]
    private var lastTraffic = NIODeadline.now()
    private var watching = false
    private var closed = false

    init(faults: LinkFaults, eventLoop: any EventLoop) {
        self.faults = faults
        self.eventLoop = eventLoop
    }

    func attach(_ side: RelaySide) {
        if side.up { device = side } else { server = side }
    }

    /// A piece of the stream read from the device (`up`) or the server.
    func handle(_ piece: StreamSplitter.Piece, up: Bool) {
        lastTraffic = .now()
        switch piece {
        case .raw(let bytes):
            send(bytes, up: up)
        case .frame(let bytes, let message):
            let kind = SessionRun.kind(message)
            faults.count(message, bytes: WebSocketHeader(bytes)?.payloadLength ?? bytes.count, up: up)
            guard let fault = faults.take(kind: kind, up: up) else {
                send(bytes, up: up)
                release(up: up)
                return
            }
            switch fault.kind {
            case .drop:
                release(up: up)
                stalled()
            case .cut:
                closeBoth()
            case .duplicate:
                send(bytes, up: up)
                send(bytes, up: up)
                release(up: up)
            case .truncate, .corrupt:
                // The WebSocket message arrives whole; the sync frame inside it is damaged.
                send(StreamSplitter.replacingPayload(of: bytes, with: fault.damaged), up: up)
                release(up: up)
            case .reorder:
                held[index(up)].append(bytes)
                eventLoop.assumeIsolated().scheduleTask(in: Self.reorderRelease) { self.release(up: up) }
                stalled()
            case .delay:
                // Behind a delay already running, the frame simply waits its turn.
                guard !delaying[index(up)] else { return waiting[index(up)].append(bytes) }
                delaying[index(up)] = true
                waiting[index(up)].insert(bytes, at: 0)
                // Past the session timeout, the frame and those behind it never arrive in time.
                guard fault.delayMs < Self.sessionTimeoutMs else { return stalled() }
                eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(clamping: fault.delayMs))) {
                    self.delaying[self.index(up)] = false
                    let queued = self.waiting[self.index(up)]
                    self.waiting[self.index(up)] = []
                    for frame in queued { self.send(frame, up: up) }
                }
            }
        }
    }

    func closeBoth() {
        guard !closed else { return }
        closed = true
        device?.close()
        server?.close()
        device = nil
        server = nil
    }

    private func index(_ up: Bool) -> Int { up ? 1 : 0 }

    /// Held frames of this direction go now, behind what was just sent.
    private func release(up: Bool) {
        let frames = held[index(up)]
        held[index(up)] = []
        for frame in frames { send(frame, up: up) }
    }

    private func send(_ bytes: [UInt8], up: Bool) {
        if delaying[index(up)] {
            waiting[index(up)].append(bytes)
            return
        }
        (up ? server : device)?.write(bytes)
    }

    /// A fault stalled the session: cut it once no byte has passed for ``stallCut``.
    private func stalled() {
        guard !watching else { return }
        watching = true
        watch()
    }

    private func watch() {
        eventLoop.assumeIsolated().scheduleTask(in: Self.stallCut) {
            if NIODeadline.now() - self.lastTraffic >= Self.stallCut {
                self.closeBoth()
            } else {
                self.watch()
            }
        }
    }
}

/// One channel of a relayed connection: what it reads goes through the session to the other.
final class RelaySide: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let up: Bool
    private let session: RelaySession
    private var splitter: StreamSplitter
    private var context: ChannelHandlerContext?

    init(session: RelaySession, up: Bool) {
        self.session = session
        self.up = up
        splitter = StreamSplitter(up: up)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        session.attach(self)
    }

    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        for piece in splitter.feed(bytes) { session.handle(piece, up: up) }
    }

    func channelInactive(context: ChannelHandlerContext) { session.closeBoth() }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { session.closeBoth() }

    func write(_ bytes: [UInt8]) {
        guard let context else { return }
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
    }

    func close() { context?.close(promise: nil) }
}
