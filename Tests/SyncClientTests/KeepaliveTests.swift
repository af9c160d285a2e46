import Causality
import Crypto
import Foundation
import InboxModel
import NIOCore
import NIOPosix
import Replica
import SyncClient
import Testing

/// A server that accepts the connection and reads, but never answers anything.
private final class Mute: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}

/// A server that answers the WebSocket upgrade and then never says another word: no Welcome, no
/// pong. What a device meets behind a link that died silently.
private final class BlackHole: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: used on its channel's event loop only.
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private var head = ""
    private var upgraded = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !upgraded else { return }
        var buffer = unwrapInboundIn(data)
        head += buffer.readString(length: buffer.readableBytes) ?? ""
        guard head.contains("\r\n\r\n") else { return }
        upgraded = true
        let key = head.split(separator: "\r\n")
            .first { $0.lowercased().hasPrefix("sec-websocket-key:") }
            .map { $0.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces) } ?? ""
        let digest = Insecure.SHA1.hash(data: Data((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))
        let accept = Data(digest).base64EncodedString()
        let answer = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: \(accept)\r\n\r\n"
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: answer)), promise: nil)
    }
}

@Suite("Keepalive on the device's WebSocket")
struct KeepaliveTests {
    static func server(_ handler: @escaping @Sendable () -> any ChannelHandler & Sendable) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    static func replica() throws -> Replica {
        let identity = ReplicaIdentity(replica: ReplicaID(2), brand: BrandID(rawValue: "northwind")!,
                                       viewer: UserID(rawValue: "dana")!)
        return try Replica.inMemory(identity: identity, clock: FixedClock(milliseconds: 1_800_000_000_000))
    }

    @Test("a server that accepts TCP and never answers the upgrade: `unreachable` at the handshake deadline",
          .timeLimit(.minutes(5)))
    func mutePeer() async throws {
        let channel = try await Self.server { Mute() }
        defer { channel.close(promise: nil) }
        let port = try #require(channel.localAddress?.port)
        let replica = try Self.replica()
        let sync = WebSocketSync(replica: replica, serverURL: "http://127.0.0.1:\(port)", token: "t",
                                 keepalive: .seconds(600), handshakeTimeout: .seconds(1))
        // Without the deadline this waits for ever (the upgrade has no timeout of its own), and the
        // time limit fails the test.
        let error = await #expect(throws: SyncFailure.self) { try await sync.syncOnce() }
        guard case .unreachable(let why)? = error else {
            Issue.record("expected unreachable, got \(String(describing: error))")
            return
        }
        #expect(why.contains("within"))
        #expect(try replica.syncState().lastError?.contains("cannot reach the server") == true)
    }

    @Test("a server that upgrades and never sends its Welcome: `unreachable` at the handshake deadline",
          .timeLimit(.minutes(5)))
    func noWelcome() async throws {
        let channel = try await Self.server { BlackHole() }
        defer { channel.close(promise: nil) }
        let port = try #require(channel.localAddress?.port)
        let sync = WebSocketSync(replica: try Self.replica(), serverURL: "http://127.0.0.1:\(port)", token: "t",
                                 keepalive: .seconds(600), handshakeTimeout: .seconds(1))
        let error = await #expect(throws: SyncFailure.self) { try await sync.syncOnce() }
        guard case .unreachable? = error else {
            Issue.record("expected unreachable, got \(String(describing: error))")
            return
        }
    }

    @Test("a server that goes silent after the upgrade ends the sync with `closed`, not a wait for ever",
          .timeLimit(.minutes(5)))
    func silentServer() async throws {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(BlackHole()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { channel.close(promise: nil) }
        let port = try #require(channel.localAddress?.port)
        let identity = ReplicaIdentity(replica: ReplicaID(2), brand: BrandID(rawValue: "northwind")!,
                                       viewer: UserID(rawValue: "dana")!)
        let replica = try Replica.inMemory(identity: identity, clock: FixedClock(milliseconds: 1_800_000_000_000))
        let sync = WebSocketSync(replica: replica, serverURL: "http://127.0.0.1:\(port)", token: "t",
                                 keepalive: .milliseconds(500), handshakeTimeout: .seconds(600))
        // Without the keepalive this waits for ever, and the time limit fails the test. (Alone it
        // ends in about a second; in the full parallel run, where the CLI tests' blocking process
        // waits hold the 2 threads of the shared pool, it has taken up to 59 s.)
        await #expect(throws: SyncFailure.closed) { try await sync.syncOnce() }
    }
}
