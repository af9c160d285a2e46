import ArgumentParser
import Causality
import InboxModel
import Replica

struct DraftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "draft",
        abstract: "Show, write, resolve, send or discard your draft in a conversation (or a new message).",
        discussion: """
            `outpost draft ID` shows the draft; a conflict shows every version, numbered.
            `outpost draft ID TEXT|-` saves TEXT as the draft (this also resolves a conflict).
            `outpost draft ID --pick N` resolves a conflict by keeping version N (a number or its id).
            `outpost draft ID --send` sends the draft.
            `outpost draft ID --discard` throws the draft away.
            ID is a conversation id (1:42) or a new message's draft id (new:d1:7, from `outpost drafts`).
            """)

    @OptionGroup var replicaOptions: ReplicaOptions

    @Argument(help: "The conversation id, or the new message's draft id.")
    var id: String

    @Argument(help: "New draft text, \(standardInputHelp).")
    var text: String?

    @Flag(name: .long, help: "Throw the draft away.")
    var discard = false

    @Flag(name: .long, help: "Send the draft.")
    var send = false

    @Option(name: .long, help: ArgumentHelp("Keep this version (its number or id) and drop the others.", valueName: "N"))
    var pick: String?

    @Option(name: .long, help: ArgumentHelp("For a new message: who it goes to.", valueName: "partner"))
    var partner: String?

    @Option(name: .long, help: "For a new message: its subject.")
    var subject: String?

    @Flag(name: .long, help: "JSON output.")
    var json = false

    func validate() throws {
        let actions = [text != nil, discard, send, pick != nil].filter { $0 }.count
        guard actions <= 1 else { throw ValidationError("give at most one of TEXT, --discard, --send, --pick") }
    }

    func run() throws {
        let key = try parseDraftKey(id)
        let replica = try replicaOptions.open()
        if discard {
            try act { try replica.discardDraft(key) }
            return print("Discarded the draft \(key).")
        }
        if send {
            if partner != nil || subject != nil { try update(replica, key, text: nil) }
            let message = try act { try replica.sendDraft(key) }
            if json { return try Output.json(["message": message.description]) }
            return print(key.isCompose ? "Sent: started conversation \(message) (pending until the next sync)."
                                       : "Sent the draft as message \(message) (pending until the next sync).")
        }
        if let pick {
            let view = try cli { try replica.draft(key) }
            let version: Dot
            if let number = Int(pick), (1...view.versions.count).contains(number) {
                version = view.versions[number - 1].version
            } else if let dot = Dot(text: pick) {
                version = dot
            } else {
                throw CLIError("--pick takes a version number (1–\(view.versions.count)) or a version id")
            }
            try act { try replica.pickDraftVersion(key, version: version) }
            return print("Kept version \(pick) of the draft \(key).")
        }
        if let text {
            try update(replica, key, text: try readText(text))
            return print("Saved the draft \(key).")
        }
        if partner != nil || subject != nil {
            try update(replica, key, text: nil)
        }
        let view = try cli { try replica.draft(key) }
        if json { return try Output.json(view) }
        Self.render(view)
    }

    private func update(_ replica: Replica, _ key: DraftKey, text: String?) throws {
        switch key {
        case .conversation(let conversation):
            guard partner == nil, subject == nil else {
                throw CLIError("--partner and --subject are for new messages only")
            }
            if let text { try act { try replica.saveDraft(conversation, text: text) } }
        case .compose:
            let partnerID = try partner.map { name throws(CLIError) in try cli { try replica.resolvePartner(name) } }
            let current = try cli { try replica.draft(key) }
            let body = text ?? current.versions.last?.text ?? ""
            try act { try replica.updateComposeDraft(key, text: body, partner: partnerID, subject: subject) }
        }
    }

    static func render(_ view: DraftView) {
        let title = view.subject.map { "“\($0)”" } ?? "(no subject)"
        let to = view.partner.map { " to \($0)" } ?? ""
        guard !view.versions.isEmpty else {
            return print("No draft in \(view.key) \(title).")
        }
        print("Draft \(view.key)\(to) \(title)")
        if let merged = view.merged {
            print("Edited on \(view.versions.count) devices at once; the edits do not overlap, so they merge:")
            for line in merged.split(separator: "\n", omittingEmptySubsequences: false) { print("    \(line)") }
            print("Sending or saving uses this text. The versions it was merged from:")
        }
        if view.inConflict {
            print("In conflict: \(view.versions.count) versions were written on different devices without seeing each other.")
            print("Keep one with `outpost draft \(view.key) --pick N`, or write the merged text with `outpost draft \(view.key) TEXT`.")
        }
        for (index, version) in view.versions.enumerated() {
            print("")
            let label = view.inConflict ? "[\(index + 1)] " : ""
            print("\(label)saved \(Output.longDate(version.savedAt)) on device \(version.savedOn) (version \(version.version))")
            for line in version.text.split(separator: "\n", omittingEmptySubsequences: false) { print("    \(line)") }
        }
    }
}

struct DraftsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drafts", abstract: "List your drafts, newest first (⚠ marks a conflict).")

    @OptionGroup var replicaOptions: ReplicaOptions

    @Flag(name: .long, help: "JSON output.")
    var json = false

    func run() throws {
        let replica = try replicaOptions.open()
        let drafts = try cli { try replica.drafts() }
        if json { return try Output.json(drafts) }
        guard !drafts.isEmpty else { return print("No drafts.") }
        Output.table(drafts.map { draft in
            [draft.inConflict ? "⚠" : " ", draft.key.description, draft.partner?.rawValue ?? "-",
             Output.fit(draft.subject ?? "(no subject)", 34),
             draft.versions.last.map { Output.shortDate($0.savedAt) } ?? "",
             draft.versions.last?.text ?? ""]
        }, header: [" ", "ID", "TO", "SUBJECT", "SAVED", "TEXT"])
    }
}
