#if canImport(Glibc)
import SyncEngine
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOPosix
import Synchronization

/// Delivers through an SMTP relay (`outpost server --smtp HOST:PORT`): one connection per
/// message, the dialogue of ``SMTPDialogue`` over SwiftNIO, plain text (no TLS, no AUTH: a relay
/// on the same host or network that accepts the server's mail).
///
/// Failing to connect, a closed connection, a 4xx reply and ``timeout`` are
/// ``MailFailure/transient(_:)``; a 5xx reply is ``MailFailure/permanent(_:)``. After the relay's
/// 250 for the data, `whenAccepted` runs before `QUIT` is sent: once the relay has the message,
/// nothing but a crash in that call's few milliseconds can lead to a second copy.
public struct SMTPMailTransport: MailTransport {
    public let host: String
    public let port: Int
    /// The name the server gives in `EHLO`.
    public let heloName: String
    /// The longest a whole dialogue may take, connection included.
    public let timeout: Duration
    /// The longest to wait for `QUIT`'s reply once the message is taken.
    static let quitTimeout = Duration.seconds(2)

    public init(host: String, port: Int, heloName: String = "localhost", timeout: Duration = .seconds(60)) {
        self.host = host
        self.port = port
        self.heloName = heloName
        self.timeout = timeout
    }

    /// `HOST:PORT` or `[IPv6]:PORT` (port 1–65535), as `--smtp` takes it; `nil` if it is neither.
    public static func relay(_ text: String) -> (host: String, port: Int)? {
        let host: Substring, portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            guard !host.contains(":") else { return nil }
        }
        guard !host.isEmpty, host.allSatisfy({ !$0.isWhitespace && $0 != "/" && $0 != "[" && $0 != "]" }),
              portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portText), (1...65_535).contains(port)
        else { return nil }
        return (String(host), port)
    }

    public func send(_ mail: OutboundMail,
                     whenAccepted: @escaping @Sendable () async throws -> Void) async throws(MailFailure) {
        let accepted = OnceFlag()
        do {
            try await deliver(mail, accepted: accepted, whenAccepted: whenAccepted)
        } catch {
            // Once the relay has the message and the delivery is recorded, what happens to the
            // connection no longer matters.
            if accepted.isSet { return }
            throw error
        }
    }

    private func deliver(_ mail: OutboundMail, accepted: OnceFlag,
                         whenAccepted: @escaping @Sendable () async throws -> Void) async throws(MailFailure) {
        let relay = "\(host):\(port)"
        let channel: NIOAsyncChannel<SMTPReply, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(TimeAmount(timeout))
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                        return try NIOAsyncChannel<SMTPReply, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw .transient("cannot connect to the mail relay \(relay): \(Self.describe(error))")
        }
        let deadline = Deadline(channel: channel.channel)
        deadline.arm(in: timeout)
        defer { deadline.disarm() }
        var dialogue = SMTPDialogue(heloName: heloName, from: mail.from, to: mail.to, content: mail.rendered())
        do {
            try await channel.executeThenClose { inbound, outbound in
                var replies = inbound.makeAsyncIterator()
                while true {
                    guard let reply = try await replies.next() else {
                        throw MailFailure.transient("the mail relay \(relay) closed the connection")
                    }
                    switch dialogue.receive(reply) {
                    case .send(let bytes):
                        try await outbound.write(ByteBuffer(bytes: bytes))
                    case .accepted:
                        do {
                            try await whenAccepted()
                        } catch {
                            throw MailFailure.transient(
                                "the relay took the mail but its delivery could not be recorded: \(error)")
                        }
                        accepted.set()
                        deadline.arm(in: Self.quitTimeout)
                        // The mail is delivered and recorded: QUIT is a courtesy, its failure changes nothing.
                        try? await outbound.write(ByteBuffer(bytes: SMTPDialogue.quit))
                        _ = try? await replies.next()
                        return
                    case .fail(let failure):
                        try? await outbound.write(ByteBuffer(bytes: SMTPDialogue.quit))
                        throw failure
                    }
                }
            }
        } catch {
            // A permanent refusal stands; anything else after the deadline closed the channel is its doing.
            if let failure = error as? MailFailure, case .permanent = failure { throw failure }
            if deadline.fired { throw .transient("the mail relay \(relay) did not finish within \(timeout)") }
            if let failure = error as? MailFailure { throw failure }
            throw .transient("the connection to the mail relay \(relay) failed: \(Self.describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? NIOConnectionError {
            if let first = error.connectionErrors.first { return describe(first.error) }
            if let dns = error.dnsAAAAError ?? error.dnsAError { return "cannot resolve \(error.host): \(dns)" }
            return "cannot connect to \(error.host):\(error.port)"
        }
        if let error = error as? IOError {
            // "Connection refused", not the syscall's name and errno.
            let text = String(cString: strerror(error.errnoCode))
            return text.prefix(1).lowercased() + text.dropFirst()
        }
        if let error = error as? SMTPReplyParser.Failure { return error.description }
        if error is ChannelError { return "\(error)" }
        return "\(error)"
    }
}

/// Closes a channel when time runs out; ``arm(in:)`` again moves the deadline.
private final class Deadline: Sendable {
    private let channel: any Channel
    private let scheduled = Mutex<Scheduled<Void>?>(nil)
    private let expired = OnceFlag()

    init(channel: any Channel) {
        self.channel = channel
    }

    var fired: Bool { expired.isSet }

    func arm(in duration: Duration) {
        let channel = channel, expired = expired
        let task = channel.eventLoop.scheduleTask(in: TimeAmount(duration)) {
            expired.set()
            channel.close(promise: nil)
        }
        scheduled.withLock { current in
            current?.cancel()
            current = task
        }
    }

    func disarm() {
        scheduled.withLock { $0?.cancel() }
    }
}
