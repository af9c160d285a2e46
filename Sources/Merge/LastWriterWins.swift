public import Causality

/// Rule 4 of Protocol/MERGE_RULES.md: server-owned facts (brand, users, partners, delivery state).
///
/// Only the server replica writes them. Of two writes to the same fact, the one with the greater
/// hybrid logical clock stamp wins; stamps are totally ordered (ties broken by replica), so every
/// replica picks the same winner whatever order the writes arrive in.
public enum LastWriterWins {
    /// True when a write stamped `incoming` replaces the current value stamped `current`.
    public static func replaces(current: HLCTimestamp?, incoming: HLCTimestamp) -> Bool {
        guard let current else { return true }
        return incoming > current
    }
}
