import Causality
import Foundation
import Hummingbird
import InboxModel
import Replica

extension WebUI {
    /// What changes state: reply, save a draft, keep a draft version, mark unread, compose, and the
    /// *work offline* switch. Every one needs the CSRF token (``CSRFGuard``); forms get a redirect
    /// back (303), the page's scripts a 204.
    func addActionRoutes(to router: Router<BasicRequestContext>) {
        router.post("/threads/:id/reply") { [self] request, context in
            let id = try conversation(context)
            let form = try await form(request, context)
            try await onStore { try replica.reply(to: id, text: form["text"] ?? "") }
            monitor.localChange()
            return Self.redirect("/threads/\(id)#reply")
        }
        router.post("/threads/:id/draft") { [self] request, context in
            let id = try conversation(context)
            let form = try await form(request, context)
            try await onStore { try replica.saveDraft(id, text: form["text"] ?? "") }
            monitor.localChange()
            return request.headers[.xCSRFToken] != nil ? Response(status: .noContent)
                : Self.redirect("/threads/\(id)#reply")
        }
        router.post("/drafts/:key/pick") { [self] request, context in
            guard let key = context.parameters.get("key").flatMap({ DraftKey(text: $0) }) else {
                throw WebUIError.notFound("such draft")
            }
            let form = try await form(request, context)
            guard let version = form["version"].flatMap({ Dot(text: $0) }) else {
                throw WebUIError(.badRequest, "Choose a version of the draft.")
            }
            try await onStore { try replica.pickDraftVersion(key, version: version) }
            monitor.localChange()
            if case .conversation(let id) = key { return Self.redirect("/threads/\(id)#reply") }
            return Self.redirect("/inbox")
        }
        router.post("/threads/:id/unread") { [self] request, context in
            let id = try conversation(context)
            _ = try await form(request, context)
            if try await onStore({ try replica.markUnread(id) }) { monitor.localChange() }
            return Self.redirect("/inbox")
        }
        router.post("/compose/draft") { [self] request, context in
            let form = try await form(request, context)
            let partner = form["partner"].flatMap(PartnerID.init(rawValue:))
            let subject = form["subject"].flatMap { $0.isEmpty ? nil : $0 }
            let key = try await onStore { () throws -> DraftKey in
                if let existing = form["draft"].flatMap({ DraftKey(text: $0) }), case .compose = existing {
                    try replica.updateComposeDraft(existing, text: form["text"] ?? "", partner: partner, subject: subject)
                    return existing
                }
                return try replica.startComposeDraft(to: partner, subject: subject, text: form["text"] ?? "")
            }
            monitor.localChange()
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: key.description)))
        }
        router.post("/compose") { [self] request, context in
            let form = try await form(request, context)
            let subject = form["subject"] ?? "", text = form["text"] ?? "", partner = form["partner"] ?? ""
            let draft = form["draft"].flatMap { DraftKey(text: $0) }
            return try await onStore { [self] in
                do {
                    guard let partnerID = PartnerID(rawValue: partner) else {
                        throw WebUIError(.badRequest, "Choose who the message is for.")
                    }
                    let id: ConversationID
                    if let draft, case .compose = draft {
                        // Send the draft as typed: its last text, partner and subject, superseding it.
                        try replica.updateComposeDraft(draft, text: text, partner: partnerID, subject: subject)
                        id = ConversationID(try replica.sendDraft(draft).dot)
                    } else {
                        id = try replica.compose(to: partnerID, subject: subject, text: text)
                    }
                    monitor.localChange()
                    return Self.redirect("/threads/\(id)")
                } catch {
                    // Show the form again with what was typed and why it was refused.
                    let message = (error as? ReplicaError)?.message ?? "\(error)"
                    let model = ComposePage(partners: try replica.partners(), selected: partner, subject: subject,
                                            text: text, draftKey: draft?.description ?? "",
                                            error: message.prefix(1).uppercased() + message.dropFirst() + ".")
                    var response = page("compose", model, title: model.title, nav: "")
                    response.status = .badRequest
                    return response
                }
            }
        }
        router.post("/sync/offline") { [self] request, context in
            let form = try await form(request, context)
            monitor.setPaused(form["offline"] == "1")
            // Back to the page the switch was pressed on, if it is one of ours; else the inbox.
            return request.headers[.xCSRFToken] != nil ? Response(status: .noContent)
                : Self.redirect(LocalRedirect.target(referer: request.headers[.referer]))
        }
    }

    /// The largest form body the UI reads (2 MiB); a larger one is refused with 413.
    static let formBodyLimit = 2 * 1024 * 1024

    /// The form body, once its CSRF token (field `_csrf` or header `X-CSRF-Token`) checks out.
    /// A body over ``formBodyLimit`` is `413 Content Too Large`.
    func form(_ request: Request, _ context: BasicRequestContext) async throws -> FormFields {
        let buffer = try await Self.body(request, limit: Self.formBodyLimit)
        let form = FormFields(Substring(String(buffer: buffer)))
        guard csrf.check(token: request.headers[.xCSRFToken] ?? form["_csrf"]) else {
            throw WebUIError(.forbidden, "This form has expired or came from another site; reload the page and try again.")
        }
        return form
    }
}

extension WebUI {
    /// The request body, up to `limit` bytes; more (announced by `Content-Length`, or as it
    /// arrives) is a ``WebUIError`` with `413 Content Too Large`, not a raw error.
    static func body(_ request: Request, limit: Int) async throws -> ByteBuffer {
        let tooLarge = WebUIError(.contentTooLarge, "That is too much to send at once (at most \(limit / 1024) KiB).")
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw tooLarge }
        var buffer = ByteBuffer()
        for try await part in request.body {
            guard buffer.readableBytes + part.readableBytes <= limit else { throw tooLarge }
            buffer.writeImmutableBuffer(part)
        }
        return buffer
    }
}
