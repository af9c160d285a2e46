import NIOCore

/// The first handler of every server connection, on its raw bytes: it closes connections that are
/// too slow or too quiet, and counts connections that have not been answered yet
/// (Protocol/SERVER_API.md, "Timeouts and connection limits").
///
/// It knows just enough of HTTP/1.1 to time a request without parsing it: a request head ends at
/// the first blank line (`CRLF CRLF`), and a request is answered when the server writes its first
/// bytes. A response that starts `HTTP/1.1 101` is a WebSocket upgrade: from then on the socket
/// belongs to the sync session, whose own hello timeout and keepalive apply, and this handler only
/// passes bytes on.
///
/// - **header timeout**: a request head must be complete within this time of its first byte (of
///   the connection's opening, for the first request); then `408 request_timeout` and a close;
/// - **idle timeout**: a kept-alive connection with no traffic either way for this long is closed.
///
/// The body's timeouts are the routes' (``BodyReader``), which know how long the body is.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private enum State {
        /// Waiting for a request head; `matched` bytes of `CRLF CRLF` seen at the end of what came.
        case awaitingHead(matched: Int)
        /// The head is in; the body may be arriving, and the server has not answered yet.
        case inRequest
        /// Answered; kept alive for the next request.
        case answered
        /// A WebSocket now: no timers.
        case upgraded
    }

    private let limits: ServerLimits
    private let pending: PendingConnections
    private let metrics: ServerMetrics
    private var state = State.awaitingHead(matched: 0)
    private var pendingID: Int?
    /// Last time bytes moved either way once answered, for the idle timer.
    private var lastActivity = NIODeadline.now()
    private var timer: Scheduled<Void>?

    init(limits: ServerLimits, pending: PendingConnections, metrics: ServerMetrics) {
        self.limits = limits
        self.pending = pending
        self.metrics = metrics
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        pendingID = pending.opened { [metrics] in
            metrics.connectionClosed("evicted")
            channel.close(promise: nil)
        }
        startHead(context: context, now: .now())
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let now = NIODeadline.now()
        switch state {
        case .upgraded:
            break
        case .answered:
            lastActivity = now
            startHead(context: context, now: now)
            scanHead(unwrapInboundIn(data), context: context, now: now)
        case .awaitingHead:
            scanHead(unwrapInboundIn(data), context: context, now: now)
        case .inRequest:
            break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let now = NIODeadline.now()
        switch state {
        case .upgraded:
            break
        case .answered:
            lastActivity = now
        case .awaitingHead, .inRequest:
            if let id = pendingID {
                pending.answered(id)
                pendingID = nil
            }
            let head = unwrapOutboundIn(data)
            if Self.isSwitchingProtocols(head) {
                state = .upgraded
                cancelTimer()
            } else if Self.refusesUnreadBody(head) {
                // An error that says `Connection: close` answers a body the server did not read, so
                // the connection cannot carry another request; HTTP would drain the rest first, which
                // a client can make endless.
                state = .answered
                context.write(data, promise: promise)
                context.flush()
                arm(context: context, at: now + .milliseconds(200), closing: true)
                return
            } else {
                state = .answered
                lastActivity = now
                arm(context: context, at: now + TimeAmount(limits.idleTimeout))
            }
        }
        context.write(data, promise: promise)
    }

    // MARK: Timers

    private func startHead(context: ChannelHandlerContext, now: NIODeadline) {
        state = .awaitingHead(matched: 0)
        arm(context: context, at: now + TimeAmount(limits.headerTimeout))
    }

    /// Looks for the blank line that ends the head.
    private func scanHead(_ buffer: ByteBuffer, context: ChannelHandlerContext, now: NIODeadline) {
        guard case .awaitingHead(var matched) = state else { return }
        let pattern: [UInt8] = [13, 10, 13, 10]
        for byte in buffer.readableBytesView {
            if byte == pattern[matched] {
                matched += 1
                if matched == 4 {
                    state = .inRequest
                    cancelTimer()
                    return
                }
            } else {
                matched = byte == 13 ? 1 : 0
            }
        }
        state = .awaitingHead(matched: matched)
    }

    private func arm(context: ChannelHandlerContext, at deadline: NIODeadline, closing: Bool = false) {
        cancelTimer()
        let loop = context.eventLoop
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: loop)
        timer = loop.scheduleTask(deadline: deadline) {
            if closing {
                bound.value.context.close(promise: nil)
            } else {
                bound.value.handler.fired(context: bound.value.context)
            }
        }
    }

    private func fired(context: ChannelHandlerContext) {
        let now = NIODeadline.now()
        switch state {
        case .upgraded, .inRequest:
            return
        case .awaitingHead:
            metrics.connectionClosed("header_timeout")
            // Nothing is being answered on this connection: say why it ends, then end it.
            let code = ServerError.Code.requestTimeout
            metrics.error(code)
            let body = #"{"error":{"code":"\#(code)","message":"the request head did not arrive in time"}}"#
            let response = "HTTP/1.1 \(code.status) Request Timeout\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
            state = .upgraded
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(ByteBuffer(string: response))))
                .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        case .answered:
            guard now >= lastActivity + TimeAmount(limits.idleTimeout) else {
                arm(context: context, at: lastActivity + TimeAmount(limits.idleTimeout))
                return
            }
            metrics.connectionClosed("idle_timeout")
            context.close(promise: nil)
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }

    private func stop() {
        cancelTimer()
        if let id = pendingID {
            pending.answered(id)
            pendingID = nil
        }
    }

    /// Whether an outbound write is the head of a `101 Switching Protocols` response.
    static func isSwitchingProtocols(_ data: IOData) -> Bool {
        startsWith(data, "HTTP/1.1 101 ")
    }

    /// Whether an outbound write is the head of an error response (4xx, 5xx) with
    /// `Connection: close`: what the server answers to a request whose body it did not read.
    static func refusesUnreadBody(_ data: IOData) -> Bool {
        guard case .byteBuffer(let buffer) = data, startsWith(data, "HTTP/1.1 4") || startsWith(data, "HTTP/1.1 5")
        else { return false }
        let head = String(decoding: buffer.readableBytesView.prefix(4096), as: UTF8.self).lowercased()
        return head.contains("\r\nconnection: close\r\n")
    }

    private static func startsWith(_ data: IOData, _ text: String) -> Bool {
        guard case .byteBuffer(let buffer) = data else { return false }
        let prefix = Array(text.utf8)
        guard buffer.readableBytes >= prefix.count else { return false }
        return buffer.readableBytesView.prefix(prefix.count).elementsEqual(prefix)
    }
}
