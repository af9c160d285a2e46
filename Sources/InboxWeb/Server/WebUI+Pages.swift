import Hummingbird
import InboxModel
import Replica

extension WebUI {
    /// The pages: inbox, thread, partners, a partner's profile, *New message*, and the assets.
    func addPageRoutes(to router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in Self.redirect("/inbox") }
        router.get("/inbox") { [self] request, _ in
            let query = InboxQuery(parameters: Self.query(request).values)
            let filter = query.filter(pageSize: pageSize)
            return try await onStore {
                let rows = try filter.search == nil ? replica.inbox(filter) : replica.search(filter.search ?? "", filter: filter)
                let model = InboxPage(query: query, rows: rows, pageSize: pageSize, partners: try replica.partners(), now: now())
                return page("inbox", model, title: model.title, nav: "inbox")
            }
        }
        router.get("/threads/:id") { [self] request, context in
            let id = try conversation(context)
            return try await onStore {
                // Opening a thread marks it read (a live refresh of an open thread too: the user sees it).
                if try replica.markRead(id) { monitor.localChange() }
                let model = ThreadPage(try replica.thread(id, markRead: false), thisDevice: replica.identity.replica.description)
                return page("thread", model, title: model.title, nav: "inbox")
            }
        }
        router.get("/partners") { [self] request, _ in
            let status = Self.query(request)["status"].flatMap(PartnershipStatus.init(rawValue:))
            return try await onStore {
                let model = PartnersPage(try replica.partners(status: status), status: status, now: now())
                return page("partners", model, title: model.title, nav: "partners")
            }
        }
        router.get("/partners/:id") { [self] _, context in
            guard let id = context.parameters.get("id").flatMap(PartnerID.init(rawValue:)) else {
                throw WebUIError.notFound("such partner")
            }
            return try await onStore {
                let model = PartnerProfilePage(try replica.partner(id), now: now())
                return page("partner", model, title: model.title, nav: "partners")
            }
        }
        router.get("/compose") { [self] request, _ in
            let query = Self.query(request)
            return try await onStore {
                var model = ComposePage(partners: try replica.partners(), selected: query["partner"])
                if let key = query["draft"].flatMap({ DraftKey(text: $0) }), case .compose = key {
                    let draft = try replica.draft(key)
                    model = ComposePage(partners: try replica.partners(), selected: draft.partner?.rawValue,
                                        subject: draft.subject ?? "",
                                        text: draft.text ?? draft.versions.map(\.text).joined(separator: "\n\n"),
                                        draftKey: key.description)
                }
                return page("compose", model, title: model.title, nav: "")
            }
        }
        router.get("/drafts") { [self] _, _ in
            return try await onStore {
                let model = DraftsPage(try replica.drafts(), partners: try replica.partners())
                return page("drafts", model, title: model.title, nav: "drafts")
            }
        }
        router.get("/static/app.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "no-cache"],
                     body: .init(byteBuffer: ByteBuffer(string: StyleSheet.css)))
        }
        router.get("/static/app.js") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "no-cache"],
                     body: .init(byteBuffer: ByteBuffer(string: AppScript.javascript)))
        }
    }

    func conversation(_ context: BasicRequestContext) throws -> ConversationID {
        guard let id = context.parameters.get("id").flatMap({ ConversationID(text: $0) }) else {
            throw WebUIError.notFound("such conversation")
        }
        return id
    }
}
