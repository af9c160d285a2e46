import Foundation
import InboxModel

extension LiveWorld {
    /// `deliver: server`: one `outpost admin deliver` round against the server's data (the server
    /// itself runs with `--hold-mail`, so mail leaves only at these steps, as in the simulator). It
    /// writes each mail as a `.eml` file into the run's mail folder; every mail it reports sent is
    /// read back from its file into the mailbox.
    func deliver() throws(ScenarioError) -> [ScenarioFailure] {
        touched.insert("server")
        let folder = (directory as NSString).appendingPathComponent("mail")
        let output = try admin(["deliver", "--mail-dir", folder, "--json"])
        struct Entry: Decodable {
            var message: String
            var messageID: String?
            var reason: String?
        }
        struct Summary: Decodable {
            var sent: [Entry]
            var failed: [Entry]
            var retrying: [Entry]
        }
        let summary: Summary
        do {
            summary = try JSONDecoder().decode(Summary.self, from: Data(output.utf8))
        } catch {
            throw ScenarioError("live", "outpost admin deliver printed no summary: \(output.prefix(200))")
        }
        var outcomes: [String] = []
        for entry in summary.sent {
            guard let id = entry.messageID else { continue }
            let file = (folder as NSString).appendingPathComponent(String(id.prefix { $0 != "@" }) + ".eml")
            guard let data = FileManager.default.contents(atPath: file), let mail = ReceivedMail(parsing: Array(data)) else {
                throw ScenarioError("live", "the mail of \(entry.message) is not a readable file at \(file)")
            }
            mailbox.append(mail)
            outcomes.append("\(entry.message) sent to \(mail.to) <\(id)>")
        }
        outcomes += summary.failed.map { "\($0.message) failed: \($0.reason ?? "")" }
        outcomes += summary.retrying.map { "\($0.message) to retry: \($0.reason ?? "")" }
        trace.add(1, "server delivers (outpost admin deliver): " + (outcomes.isEmpty ? "nothing owed" : outcomes.joined(separator: "; ")))
        return []
    }
}
