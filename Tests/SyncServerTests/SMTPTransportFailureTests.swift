import NIOCore
import NIOPosix
import Testing
@testable import SyncServer

/// A TCP server on loopback that answers every connection with `greeting` (or nothing) and then
/// stays silent: a relay that is broken in one way or another.
final class SilentServer: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let greeting: String?

    init(greeting: String?) { self.greeting = greeting }

    func channelActive(context: ChannelHandlerContext) {
        guard let greeting else { return }
        context.writeAndFlush(NIOAny(ByteBuffer(string: greeting)), promise: nil)
    }

    static func start(greeting: String?) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(SilentServer(greeting: greeting))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }
}

@Suite("SMTP transport failures over real sockets", .timeLimit(.minutes(5)))
struct SMTPTransportFailureTests {
    static func send(port: Int, timeout: Duration = .seconds(5)) async -> MailFailure? {
        let transport = SMTPMailTransport(host: "127.0.0.1", port: port, timeout: timeout)
        do {
            try await transport.send(MailRenderingTests.mail) {}
            return nil
        } catch {
            return error
        }
    }

    @Test("nobody listening: transient, connection refused")
    func refused() async throws {
        let channel = try await SilentServer.start(greeting: nil)
        let port = try #require(channel.localAddress?.port)
        try await channel.close()
        let failure = await Self.send(port: port)
        #expect(failure == .transient("cannot connect to the mail relay 127.0.0.1:\(port): connection refused"))
    }

    @Test("a relay that never answers: transient after the timeout")
    func silent() async throws {
        let channel = try await SilentServer.start(greeting: nil)
        defer { channel.close(promise: nil) }
        let port = try #require(channel.localAddress?.port)
        let failure = await Self.send(port: port, timeout: .milliseconds(300))
        #expect(failure == .transient("the mail relay 127.0.0.1:\(port) did not finish within 0.3 seconds"))
    }

    @Test("a peer that does not speak SMTP: transient, with what it said")
    func garbage() async throws {
        let channel = try await SilentServer.start(greeting: "SSH-2.0-OpenSSH_9.2\r\n")
        defer { channel.close(promise: nil) }
        let port = try #require(channel.localAddress?.port)
        // A generous bound: the answer comes at once, but a loaded test run once took over 5 s.
        let failure = await Self.send(port: port, timeout: .seconds(60))
        guard case .transient(let reason)? = failure else {
            Issue.record("expected a transient failure, got \(String(describing: failure))")
            return
        }
        #expect(reason.contains("not an SMTP reply: SSH-2.0-OpenSSH_9.2"), "\(reason)")
    }

    @Test("a relay that greets with 554: permanent")
    func noService() async throws {
        let channel = try await SilentServer.start(greeting: "554 5.3.2 no service here\r\n")
        defer { channel.close(promise: nil) }
        let port = try #require(channel.localAddress?.port)
        #expect(await Self.send(port: port) == .permanent("the relay refused the connection: 554 5.3.2 no service here"))
    }
}
