public import ArgumentParser
import Foundation
public import InboxModel
import Replica
public import SyncServer

extension PartnershipStatus: ExpressibleByArgument {}
extension ConversationKind: ExpressibleByArgument {}
extension PlatformEvent.Kind: ExpressibleByArgument {}

/// How a text argument's help ends: what `-` does (README.md, "Using the inbox").
let standardInputHelp = "or - to read it from standard input, taken exactly as given (trailing newlines included; UTF-8)"

/// Reads a message text argument: the text itself, or `-` for standard input.
///
/// Standard input is taken byte for byte, to its end: nothing is trimmed, not even a final
/// newline (`echo hi | outpost reply ID -` stores "hi\n"; `printf hi` stores "hi"), so a text
/// reaches the replica exactly as given. Bytes that are not UTF-8 are refused, not repaired.
func readText(_ argument: String) throws(CLIError) -> String {
    guard argument == "-" else { return argument }
    return try decodeText(FileHandle.standardInput.readDataToEndOfFile())
}

/// `data` as text, exactly: refused if it is not valid UTF-8 (no replacement characters, no byte
/// order mark dropped).
func decodeText(_ data: Data) throws(CLIError) -> String {
    let text = String(decoding: data, as: UTF8.self)
    guard text.utf8.elementsEqual(data) else {
        throw CLIError("standard input is not UTF-8 text (the text must be UTF-8; nothing was saved)")
    }
    return text
}

func parseConversation(_ text: String) throws(CLIError) -> ConversationID {
    guard let id = ConversationID(text: text) else {
        throw CLIError("\"\(text)\" is not a conversation id (ids look like 1:42; see `outpost inbox`)")
    }
    return id
}

func parseDraftKey(_ text: String) throws(CLIError) -> DraftKey {
    guard let key = DraftKey(text: text) else {
        throw CLIError("\"\(text)\" is not a draft id (a conversation id like 1:42, or new:d1:7; see `outpost drafts`)")
    }
    return key
}
