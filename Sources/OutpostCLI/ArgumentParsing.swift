public import ArgumentParser
import Foundation
public import InboxModel
import Replica
public import SyncServer

extension PartnershipStatus: ExpressibleByArgument {}
extension ConversationKind: ExpressibleByArgument {}
extension PlatformEvent.Kind: ExpressibleByArgument {}

/// Reads a message text argument: the text itself, or `-` for standard input.
func readText(_ argument: String) throws(CLIError) -> String {
    guard argument == "-" else { return argument }
    let data = FileHandle.standardInput.readDataToEndOfFile()
    guard let text = String(data: data, encoding: .utf8) else {
        throw CLIError("standard input is not UTF-8 text")
    }
    return text.hasSuffix("\n") ? String(text.dropLast()) : text
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
