import Hummingbird
import NIOCore
import SyncEngine

/// The HTTP request context: Hummingbird's core context plus the client's address, which the
/// enrollment rate limit is kept by.
struct OutpostRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?
    /// The connection, so that a body that stalls can end it (``BodyReader``).
    let channel: any Channel
    /// Whether the request's body has been read whole (``BodyReader``): an error answer to a
    /// request whose body was not read must close the connection.
    let body = BodyProgress()

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        channel = source.channel
    }

    /// The client's IP address (without the port), or `unknown`.
    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}

/// Whether a request's body has been read whole; shared by the route that reads it and the error
/// middleware that answers.
final class BodyProgress: Sendable {
    private let read = OnceFlag()
    var consumed: Bool { read.isSet }
    func markConsumed() { read.set() }
}
