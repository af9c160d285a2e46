import Causality
import InboxModel
import Replica
import SyncServer

extension ScenarioWorld {
    /// The measurement fields of an `expect: DEVICE` step: the device's last `sync` step as its
    /// link counted it, and its share of the server's ops now.
    func measure(_ expected: NodeExpectation, on node: SimNode) -> [ScenarioFailure] {
        guard expected.measures, !node.isServer else { return [] }
        var failures: [ScenarioFailure] = []
        let tally = tally(of: node)
        func check(_ what: String, _ range: ValueRange?, _ value: Double?) {
            guard let range else { return }
            guard let value else {
                failures.append(ScenarioFailure(.expectation, node: node.name, what, expected: range.description,
                                                actual: "nothing to measure: no op crossed the link"))
                return
            }
            if !range.contains(value) {
                failures.append(ScenarioFailure(.expectation, node: node.name, what, expected: range.description,
                                                actual: Self.figure(value)))
            }
        }
        trace.add(1, "\(node.name)'s last sync step: \(tally.sessions) session(s), ops \(tally.opsUp) up / \(tally.opsDown) down, "
                    + "sync frames \(tally.bytesUp) B up / \(tally.bytesDown) B down, ops compressed together "
                    + "\(tally.compressedOps ?? 0) B, wire ratio \(tally.wireRatio.map(Self.figure) ?? "-")")
        check("sync sessions in its last sync step", expected.sessions, Double(tally.sessions))
        check("ops sent up in its last sync step", expected.opsUp, Double(tally.opsUp))
        check("ops received in its last sync step", expected.opsDown, Double(tally.opsDown))
        check("sync-frame bytes sent up in its last sync step", expected.bytesUp, Double(tally.bytesUp))
        check("sync-frame bytes received in its last sync step", expected.bytesDown, Double(tally.bytesDown))
        check("wire bytes over the compressed ops (\(tally.bytesUp + tally.bytesDown) B / \(tally.compressedOps ?? 0) B)",
              expected.wireRatio, tally.wireRatio)
        if let range = expected.progress {
            let mine = (try? node.replica.versionVector()) ?? VersionVector()
            let servers = (try? server.replica.versionVector()) ?? VersionVector()
            let total = servers.opCount()
            let held = total - servers.opCount(above: mine)
            check("share of the server's ops it holds (\(held) of \(total)), %", range,
                  total == 0 ? 100 : Double(held) * 100 / Double(total))
        }
        return failures
    }

    /// `12`, `1.23`.
    static func figure(_ value: Double) -> String {
        value == value.rounded() ? String(Int64(value)) : String(format: "%.2f", value)
    }

    // MARK: Mail

    /// An `expect: mail` step, against every copy the delivery handed over.
    func check(_ expected: MailExpectation) -> [ScenarioFailure] {
        var failures: [ScenarioFailure] = []
        func fail(_ message: String, _ wanted: String, _ found: String) {
            failures.append(ScenarioFailure(.expectation, node: "mail", message, expected: wanted, actual: found))
        }
        var mails = mailbox
        var what = "mail"
        if let partner = expected.to {
            let address = (try? server.replica.partner(partner))?.panel.partner.contactEmail ?? "\(partner)?"
            mails = mails.filter { $0.to == address }
            what += " to \(partner)"
        }
        var order: [String] = []
        if let label = expected.thread {
            let thread = labels[label].flatMap { try? server.replica.thread($0, markRead: false) }
            order = (thread?.messages ?? []).map { OutboundMail.messageID(brand: document.brand, message: $0.id) }
            mails = mails.filter { order.contains($0.messageID) }
            what += " of thread \(label)"
        }
        // Distinct messages, in thread order (else in the order first mailed), with their copies.
        var distinct: [String] = []
        var copies: [String: Int] = [:]
        for mail in mails {
            if copies[mail.messageID] == nil { distinct.append(mail.messageID) }
            copies[mail.messageID, default: 0] += 1
        }
        if !order.isEmpty { distinct.sort { (order.firstIndex(of: $0) ?? 0) < (order.firstIndex(of: $1) ?? 0) } }
        let first = distinct.compactMap { id in mails.first { $0.messageID == id } }
        if let count = expected.count, count != distinct.count {
            fail("\(what): messages mailed", "\(count)", "\(distinct.count): \(distinct)")
        }
        if let wanted = expected.copies, let wrong = distinct.first(where: { copies[$0] != wanted }) {
            fail("\(what): copies of each message", "\(wanted)", "\(copies[wrong] ?? 0) of <\(wrong)>")
        }
        if let bodies = expected.messages, bodies != first.map(\.body) {
            fail("\(what): bodies in order", "\(bodies)", "\(first.map(\.body))")
        }
        if let subject = expected.subject, let wrong = mails.first(where: { $0.subject != subject }) {
            fail("\(what): subject", OpText.quote(subject), OpText.quote(wrong.subject))
        }
        if expected.threaded == true, let root = order.first {
            for mail in first where mail.messageID != root {
                let position = order.firstIndex(of: mail.messageID) ?? 0
                let earlier = Set(order[..<position])
                let holds = mail.references.first == root && mail.inReplyTo.map { earlier.contains($0) } == true
                    && mail.references.allSatisfy { earlier.contains($0) }
                if !holds {
                    fail("\(what): threading of <\(mail.messageID)>",
                         "References starting <\(root)>, In-Reply-To an earlier message of the thread",
                         "References \(mail.references), In-Reply-To \(mail.inReplyTo ?? "none")")
                }
            }
        }
        return failures
    }
}
