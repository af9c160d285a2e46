import Foundation

/// Where a form may send the browser back to: only a page of this UI, never a place the request
/// chose. `POST /sync/offline` returns to the page it came from (its `Referer`), and a `Referer`
/// is whatever the client sent: `//evil.example/x`, `/\evil.example` or `///evil.example` as a
/// `Location` would take the browser to another site (an open redirect).
enum LocalRedirect {
    /// Where to go when the `Referer` names no page of the UI.
    static let fallback = "/inbox"

    /// The pages of the UI (WebUI+Pages.swift) by their first segment: whether the route alone is
    /// a page (`/inbox`), and whether it takes one id segment after it (`/threads/1:42`).
    static let pages: [String: (alone: Bool, withID: Bool)] = [
        "inbox": (true, false), "threads": (false, true), "partners": (true, true), "compose": (true, false),
        "drafts": (true, false),
    ]

    /// Characters a path may hold: letters, digits and `- . _ ~ :` (ids look like `1:42`,
    /// `d1:843`, `p1-juniper-oak`), and the slashes between segments. No `%` (an escape could
    /// hide a dot, a slash or a backslash), no backslash, no control character.
    private static let pathCharacters = CharacterSet(charactersIn: asciiAlphanumerics + "-._~:/")

    /// Characters a kept query may hold (the filters' `q=…&kind=…`, percent-encoded as browsers
    /// send them); a query with any other is dropped, the page kept.
    private static let queryCharacters = CharacterSet(charactersIn: asciiAlphanumerics + "-._~*=&+%:,")

    private static let asciiAlphanumerics = "abcdefghijklmnopqrstuvwxyz" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + "0123456789"

    /// The local path (with its query, when that is plain) of the page `referer` names, or
    /// ``fallback``. The `Referer` is read as sent (an absolute URL, whose scheme and authority are
    /// dropped, or a path), not normalized: anything unusual in it means the inbox.
    static func target(referer: String?) -> String {
        guard let referer else { return fallback }
        var rest = Substring(referer)
        if let separator = rest.range(of: "://"), !rest[..<separator.lowerBound].isEmpty,
           rest[..<separator.lowerBound].allSatisfy({ $0.isASCII && $0.isLetter }) {
            rest = rest[separator.upperBound...]
            guard let slash = rest.firstIndex(of: "/") else { return fallback }
            rest = rest[slash...]
        }
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let parts = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = String(parts[0])
        guard isPage(path) else { return fallback }
        if parts.count == 2, !parts[1].isEmpty, parts[1].unicodeScalars.allSatisfy({ queryCharacters.contains($0) }) {
            return path + "?" + parts[1]
        }
        return path
    }

    /// Whether `path` is exactly one of the UI's pages: a single leading `/`, known segments, no
    /// empty, `.` or `..` segment, only plain characters.
    static func isPage(_ path: String) -> Bool {
        guard path.hasPrefix("/"), path.unicodeScalars.allSatisfy({ pathCharacters.contains($0) }) else { return false }
        let segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        guard let first = segments.first, let page = pages[String(first)] else { return false }
        guard !segments.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else { return false }
        return (segments.count == 1 && page.alone) || (segments.count == 2 && page.withID)
    }
}
