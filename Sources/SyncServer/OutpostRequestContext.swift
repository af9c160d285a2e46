import Hummingbird
import NIOCore

/// The HTTP request context: Hummingbird's core context plus the client's address, which the
/// enrollment rate limit is kept by.
struct OutpostRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address (without the port), or `unknown`.
    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
