import Causality
import InboxModel
import Replica
import SyncServer

extension Simulator {
    /// `deliver: server`: one round of the server's delivery worker, simulated. Every brand user's
    /// message the server's journal holds without a final state, in journal order, gets the real
    /// worker's decision (``DeliveryDecision``): a mail (rendered as the server renders it, handed
    /// to the simulated mailbox, and `sent` committed) or `failed` with the reason. The transport
    /// never fails here: attempts and retries are not simulated.
    func deliver() throws(ScenarioError) -> [ScenarioFailure] {
        touched.insert("server")
        var owed: [(MessageID, ConversationID)] = []
        try read(server) { replica throws(ReplicaError) in
            try replica.journal { ops in
                for op in ops where op.actor.user != nil {
                    switch op.body {
                    case .startConversation(let start) where start.kind != .system:
                        owed.append((MessageID(op.dot), ConversationID(op.dot)))
                    case .postMessage(let post):
                        owed.append((MessageID(op.dot), post.conversation))
                    default:
                        break
                    }
                }
            }
        }
        var outcomes: [String] = []
        for (message, conversation) in owed {
            let thread = try read(server) { replica throws(ReplicaError) in try replica.thread(conversation, markRead: false) }
            let repliedTo = try read(server) { replica throws(ReplicaError) in try replica.repliedTo(message, in: thread) }
            let decision = DeliveryDecision.decide(thread: thread, message: message, repliedTo: repliedTo,
                                                   brand: document.brand,
                                                   brandName: document.brand.rawValue.capitalized,
                                                   from: DeliveryConfiguration.defaultFrom)
            let delivery: SetDelivery
            switch decision {
            case .notOwed, .finished:
                continue
            case .fail(let reason):
                delivery = SetDelivery(message: message, state: .failed, reason: reason)
                outcomes.append("\(message) failed: \(reason)")
            case .send(let mail):
                guard let received = ReceivedMail(parsing: mail.rendered()) else {
                    throw ScenarioError("simulation", "the mail of \(message) does not read back")
                }
                mailbox.append(received)
                delivery = SetDelivery(message: message, state: .sent)
                outcomes.append("\(message) sent to \(mail.to) <\(mail.messageID)>")
            }
            _ = try read(server) { replica throws(ReplicaError) in try replica.performServerOp(.setDelivery(delivery)) }
        }
        trace.add(1, "server delivers: " + (outcomes.isEmpty ? "nothing owed" : outcomes.joined(separator: "; ")))
        return []
    }
}
