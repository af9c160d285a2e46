import Wire

/// The server's guards against slow, greedy and guessing clients (Protocol/SERVER_API.md,
/// "Limits"). `outpost server` sets them from its options.
///
/// ```swift
/// var limits = ServerLimits()
/// limits.helloTimeout = .seconds(5)
/// let server = OutpostServer(store: store, limits: limits)
/// ```
public struct ServerLimits: Hashable, Sendable {
    /// How long an upgraded WebSocket may stay silent before its Hello; then `Error{hello_timeout}`
    /// and a close.
    public var helloTimeout: Duration
    /// Open sync WebSockets at once, all devices together; more get `Error{too_many_connections}`.
    public var maxConnections: Int
    /// Open sync WebSockets at once for one device (one token); more get
    /// `Error{too_many_connections}`.
    public var maxConnectionsPerDevice: Int
    /// Failed enrollment codes one client address may send in ``enrollmentWindow``; after that its
    /// enrollments get `429 rate_limited` until the oldest failure leaves the window.
    public var maxEnrollmentFailures: Int
    /// The sliding window of ``maxEnrollmentFailures``: one minute.
    public var enrollmentWindow: Duration
    /// How long a client may take to send a request head (the request line and headers), counted
    /// from the connection's opening or from the first byte of a later request on it. This is also
    /// the WebSocket handshake's limit: the upgrade request is a request head.
    public var headerTimeout: Duration
    /// The longest silence allowed while a request body arrives, until the server answers.
    public var bodyTimeout: Duration
    /// The longest a whole request, head and body, may take until the server answers.
    public var requestTimeout: Duration
    /// How long a kept-alive HTTP connection may carry nothing either way before it is closed.
    public var idleTimeout: Duration
    /// Connections whose first request has not been answered yet (nobody is known on them): at most
    /// this many at once; a new one past it closes the oldest.
    public var maxPendingConnections: Int

    public init(helloTimeout: Duration = .seconds(10), maxConnections: Int = 1_000, maxConnectionsPerDevice: Int = 4,
                maxEnrollmentFailures: Int = 10, enrollmentWindow: Duration = .seconds(60),
                headerTimeout: Duration = .seconds(10), bodyTimeout: Duration = .seconds(30),
                requestTimeout: Duration = .seconds(300), idleTimeout: Duration = .seconds(60),
                maxPendingConnections: Int = 256) {
        self.helloTimeout = helloTimeout
        self.maxConnections = maxConnections
        self.maxConnectionsPerDevice = maxConnectionsPerDevice
        self.maxEnrollmentFailures = maxEnrollmentFailures
        self.enrollmentWindow = enrollmentWindow
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.requestTimeout = requestTimeout
        self.idleTimeout = idleTimeout
        self.maxPendingConnections = maxPendingConnections
    }

    /// The largest WebSocket message that holds one legal frame: header plus the wire limit.
    public static let largestFrame = FrameCodec.headerSize + WireLimits.default.maxFrameBytes

    /// The largest single WebSocket frame the WebSocket layer reads: twice the largest Outpost
    /// frame, so that a message somewhat over the wire limit still arrives and is answered with
    /// `Error{frame_too_large}`. A WebSocket frame over this is refused by the WebSocket layer on
    /// its header, before its payload is read: close code 1009 and no Error frame. (A message in
    /// fragments is answered with `Error{frame_too_large}` as soon as it passes ``largestFrame``.)
    public static let webSocketFrameCap = 2 * largestFrame
}
