import Mustache

/// Renders the UI's pages: a page template inside the layout. The templates are Swift string
/// literals, so the binary carries them (nothing to find on disk, from `swift run` or anywhere).
///
/// Every value goes through Mustache's `{{ }}`, which escapes `& < > " '`; the one `{{{ }}}` is the
/// layout's `content`, HTML that a template rendered.
struct PageRenderer: Sendable {
    let library: MustacheLibrary

    init() throws {
        var library = MustacheLibrary()
        let templates: [(String, String)] = [
            ("layout", LayoutTemplates.layout), ("status", LayoutTemplates.status),
            ("partnerPanel", LayoutTemplates.partnerPanel), ("error", LayoutTemplates.error),
            ("rows", InboxTemplates.rows), ("select", InboxTemplates.select), ("inbox", InboxTemplates.inbox), ("partners", InboxTemplates.partners),
            ("partner", InboxTemplates.partner), ("compose", InboxTemplates.compose), ("drafts", InboxTemplates.drafts),
            ("thread", ThreadTemplate.thread),
        ]
        for (name, text) in templates { try library.register(text, named: name) }
        self.library = library
    }

    /// What every page's frame needs. Without a CSRF token (error pages) the page has no form:
    /// no `csrf-token` meta, no *Work offline* switch.
    struct Frame: Sendable {
        var csrf: String?
        var who: String
        var status: StatusBar
    }

    /// `page` (a view model) rendered with `template`, inside the layout.
    func render(_ template: String, _ page: Any, title: String, nav: String, frame: Frame) -> String {
        let values: [String: Any] = frame.csrf.map { ["csrf": $0] } ?? [:]
        let content = library.render(Scope(values: values, inner: page), withTemplate: template) ?? ""
        let layout: [String: Any] = [
            "csrf": frame.csrf ?? "", "forms": frame.csrf != nil, "who": frame.who, "title": title, "page": template,
            "content": content,
            "navInbox": nav == "inbox", "navPartners": nav == "partners", "navDrafts": nav == "drafts", "status": frame.status,
        ]
        return library.render(layout, withTemplate: "layout") ?? ""
    }
}

/// A context that first looks in `inner` (a view model), then in `values` (the CSRF token): lets
/// every page template reach `{{csrf}}` without each view model carrying it.
struct Scope: MustacheParent {
    let values: [String: Any]
    let inner: Any

    func child(named name: String) -> Any? {
        let mirror = Mirror(reflecting: inner)
        for child in mirror.children where child.label == name {
            // An optional is its value, or nothing (as Mustache's own reflection does).
            let value = Mirror(reflecting: child.value)
            guard value.displayStyle == .optional else { return child.value }
            return value.children.first?.value
        }
        return values[name]
    }
}
