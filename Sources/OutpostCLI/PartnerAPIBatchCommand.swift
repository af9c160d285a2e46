import ArgumentParser
import Foundation
import InboxModel
import ServerAPI
import SyncClient

extension PartnerAPICommand {
    /// `outpost partner-api batch`: many writes through one process, a JSON line each way.
    struct Batch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write many times: one JSON request per line of standard input, one JSON answer per line out.",
            discussion: """
                Each input line is one write, as the partner API's own request body under the name of the \
                write, with an optional idempotency key:
                  {"start": {"subject": "Samples", "text": "They are ready."}, "idempotencyKey": "k-1"}
                  {"reply": {"conversation": "1:4", "text": "Any news?"}}
                  {"forward": {"customerName": "…", "customerEmail": "…", "storefront": "…", "product": "…", \
                "text": "…", "askedAt": 1800000000000, "note": "…"}}
                Each answer line comes as soon as its write is done, in order: {"conversation", "message", \
                "duplicate"} as `--json` prints it, or {"error": {"code", "message"}} for a line that is not a \
                write or a write the server refused; the next line is read either way. Empty lines are \
                skipped. The exit status is 1 if any line failed, else 0.
                """)
        @OptionGroup var options: PartnerAPIOptions

        /// One input line, decoded.
        struct Line: Decodable {
            struct Reply: Decodable {
                var conversation: String
                var text: String
            }

            var start: PartnerStartRequest?
            var reply: Reply?
            var forward: PartnerForwardRequest?
            var idempotencyKey: String?
        }

        struct Failure: Encodable {
            struct Body: Encodable {
                var code: String
                var message: String
            }

            var error: Body
        }

        /// The longest line read (a forward with its texts fits many times over).
        static let maxLine = 1 << 20

        func run() async throws {
            let client = options.client
            var failed = 0
            var number = 0
            while let line = readLine(strippingNewline: true) {
                number += 1
                if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
                do {
                    Self.answer(try await Self.write(line, client: client))
                } catch {
                    failed += 1
                    Self.answer(Failure(error: .init(code: error.code, message: "line \(number): \(error.message)")))
                }
            }
            if failed > 0 { throw CLIError("\(failed) of \(number) lines failed", code: "batch_failed") }
        }

        /// The write a line asks for, done.
        static func write(_ text: String, client: PartnerAPIClient) async throws(CLIError) -> PartnerWriteResult {
            guard text.utf8.count <= maxLine else {
                throw CLIError("a line is at most \(maxLine) bytes", code: "invalid_argument")
            }
            let line: Line
            do {
                line = try JSONDecoder().decode(Line.self, from: Data(text.utf8))
            } catch {
                throw CLIError("not a JSON write: \(error.localizedDescription)", code: "invalid_argument")
            }
            let key = line.idempotencyKey
            switch (line.start, line.reply, line.forward) {
            case (let start?, nil, nil):
                return try await http { () async throws(ServerHTTPError) in try await client.start(start, idempotencyKey: key) }
            case (nil, let reply?, nil):
                guard let id = ConversationID(text: reply.conversation) else {
                    throw CLIError("not a conversation id: \(reply.conversation)", code: "invalid_argument")
                }
                let request = PartnerReplyRequest(text: reply.text)
                return try await http { () async throws(ServerHTTPError) in
                    try await client.reply(to: id, request, idempotencyKey: key)
                }
            case (nil, nil, let forward?):
                return try await http { () async throws(ServerHTTPError) in
                    try await client.forward(forward, idempotencyKey: key)
                }
            default:
                throw CLIError("a line is exactly one of start, reply or forward", code: "invalid_argument")
            }
        }

        /// One compact JSON line on stdout, at once.
        static func answer(_ value: some Encodable) {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let text = (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) }
                ?? #"{"error":{"code":"internal","message":"cannot encode the answer"}}"#
            Output.now(text)
        }
    }
}
