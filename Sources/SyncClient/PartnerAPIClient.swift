public import Foundation
public import InboxModel
public import ServerAPI

/// A partner's side of the inbox through the server's partner API (`/v1/partner/…`,
/// Protocol/SERVER_API.md): list and read its threads, start one, reply, forward a Customer Inquiry.
public struct PartnerAPIClient: Sendable {
    let http: ServerHTTPClient

    /// A client for `server` with the partner's `token`.
    public init(server: String, token: String, timeout: TimeInterval = 30) {
        http = ServerHTTPClient(server: server, token: token, timeout: timeout)
    }

    private struct Conversations: Decodable { var conversations: [PartnerConversation] }

    /// The partner's conversations with the brand, newest first.
    public func conversations() async throws(ServerHTTPError) -> [PartnerConversation] {
        try await http.get("/v1/partner/conversations", as: Conversations.self).conversations
    }

    /// One of the partner's threads.
    public func thread(_ id: ConversationID) async throws(ServerHTTPError) -> PartnerThread {
        try await http.get("/v1/partner/conversations/\(id)", as: PartnerThread.self)
    }

    /// Starts a conversation with the brand.
    public func start(_ request: PartnerStartRequest, idempotencyKey: String?) async throws(ServerHTTPError)
        -> PartnerWriteResult {
        try await http.post("/v1/partner/conversations", request, idempotencyKey: idempotencyKey,
                            as: PartnerWriteResult.self)
    }

    /// Replies in one of the partner's threads.
    public func reply(to id: ConversationID, _ request: PartnerReplyRequest, idempotencyKey: String?)
        async throws(ServerHTTPError) -> PartnerWriteResult {
        try await http.post("/v1/partner/conversations/\(id)/messages", request, idempotencyKey: idempotencyKey,
                            as: PartnerWriteResult.self)
    }

    /// Forwards a Customer Inquiry to the brand.
    public func forward(_ request: PartnerForwardRequest, idempotencyKey: String?) async throws(ServerHTTPError)
        -> PartnerWriteResult {
        try await http.post("/v1/partner/inquiries", request, idempotencyKey: idempotencyKey,
                            as: PartnerWriteResult.self)
    }
}
