import Foundation
import OutpostTestSupport
import Testing

/// A real SMTP relay on loopback: `smtp_relay.py` (aiosmtpd) beside this file, started by the test.
/// It records what it accepts in its folder and is steered through files there (see the script).
final class SMTPRelay: @unchecked Sendable {
    // @unchecked: `process` is only touched from the test that owns this value.
    let directory: URL
    /// A random port below the ephemeral range; it moves when the relay cannot listen there before
    /// anyone was told it.
    private(set) var port: Int
    private var process: ChildProcess?
    /// `address` was handed out: the port must stay.
    private var published = false

    static let script = Repository.url("Tests/OutpostCLITests/Support/smtp_relay.py")
    static let env = URL(fileURLWithPath: "/usr/bin/env")

    /// What the relay kept of one message, as Python's email parser read it.
    struct Received: Decodable {
        var messageID: String
        var mailFrom: String
        var rcptTos: [String]
        var from: String
        var to: String
        var subject: String
        var inReplyTo: String
        var body: String
        var defects: [String]
        var receivedAt: Double
        /// The client said QUIT after this message in the same session.
        var quit = false

        enum CodingKeys: String, CodingKey {
            case messageID, mailFrom, rcptTos, from, to, subject, inReplyTo, body, defects, receivedAt
        }
    }

    /// Fails the test, saying how to fix it, when python3 cannot import aiosmtpd.
    static func requireAiosmtpd() async throws {
        let result = try await ChildProcess.start(env, ["python3", "-c", "import aiosmtpd"]).finish()
        try #require(result.status == 0, """
            these tests need a real SMTP server: python3 cannot import aiosmtpd. \
            Install it with `python3 -m pip install aiosmtpd` (Tools/test.sh does).
            """)
    }

    init(in parent: URL) async throws {
        try await Self.requireAiosmtpd()
        directory = parent.appendingPathComponent("relay", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = Int.random(in: 5_000...9_999)
    }

    var address: String {
        published = true
        return "127.0.0.1:\(port)"
    }

    /// Starts the relay. Its ports (5000–9999) lie below the kernel's ephemeral range
    /// (32768–60999 here), so no connection takes one as its local port; if something else listens
    /// there anyway, and no one knows the address yet, the relay moves to another port.
    func start() async throws {
        for attempt in 1...5 {
            if try await launch() { return }
            try #require(!published && attempt < 5, "the SMTP relay exited at start (port \(port) taken?)")
            port = Int.random(in: 5_000...9_999)
        }
    }

    /// Launches the relay; `false` when it exited before it was ready.
    private func launch() async throws -> Bool {
        let ready = directory.appendingPathComponent("ready")
        try? FileManager.default.removeItem(at: ready)
        let process = try await ChildProcess.start(Self.env, ["python3", Self.script.path, "--port", "\(port)",
                                                              "--dir", directory.path])
        self.process = process
        try await eventually("the SMTP relay ready, or its exit") {
            FileManager.default.fileExists(atPath: ready.path) || !process.isRunning
        }
        guard process.isRunning else {
            self.process = nil
            return false
        }
        return true
    }

    /// Ends the relay at once (it may be in the middle of a hung DATA), without waiting: for `defer`.
    func stop() {
        process?.send(SIGKILL)
        process = nil
    }

    /// `accept`, `refuse` (550 at RCPT), `busy` (451 at RCPT) or `hang` (never answer the data).
    func mode(_ mode: String) throws {
        try mode.write(to: directory.appendingPathComponent("mode"), atomically: true, encoding: .utf8)
    }

    /// Seconds to wait before answering RCPT TO.
    func rcptDelay(_ seconds: Double) throws {
        try "\(seconds)".write(to: directory.appendingPathComponent("rcpt-delay"), atomically: true, encoding: .utf8)
    }

    /// Every message accepted so far, in arrival order.
    func received() throws -> [Received] {
        let folder = directory.appendingPathComponent("messages")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { name in
            var record = try JSONDecoder().decode(Received.self,
                                                  from: Data(contentsOf: folder.appendingPathComponent(name)))
            let quit = folder.appendingPathComponent(String(name.dropLast(".json".count)) + ".quit")
            record.quit = FileManager.default.fileExists(atPath: quit.path)
            return record
        }
    }

    /// RCPT TO commands the relay has seen (each delivery attempt that got that far).
    func recipientsSeen() -> Int {
        let log = directory.appendingPathComponent("rcpt.log")
        return ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").count
    }
}
