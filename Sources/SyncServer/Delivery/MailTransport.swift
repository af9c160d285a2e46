/// Where replies leave the server: a mail folder (``FileMailTransport``, the embedded default) or
/// an SMTP relay (``SMTPMailTransport``). The ``DeliveryWorker`` calls one at a time.
///
/// A transport hands `mail` over and, as soon as the other side has taken it, calls
/// `whenAccepted` — before it lets go of anything (the SMTP connection, before `QUIT`), so that
/// the delivery is recorded as `sent` in the smallest possible window after the hand-over. An
/// error thrown by `whenAccepted` ends the send with a ``MailFailure/transient(_:)``.
public protocol MailTransport: Sendable {
    /// Hands `mail` over. Throws ``MailFailure/transient(_:)`` when a later attempt may succeed
    /// (no connection, a 4xx reply, a timeout) and ``MailFailure/permanent(_:)`` when none will (a
    /// 5xx reply); the reason is kept and shown to the user.
    func send(_ mail: OutboundMail, whenAccepted: @escaping @Sendable () async throws -> Void) async throws(MailFailure)
}

/// Why a mail was not handed over.
public enum MailFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// Worth another attempt later.
    case transient(String)
    /// Never going to work: the message fails with this reason.
    case permanent(String)

    public var reason: String {
        switch self {
        case .transient(let reason), .permanent(let reason): reason
        }
    }

    public var description: String {
        switch self {
        case .transient(let reason): "transient: \(reason)"
        case .permanent(let reason): "permanent: \(reason)"
        }
    }
}
