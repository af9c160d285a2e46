import Foundation
import InboxModel
import Replica
import Testing

@Suite("outpost commands on a demo replica", .timeLimit(.minutes(5)))
struct CommandTests {
    @Test("the binary is built next to the tests")
    func binaryFound() {
        #expect(Outpost.binary != nil, "looked next to \(CommandLine.arguments[0]) and in .build/debug")
    }

    @Test("--help on every command", arguments: [
        [], ["inbox"], ["search"], ["thread"], ["reply"], ["compose"], ["draft"], ["drafts"], ["read"], ["unread"],
        ["partners"], ["partner"], ["replica"], ["replica", "verify"], ["replica", "info"], ["demo"], ["ui"],
    ])
    func help(command: [String]) async throws {
        let outpost = try Outpost()
        defer { outpost.remove() }
        let result = try await outpost.run(command + ["--help"], replica: false)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("USAGE: outpost \(command.joined(separator: " "))"), "\(result.stdout)")
        #expect(result.stdout.contains("OVERVIEW:"))
        #expect(!FileManager.default.fileExists(atPath: outpost.replicaPath))
    }

    @Test("inbox: human and JSON output, paging and filters")
    func inbox() async throws {
        let outpost = try await Outpost.withDemo()
        defer { outpost.remove() }
        let human = try await outpost.ok(["inbox", "--limit", "5"])
        let lines = human.split(separator: "\n")
        #expect(lines.count == 6, "a header and five rows: \(human)")
        #expect(lines.first?.contains("PARTNER") == true && lines.first?.contains("SUBJECT") == true)

        let raw = try #require(try await outpost.jsonObject(["inbox", "--limit", "50"]) as? [[String: Any]])
        #expect(raw.count == 20, "the demo's 300 messages make 20 conversations")
        for row in raw {
            #expect(row["id"] is String && row["partnerName"] is String && row["subject"] is String)
            #expect(row["preview"] is String && row["kind"] is String)
            #expect(row["lastActivity"] is NSNumber && row["unread"] is Bool, "\(row)")
        }
        let rows = try await outpost.json([InboxRowJSON].self, ["inbox", "--limit", "50"])
        #expect(rows.map(\.lastActivity) == rows.map(\.lastActivity).sorted(by: >), "newest first")
        #expect(Set(rows.map(\.kind)).isSubset(of: ["direct", "system", "inquiry"]))
        #expect(rows.contains { $0.unread } && rows.contains { !$0.unread })
        #expect(rows.allSatisfy { !$0.preview.isEmpty && !$0.subject.isEmpty && !$0.partnerName.isEmpty })
        #expect(rows.allSatisfy { $0.snippet == nil })

        let page = try await outpost.json([InboxRowJSON].self, ["inbox", "--limit", "3", "--offset", "3"])
        #expect(page.map(\.id) == rows[3..<6].map(\.id))
        let unread = try await outpost.json([InboxRowJSON].self, ["inbox", "--unread", "--limit", "50"])
        #expect(unread.map(\.id) == rows.filter(\.unread).map(\.id))
        let system = try await outpost.json([InboxRowJSON].self, ["inbox", "--kind", "system", "--limit", "50"])
        #expect(system.map(\.id) == rows.filter { $0.kind == "system" }.map(\.id))
        let ended = try await outpost.json([InboxRowJSON].self, ["inbox", "--status", "ended", "--limit", "50"])
        #expect(ended.map(\.id) == rows.filter { $0.partnerStatus == "ended" }.map(\.id))
        let partner = rows[0].partnerName
        let byPartner = try await outpost.json([InboxRowJSON].self, ["inbox", "--partner", partner, "--limit", "50"])
        #expect(byPartner.map(\.id) == rows.filter { $0.partnerName == partner }.map(\.id))
    }

    @Test("search finds by partner name, with a snippet; filters combine")
    func search() async throws {
        let outpost = try await Outpost.withDemo()
        defer { outpost.remove() }
        let rows = try await outpost.json([InboxRowJSON].self, ["inbox", "--limit", "50"])
        let target = try #require(rows.first)
        let found = try await outpost.json([InboxRowJSON].self, ["search", target.partnerName, "--limit", "50"])
        #expect(found.map(\.id).contains(target.id))
        #expect(found.allSatisfy { $0.snippet?.contains("[") == true }, "every hit has a marked snippet")
        let narrowed = try await outpost.json([InboxRowJSON].self,
                                        ["search", target.partnerName, "--partner", target.partnerID, "--limit", "50"])
        #expect(narrowed.map(\.id) == rows.filter { $0.partnerID == target.partnerID }.map(\.id))
        let human = try await outpost.ok(["search", target.partnerName])
        #expect(human.contains("MATCH"))
        let none = try await outpost.ok(["search", "qwertyzzz"])
        #expect(none.contains("Nothing matches"))
        // FTS syntax is taken literally.
        for text in ["\"warranty", "(shoes", "AND", "*"] {
            let result = try await outpost.run(["search", text])
            #expect(result.status == 0 || result.errorLines.count == 1, "\(text): \(result.stderr)")
        }
        #expect(try await outpost.json([InboxRowJSON].self, ["inbox", "--search", target.partnerName, "--limit", "50"]).map(\.id)
                == found.map(\.id))
    }

    @Test("thread shows a conversation and marks it read")
    func thread() async throws {
        let outpost = try await Outpost.withDemo()
        defer { outpost.remove() }
        let unread = try #require(try await outpost.json([InboxRowJSON].self, ["inbox", "--unread", "--limit", "1"]).first)
        let before = try await outpost.info()
        #expect(before.unreadConversations > 0)

        let peek = try await outpost.ok(["thread", unread.id, "--peek"])
        #expect(peek.contains(unread.subject))
        #expect(try await outpost.info().unreadConversations == before.unreadConversations, "--peek changes nothing")

        let shown = try await outpost.ok(["thread", unread.id])
        #expect(shown.contains(unread.subject))
        #expect(shown.contains(unread.partnerName))
        let after = try await outpost.info()
        #expect(after.unreadConversations == before.unreadConversations - 1)
        #expect(after.journalOps == before.journalOps + 1)
        _ = try await outpost.ok(["thread", unread.id])
        #expect(try await outpost.info().journalOps == after.journalOps, "a second open writes nothing")

        let view = try #require(try await outpost.jsonObject(["thread", unread.id]) as? [String: Any])
        let messages = try #require(view["messages"] as? [[String: Any]])
        #expect(messages.count == unread.messageCount)
        #expect(messages.allSatisfy { $0["authorName"] is String && $0["body"] is String && $0["time"] is NSNumber })
        #expect(view["unread"] as? Bool == false)
    }

    @Test("reply, from an argument and from standard input")
    func reply() async throws {
        let outpost = try await Outpost.withDemo()
        defer { outpost.remove() }
        let rows = try await outpost.json([InboxRowJSON].self, ["inbox", "--kind", "direct", "--limit", "5"])
        let target = try #require(rows.last)
        let before = try await outpost.info()
        let out = try await outpost.ok(["reply", target.id, "Thanks, that works for us."])
        #expect(out.contains("Replied in \(target.id)"))
        var view = try await outpost.json(ThreadView.self, ["thread", target.id, "--peek"])
        #expect(view.messages.last?.body == "Thanks, that works for us.")
        #expect(view.messages.last?.delivery == .pending)
        #expect(view.messages.last?.isOwn == true)
        #expect(try await outpost.info().journalOps == before.journalOps + 1)
        let first = try #require(try await outpost.json([InboxRowJSON].self, ["inbox", "--limit", "1"]).first)
        #expect(first.id == target.id, "the reply moves the thread to the top")

        _ = try await outpost.ok(["reply", target.id, "-"], stdin: "Line one\nLine two\n")
        view = try await outpost.json(ThreadView.self, ["thread", target.id, "--peek"])
        #expect(view.messages.last?.body == "Line one\nLine two\n", "standard input is taken exactly, final newline too")
    }

    @Test("compose, sent at once or kept as a draft")
    func compose() async throws {
        let outpost = try await Outpost.withDemo()
        defer { outpost.remove() }
        let partners = try await outpost.json([PartnerSummary].self, ["partners", "--status", "active"])
        let partner = try #require(partners.first).partner
        let started = try await outpost.json([String: String].self,
                                       ["compose", "--partner", partner.name, "--subject", "Winter samples",
                                        "Could you send winter samples?"])
        let id = try #require(started["conversation"])
        let top = try #require(try await outpost.json([InboxRowJSON].self, ["inbox", "--limit", "1"]).first)
        #expect(top.id == id)
        #expect(top.subject == "Winter samples" && top.partnerID == partner.id.rawValue && !top.unread)

        let drafted = try await outpost.json([String: String].self,
                                       ["compose", "--partner", partner.id.rawValue, "--subject", "Spring plans",
                                        "A first idea", "--draft"])
        let key = try #require(drafted["draft"])
        #expect(key.hasPrefix("new:"))
        let drafts = try await outpost.json([DraftView].self, ["drafts"])
        #expect(drafts.contains { $0.key.description == key })
        let sent = try await outpost.json([String: String].self, ["draft", key, "--send"])
        let conversation = try #require(sent["message"])
        let row = try #require(try await outpost.json([InboxRowJSON].self, ["inbox", "--limit", "1"]).first)
        #expect(row.id == conversation && row.subject == "Spring plans" && row.preview == "A first idea")
        #expect(try await !outpost.json([DraftView].self, ["drafts"]).contains { $0.key.description == key })
    }

    @Test("draft: show, save, send, discard")
    func draft() async throws {
        let outpost = try await Outpost.withDemo()
        defer { outpost.remove() }
        let target = try #require(try await outpost.json([InboxRowJSON].self, ["inbox", "--kind", "direct", "--limit", "50"])
            .first { !$0.hasDraft })
        var view = try await outpost.json(DraftView.self, ["draft", target.id])
        #expect(view.versions.isEmpty)
        #expect(try await outpost.ok(["draft", target.id]).contains("No draft"))

        #expect(try await outpost.ok(["draft", target.id, "Half a thought"]).contains("Saved"))
        view = try await outpost.json(DraftView.self, ["draft", target.id])
        #expect(view.versions.map(\.text) == ["Half a thought"])
        #expect(try await outpost.ok(["draft", target.id]).contains("Half a thought"))
        _ = try await outpost.ok(["draft", target.id, "A whole thought"])
        view = try await outpost.json(DraftView.self, ["draft", target.id])
        #expect(view.versions.map(\.text) == ["A whole thought"])
        #expect(try await outpost.json([InboxRowJSON].self, ["inbox", "--limit", "50"]).first { $0.id == target.id }?.hasDraft
                == true)

        let sent = try await outpost.json([String: String].self, ["draft", target.id, "--send"])
        let thread = try await outpost.json(ThreadView.self, ["thread", target.id, "--peek"])
        #expect(thread.messages.last?.id.description == sent["message"])
        #expect(thread.messages.last?.body == "A whole thought")
        #expect(thread.draft.isEmpty)

        _ = try await outpost.ok(["draft", target.id, "Throw me away"])
        #expect(try await outpost.ok(["draft", target.id, "--discard"]).contains("Discarded"))
        #expect(try await outpost.json(DraftView.self, ["draft", target.id]).versions.isEmpty)
    }

    @Test("a draft in conflict is shown with its versions and can be resolved by --pick")
    func draftConflict() async throws {
        let outpost = try await Outpost.withDemo()
        defer { outpost.remove() }
        let conflict = try #require(try await outpost.json([DraftView].self, ["drafts"]).first(where: \.inConflict),
                                    "the demo has a draft in conflict")
        let key = conflict.key.description
        let send = try await outpost.run(["draft", key, "--send"])
        #expect(send.status != 0 && send.stderr.contains("draft_conflict"))
        #expect(try await outpost.ok(["draft", key]).contains("In conflict"))
        _ = try await outpost.ok(["draft", key, "--pick", "2"])
        let resolved = try await outpost.json(DraftView.self, ["draft", key])
        #expect(resolved.versions.map(\.text) == [conflict.versions[1].text])
    }

    @Test("read and unread")
    func readUnread() async throws {
        let outpost = try await Outpost.withDemo()
        defer { outpost.remove() }
        let row = try #require(try await outpost.json([InboxRowJSON].self, ["inbox", "--limit", "50"]).first { !$0.unread })
        let before = try await outpost.info().unreadConversations
        #expect(try await outpost.ok(["unread", row.id]).contains("Marked \(row.id) unread"))
        #expect(try await outpost.info().unreadConversations == before + 1)
        #expect(try await outpost.ok(["unread", row.id]).contains("already"))
        #expect(try await outpost.ok(["read", row.id]).contains("Marked \(row.id) read"))
        #expect(try await outpost.info().unreadConversations == before)
        #expect(try await outpost.ok(["read", row.id]).contains("already read"))
    }

    @Test("partners list with a status filter, and a partner's profile")
    func partners() async throws {
        let outpost = try await Outpost.withDemo()
        defer { outpost.remove() }
        let all = try await outpost.json([PartnerSummary].self, ["partners"])
        #expect(all.count == 20)
        #expect(Set(all.map(\.partner.status)) == Set(PartnershipStatus.allCases))
        let ended = try await outpost.json([PartnerSummary].self, ["partners", "--status", "ended"])
        #expect(!ended.isEmpty && ended.allSatisfy { $0.partner.status == .ended })
        #expect(ended.map(\.partner.id) == all.filter { $0.partner.status == .ended }.map(\.partner.id))
        let human = try await outpost.ok(["partners", "--status", "ended"])
        #expect(human.split(separator: "\n").count == ended.count + 1)

        let busiest = try #require(all.max { $0.conversations < $1.conversations })
        let profileText = try await outpost.ok(["partner", busiest.partner.name])
        #expect(profileText.contains(busiest.partner.name))
        #expect(profileText.contains("Contact:      \(busiest.partner.contactEmail)"))
        let profile = try await outpost.json(PartnerProfile.self, ["partner", busiest.partner.id.rawValue])
        #expect(profile.panel.partner == busiest.partner)
        #expect(profile.panel.conversations == busiest.conversations)
        #expect(profile.recent.count == min(10, busiest.conversations))
    }

    @Test("replica verify and info")
    func replica() async throws {
        let outpost = try await Outpost.withDemo()
        defer { outpost.remove() }
        let verify = try await outpost.run(["replica", "verify"])
        #expect(verify.status == 0)
        #expect(verify.stdout.contains("OK"))
        let report = try #require(try await outpost.jsonObject(["replica", "verify"]) as? [String: Any])
        #expect(report["ok"] as? Bool == true)

        let info = try await outpost.info()
        #expect(info.messages == 300)
        #expect(info.migrations.first == "v1-journal-and-state" && info.migrations.count >= 3)
        #expect(info.path == outpost.replicaPath)
        #expect(info.identity.viewer?.rawValue == "dana")
        #expect(info.heldOps == 0 && info.journalOps > 300)
        #expect(info.digest.state.count == 64)
        let human = try await outpost.ok(["replica", "info"])
        #expect(human.contains(info.digest.state))
    }
}
