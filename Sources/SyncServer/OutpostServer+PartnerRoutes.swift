import Foundation
import Hummingbird
import NIOPosix
import InboxModel
import ServerAPI

/// The partner API and the admin events endpoint (Protocol/SERVER_API.md): JSON over HTTP, each
/// with its own bearer token. Writes commit server ops to the brand replica and wake the brand's
/// live sessions at once.
extension OutpostServer {
    /// The largest JSON body these endpoints read.
    static let maxJSONBody = 256 * 1024

    func addPartnerRoutes(to router: Router<OutpostRequestContext>) {
        let store = store, hub = hub, server = self
        router.get("/v1/partner/conversations") { request, _ in
            let access = try await Self.partner(request, store)
            return try Self.json(["conversations": try await NIOThreadPool.onStore { try store.partnerConversations(access) }])
        }
        router.get("/v1/partner/conversations/:id") { request, context in
            let access = try await Self.partner(request, store)
            let conversation = try Self.conversation(context)
            return try Self.json(try await NIOThreadPool.onStore { try store.partnerThread(access, conversation) })
        }
        router.post("/v1/partner/conversations") { request, context in
            let access = try await Self.partner(request, store)
            let body = try await server.decode(PartnerStartRequest.self, request, context)
            let key = Self.idempotencyKey(request)
            let result = try await NIOThreadPool.onStore { try store.partnerStart(access, body, idempotencyKey: key) }
            return try Self.written(result, brand: access.brand, hub)
        }
        router.post("/v1/partner/conversations/:id/messages") { request, context in
            let access = try await Self.partner(request, store)
            let conversation = try Self.conversation(context)
            let body = try await server.decode(PartnerReplyRequest.self, request, context)
            let key = Self.idempotencyKey(request)
            let result = try await NIOThreadPool.onStore { try store.partnerReply(access, conversation, body, idempotencyKey: key) }
            return try Self.written(result, brand: access.brand, hub)
        }
        router.post("/v1/partner/inquiries") { request, context in
            let access = try await Self.partner(request, store)
            let body = try await server.decode(PartnerForwardRequest.self, request, context)
            let key = Self.idempotencyKey(request)
            let result = try await NIOThreadPool.onStore { try store.partnerForward(access, body, idempotencyKey: key) }
            return try Self.written(result, brand: access.brand, hub)
        }
    }

    func addAdminRoutes(to router: Router<OutpostRequestContext>) {
        let store = store, hub = hub, server = self
        router.post("/v1/admin/events") { request, context in
            guard let token = Self.bearer(request.headers[.authorization]),
                  let access = try await NIOThreadPool.onStore({ try store.adminAccess(forToken: token) })
            else {
                throw ServerError.unauthorized("a valid admin token is required")
            }
            let event = try await server.decode(PlatformEvent.self, request, context)
            if let brand = BrandID(rawValue: event.brand), !access.reaches(brand) {
                throw ServerError(.forbidden, "this admin token is for brand \(access.brand?.rawValue ?? "?") only")
            }
            let result = try await NIOThreadPool.onStore { try store.postPlatformEvent(event) }
            if !result.duplicate, let brand = BrandID(rawValue: event.brand) { hub.changed(brand) }
            return try Self.json(result, status: result.duplicate ? .ok : .created)
        }
    }

    // MARK: Request helpers

    /// A partner write's answer: `201` and a push to the brand's live sessions, or `200` for a
    /// repeated idempotency key (nothing new was made).
    static func written(_ result: PartnerWriteResult, brand: BrandID, _ hub: BrandHub) throws -> Response {
        if !result.duplicate { hub.changed(brand) }
        return try json(result, status: result.duplicate ? .ok : .created)
    }


    static func partner(_ request: Request, _ store: ServerStore) async throws -> PartnerAccess {
        guard let token = bearer(request.headers[.authorization]),
              let access = try await NIOThreadPool.onStore({ try store.partnerAccess(forToken: token) }) else {
            throw ServerError.unauthorized("a valid partner token is required")
        }
        return access
    }

    static func conversation(_ context: OutpostRequestContext) throws -> ConversationID {
        guard let text = context.parameters.get("id"), let id = ConversationID(text: text) else {
            throw ServerError.notFound("no such conversation")
        }
        return id
    }

    static func idempotencyKey(_ request: Request) -> String? {
        request.headers.first { $0.name.canonicalName == "idempotency-key" }?.value
    }

    func decode<T: Decodable>(_ type: T.Type, _ request: Request, _ context: OutpostRequestContext) async throws -> T {
        let buffer = try await BodyReader.collect(request, context: context, limit: Self.maxJSONBody,
                                                  limits: limits, metrics: metrics)
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw ServerError.badRequest("the body is not a valid \(T.self) JSON object: \(Self.describe(error))")
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, _)?: "missing \"\(key.stringValue)\""
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?, .dataCorrupted(let context)?:
            context.codingPath.map(\.stringValue).joined(separator: ".").isEmpty
                ? context.debugDescription
                : "bad \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\""
        default: "\(error)"
        }
    }
}
