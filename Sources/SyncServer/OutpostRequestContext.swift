import Hummingbird
import NIOCore

/// The HTTP request context: Hummingbird's core context plus the client's address, which the
/// enrollment rate limit is kept by.
struct OutpostRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?
    /// The connection, so that a body that stalls can end it (``BodyReader``).
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        channel = source.channel
    }

    /// The client's IP address (without the port), or `unknown`.
    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
