public import Causality
public import InboxModel

/// One version of a draft: the text one save wrote.
public struct DraftVersion: Hashable, Sendable, Codable {
    /// The dot of the save op that wrote this version.
    public var dot: Dot
    public var stamp: HLCTimestamp
    public var text: String
    public var partner: PartnerID?
    public var subject: String?
    /// The versions this one replaced: what its device had seen. Two concurrent versions merge
    /// against the newest version both had seen.
    public var supersedes: [Dot]

    public init(dot: Dot, stamp: HLCTimestamp, text: String, partner: PartnerID? = nil, subject: String? = nil,
                supersedes: [Dot] = []) {
        self.dot = dot
        self.stamp = stamp
        self.text = text
        self.partner = partner
        self.subject = subject
        self.supersedes = supersedes
    }
}

/// Rule 3 of Protocol/MERGE_RULES.md: one user's draft for one conversation or new message, as a
/// multi-value register.
///
/// Every save, discard and send names the versions it supersedes: exactly those its device had
/// seen. A version survives until something that saw it supersedes it, so two devices that edit
/// concurrently both keep their text (a visible conflict, `versions.count > 1`) and sending or
/// discarding on one device never removes an edit it had not seen.
public struct DraftRegister: Hashable, Sendable {
    /// The live versions, oldest stamp first.
    public private(set) var versions: [DraftVersion]

    public init(versions: [DraftVersion] = []) {
        self.versions = versions.sorted { $0.stamp < $1.stamp }
    }

    public var isEmpty: Bool { versions.isEmpty }
    /// More than one live version: concurrent edits shown side by side until resolved.
    public var isConflict: Bool { versions.count > 1 }

    /// The dots a new save, discard or send on this device supersedes: every version it can see.
    public var visibleDots: [Dot] { versions.map(\.dot) }

    /// The live version with the greatest stamp: whose partner and subject a compose draft keeps.
    public var newest: DraftVersion? { versions.last }

    /// The live version `dot`, if it is live.
    public func version(_ dot: Dot) -> DraftVersion? {
        versions.first { $0.dot == dot }
    }

    /// True when the register holds one version with exactly `text`: saving it again changes nothing.
    public func holdsOnly(_ text: String) -> Bool {
        versions.count == 1 && versions[0].text == text
    }

    /// Removes the versions named in `dots` (a save, a discard, or a send superseding them).
    public mutating func supersede(_ dots: some Sequence<Dot>) {
        let gone = Set(dots)
        versions.removeAll { gone.contains($0.dot) }
    }

    /// Applies a save: supersedes what it saw, adds its own version.
    public mutating func apply(save: SaveDraft, dot: Dot, stamp: HLCTimestamp) {
        supersede(save.supersedes)
        versions.append(DraftVersion(dot: dot, stamp: stamp, text: save.text, partner: save.partner,
                                     subject: save.subject, supersedes: save.supersedes))
        versions.sort { $0.stamp < $1.stamp }
    }

    /// What changed from `old` to this register: the versions to forget and the versions to store.
    public func changes(from old: DraftRegister) -> (removed: [DraftVersion], added: [DraftVersion]) {
        let kept = Set(visibleDots), before = Set(old.visibleDots)
        return (old.versions.filter { !kept.contains($0.dot) }, versions.filter { !before.contains($0.dot) })
    }

    /// What the user sees of the register.
    public enum Reading: Hashable, Sendable {
        case empty
        case single(DraftVersion)
        /// Two concurrent versions whose edits do not overlap, merged three-way against the newest
        /// version both had seen (or the empty draft when they share none).
        case merged(text: String, from: [DraftVersion])
        /// Concurrent versions that cannot be merged: shown side by side until the user resolves them.
        case conflict([DraftVersion])
    }

    /// Where the common ancestor of a three-way merge is: the dots both live versions superseded,
    /// when exactly two are live (empty otherwise). The caller loads the saves these dots name
    /// (from the journal) and passes them to ``reading(ancestors:)``.
    public var commonSuperseded: Set<Dot> {
        guard versions.count == 2 else { return [] }
        return Set(versions[0].supersedes).intersection(versions[1].supersedes)
    }

    /// The ancestor text of the two live versions: the text of the save with the greatest stamp
    /// among those both superseded, the empty draft when they superseded nothing in common, or
    /// `nil` when none of those saves is among `saves`.
    public func ancestorText(among saves: [DraftVersion]) -> String? {
        let common = commonSuperseded
        guard !common.isEmpty else { return "" }
        return saves.filter { common.contains($0.dot) }.max { $0.stamp < $1.stamp }?.text
    }

    /// Reads the register. `ancestors` are the saves named by ``commonSuperseded`` that are known
    /// (others are ignored). Pure: the same live versions and ancestors always read the same.
    public func reading(ancestors: [DraftVersion]) -> Reading {
        switch versions.count {
        case 0: return .empty
        case 1: return .single(versions[0])
        case 2:
            let (older, newer) = (versions[0], versions[1])
            guard older.partner == newer.partner, older.subject == newer.subject,
                  let base = ancestorText(among: ancestors),
                  let text = TextMerge.merge(ancestor: base, ours: older.text, theirs: newer.text)
            else { return .conflict(versions) }
            return .merged(text: text, from: versions)
        default:
            return .conflict(versions)
        }
    }
}
