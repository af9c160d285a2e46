import Hummingbird
import NIOCore
import Synchronization

/// Reads a request body with the server's body limits (Protocol/SERVER_API.md, "Timeouts and
/// connection limits"): a `Content-Length` over `limit` is refused before a byte is read (`413
/// too_large`); a body that stops arriving for ``ServerLimits/bodyTimeout``, or is not complete
/// within ``ServerLimits/requestTimeout``, ends the connection (`408 request_timeout`, counted as
/// closed for `body_timeout` or `request_timeout`).
enum BodyReader {
    /// The whole body; the request's ``OutpostRequestContext/body`` then says it was read.
    static func collect(_ request: Request, context: OutpostRequestContext, limit: Int, limits: ServerLimits,
                        metrics: ServerMetrics) async throws -> ByteBuffer {
        let channel = context.channel
        if let declared = request.headers[.contentLength] {
            guard let length = Int(declared), length >= 0 else {
                throw ServerError.badRequest("Content-Length is not a number")
            }
            guard length <= limit else { throw tooLarge(limit) }
        }
        let clock = ContinuousClock()
        let start = clock.now
        let lastProgress = LastProgress(start)
        return try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask {
                var buffer = ByteBuffer()
                for try await part in request.body {
                    guard buffer.readableBytes + part.readableBytes <= limit else { throw tooLarge(limit) }
                    buffer.writeImmutableBuffer(part)
                    lastProgress.set(clock.now)
                }
                return buffer
            }
            group.addTask {
                let tick = min(limits.bodyTimeout / 4, .seconds(1))
                while true {
                    try await Task.sleep(for: tick)
                    let now = clock.now
                    let reason: String? = now - start >= limits.requestTimeout ? "request_timeout"
                        : now - lastProgress.get() >= limits.bodyTimeout ? "body_timeout" : nil
                    guard let reason else { continue }
                    metrics.connectionClosed(reason)
                    // The body read waits on the socket: closing it ends that read.
                    channel.close(promise: nil)
                    throw ServerError(.requestTimeout, "the request body did not arrive in time")
                }
            }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let body = next {
                    context.body.markConsumed()
                    return body
                }
            }
            throw ServerError(.requestTimeout, "the request body did not arrive in time")
        }
    }

    static func tooLarge(_ limit: Int) -> ServerError {
        ServerError(.tooLarge, "the body is over the limit of \(limit) bytes")
    }
}

/// When the body last made progress, shared by the reader and its watchdog.
private final class LastProgress: Sendable {
    private let instant: Mutex<ContinuousClock.Instant>
    init(_ start: ContinuousClock.Instant) { instant = Mutex(start) }
    func set(_ now: ContinuousClock.Instant) { instant.withLock { $0 = now } }
    func get() -> ContinuousClock.Instant { instant.withLock { $0 } }
}
