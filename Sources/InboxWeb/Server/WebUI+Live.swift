import Hummingbird
import ServiceLifecycle

extension WebUI {
    /// How long one event stream stays open; the browser's `EventSource` then reconnects at once.
    /// Bounds how long a stream can hold up a shutdown.
    static let eventStreamLifetime: Duration = .seconds(30)

    /// `GET /events`: server-sent events, one `change` event each time something visible may have
    /// changed (``SyncMonitor/changed()``); the page then refreshes its live regions.
    func addLiveRoutes(to router: Router<BasicRequestContext>) {
        router.get("/events") { [monitor] _, _ in
            let (changes, end) = monitor.subscribe()
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
                body: ResponseBody { writer in
                    let timer = Task {
                        try? await Task.sleep(for: Self.eventStreamLifetime)
                        end()
                    }
                    defer { timer.cancel() }
                    try await writer.write(ByteBuffer(string: "retry: 1000\n: connected\n\n"))
                    try await withGracefulShutdownHandler {
                        for await generation in changes {
                            try await writer.write(ByteBuffer(string: "event: change\ndata: \(generation)\n\n"))
                        }
                    } onGracefulShutdown: {
                        end()
                    }
                    try await writer.finish(nil)
                })
        }
    }
}
