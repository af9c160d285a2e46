/// A connection that carries whole frames both ways, in order: a WebSocket, a byte stream, or an
/// in-memory pipe in tests.
public protocol FrameTransport: Sendable {
    /// Sends one frame.
    func send(_ frame: [UInt8]) async throws
    /// The next frame from the peer, or `nil` once the peer has closed.
    func receive() async throws -> [UInt8]?
    /// Closes the connection; pending receives end with `nil`.
    func close() async
}
