import NIOCore
import NIOHTTP1

/// Answers a request that is not HTTP/1.1 — a NUL or other control byte in a header, bare line
/// feeds, HTTP/0.9, a TLS ClientHello, a head over the size limits — with `400 bad_request` (`431`
/// for headers over the limits) and closes the connection (Protocol/SERVER_API.md, "Timeouts and
/// connection limits").
///
/// It sits right behind the HTTP decoder. Before a connection's first request is decided (answered,
/// or upgraded to a WebSocket) nothing else in the pipeline handles a parser error, so without it
/// such a connection got no answer and stayed open. After the first answer has been written, later
/// parser errors belong to the HTTP handling that wrote it and are passed on.
final class MalformedRequestHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let metrics: ServerMetrics
    /// Something was written: the connection's first request has its answer, or is a WebSocket.
    private var wrote = false
    /// The first request's end has passed.
    private var sawEnd = false
    /// Something came after the first request and before its answer: it was dropped, and the
    /// connection closes once the first answer is out.
    private var closeAfterAnswer = false

    init(metrics: ServerMetrics) {
        self.metrics = metrics
    }

    /// Until the first request has ended, every inbound message is an HTTP part of it from the
    /// decoder in front. Whatever follows it before it is answered is dropped: parts of a request
    /// pipelined behind it, or, once a WebSocket upgrade has begun, raw bytes the client sent before
    /// the `101`. The upgrade would otherwise hand pipelined parts, still parsed as HTTP, to the
    /// WebSocket decoder, which traps on them (found by the HTTP fuzzer: one such request took the
    /// server down). A WebSocket client must wait for the `101` before it sends (RFC 6455, 4.1),
    /// and no client may count on pipelining: it gets its first answer and a close, and sends the
    /// rest again.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if wrote { return context.fireChannelRead(data) }
        if sawEnd {
            closeAfterAnswer = true
            return
        }
        if case .end = unwrapInboundIn(data) { sawEnd = true }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let first = !wrote
        wrote = true
        context.write(data, promise: promise)
        if first && closeAfterAnswer {
            metrics.connectionClosed("pipelined")
            // After the answer that is being written: the rest of it follows in the same turn.
            context.eventLoop.assumeIsolated().execute { context.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, !wrote else {
            context.fireErrorCaught(error)
            return
        }
        wrote = true
        if parserError == .invalidEOFState {
            // The client closed its side in the middle of its request: nobody is left to answer,
            // and it is not the server's failure.
            metrics.connectionClosed("client_closed")
            context.close(promise: nil)
            return
        }
        let tooLarge = parserError == .headerOverflow
        let code: ServerError.Code = tooLarge ? .headersTooLarge : .badRequest
        let message = tooLarge ? "the request head is over the size limits" : "not a valid HTTP/1.1 request (\(parserError))"
        let body = ByteBuffer(string: #"{"error":{"code":"\#(code)","message":"\#(message)"}}"#)
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: code.status), headers: [
            "Content-Type": "application/json", "Content-Length": "\(body.readableBytes)", "Connection": "close",
        ])
        metrics.error(code)
        metrics.connectionClosed("malformed")
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
