import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1.1 + WebSocket-upgrade child channel with the server's connection guards
/// around it: ``RequestDeadlineHandler`` first on the raw bytes, and ``MalformedRequestHandler``
/// right behind the HTTP decoder (Protocol/SERVER_API.md, "Timeouts and connection limits").
struct GuardedHTTPChannel: ServerChildChannel {
    typealias Value = HTTP1WebSocketUpgradeChannel.Value

    let inner: HTTP1WebSocketUpgradeChannel
    let limits: ServerLimits
    let pending: PendingConnections
    let metrics: ServerMetrics

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(
                RequestDeadlineHandler(limits: limits, pending: pending, metrics: metrics), position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        // The inner setup configures the HTTP pipeline synchronously (on this event loop), so the
        // decoder is there once it returns.
        let configured = inner.setup(channel: channel, logger: logger)
        do {
            let decoder = try channel.pipeline.syncOperations.context(
                handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try channel.pipeline.syncOperations.addHandler(MalformedRequestHandler(metrics: metrics),
                                                           position: .after(decoder.handler))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return configured
    }

    func handle(value: Value, logger: Logger) async {
        // A connection closed before its first request was decided (refused as malformed, timed
        // out, evicted, or gone) makes Hummingbird log "Error handling upgrade result" at error
        // level: one line per bad connection, which any client could use to flood the log. Those
        // go out at debug level; the guards count them in /metrics instead.
        var quiet = logger
        quiet.handler = UpgradeNoiseFilter(wrapped: logger.handler)
        await inner.handle(value: value, logger: quiet)
    }
}

/// Passes every log event on, but the one Hummingbird writes for a connection that closed before
/// its first request was decided, which becomes a debug event.
struct UpgradeNoiseFilter: LogHandler {
    var wrapped: any LogHandler

    func log(event: LogEvent) {
        var event = event
        if event.level > .debug && event.message.description == "Error handling upgrade result" {
            guard wrapped.logLevel <= .debug else { return }
            event.level = .debug
        }
        wrapped.log(event: event)
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { wrapped.metadataProvider }
        set { wrapped.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }
}
