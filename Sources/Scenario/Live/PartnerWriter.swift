import Foundation

/// One `outpost partner-api batch` process for a partner, kept open for the run: each partner
/// step writes one JSON line to it and reads its answer line, so that a story of thousands of
/// partner messages pays for one process, not one per message, and each write is still one real
/// request through the real client to the real server (Protocol/SCENARIOS.md, "Live mode").
final class PartnerWriter {
    /// A write's answer: the conversation and message it made, or the refusal's code and message.
    enum Answer {
        case written(conversation: String, message: String?)
        case refused(code: String, message: String)
    }

    let server: String
    private let process: Process
    private let input: FileHandle
    private let output: FileHandle
    private let errorLog: String
    private var pending = Data()

    /// Starts the process for the partner with `token` against `server`.
    init(binary: String, server: String, token: String, directory: String) throws(ScenarioError) {
        self.server = server
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["partner-api", "batch", "--server", server, "--token=\(token)"]
        process.environment = ProcessInfo.processInfo.environment.merging(["OUTPOST_LOG_LEVEL": "error"]) { $1 }
        let toChild = Pipe(), fromChild = Pipe()
        errorLog = (directory as NSString).appendingPathComponent("partner-\(UUID().uuidString).err")
        do {
            _ = FileManager.default.createFile(atPath: errorLog, contents: nil)
            process.standardInput = toChild
            process.standardOutput = fromChild
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorLog))
            // Recorded until it ends, so that a stop of the harness (``LiveStopSignals``) kills it.
            try LiveProcesses.shared.launch(process)
        } catch {
            throw ScenarioError("live", "cannot start \(binary) partner-api batch: \(error.localizedDescription)")
        }
        self.process = process
        input = toChild.fileHandleForWriting
        output = fromChild.fileHandleForReading
    }

    /// One write: `line` (a JSON object, `outpost partner-api batch --help`) and its answer.
    func write(_ line: [String: Any]) throws(ScenarioError) -> Answer {
        let data: Data
        do {
            data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]) + Data("\n".utf8)
            try input.write(contentsOf: data)
        } catch {
            throw ScenarioError("live", "outpost partner-api batch stopped taking writes: \(error) \(stderrTail())")
        }
        let answer = try readLine()
        guard let object = try? JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any] else {
            throw ScenarioError("live", "outpost partner-api batch answered something that is not JSON: \(answer)")
        }
        if let error = object["error"] as? [String: Any] {
            return .refused(code: error["code"] as? String ?? "error", message: error["message"] as? String ?? "")
        }
        guard let conversation = object["conversation"] as? String else {
            throw ScenarioError("live", "outpost partner-api batch answered without a conversation: \(answer)")
        }
        return .written(conversation: conversation, message: object["message"] as? String)
    }

    /// Ends the process: its input closes, it finishes and exits.
    func close() {
        try? input.close()
        process.waitUntilExit()
        LiveProcesses.shared.ended(process)
        try? FileManager.default.removeItem(atPath: errorLog)
    }

    private func readLine() throws(ScenarioError) -> String {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                return line
            }
            let more = output.availableData
            guard !more.isEmpty else {
                throw ScenarioError("live", "outpost partner-api batch ended without an answer: \(stderrTail())")
            }
            pending.append(more)
        }
    }

    private func stderrTail() -> String {
        ((try? String(contentsOfFile: errorLog, encoding: .utf8)) ?? "").split(separator: "\n").suffix(3)
            .joined(separator: " | ")
    }
}
