import Foundation

/// One run of a real `outpost` process in live mode: its arguments, environment and standard input,
/// and what it did (exit status, or the signal that killed it, and its output).
struct LiveCommand {
    /// What the process did.
    struct Result {
        var status: Int32
        /// Killed by a signal (`status` is then the signal's number).
        var signalled: Bool
        var stdout: String
        var stderr: String

        var succeeded: Bool { !signalled && status == 0 }
        var killed: Bool { signalled && status == SIGKILL }

        /// The stable code at the end of the last error line (`… [code]`), if any.
        var errorCode: String? {
            guard let line = stderr.split(separator: "\n").last(where: { $0.hasSuffix("]") }),
                  let open = line.lastIndex(of: "[") else { return nil }
            return String(line[line.index(after: open)..<line.index(before: line.endIndex)])
        }

        /// The last line of stderr, for traces and failures.
        var lastError: String {
            stderr.split(separator: "\n").last.map(String.init) ?? (signalled ? "killed by signal \(status)" : "exit \(status)")
        }
    }

    let binary: String
    var arguments: [String]
    var environment: [String: String] = [:]
    var stdin: String?

    /// Runs the process to its end. Output goes through files, not pipes, so that a chatty process
    /// cannot block on a full pipe.
    func run(in directory: String) throws(ScenarioError) -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stem = (directory as NSString).appendingPathComponent("run-\(UUID().uuidString)")
        let out = URL(fileURLWithPath: stem + ".out"), err = URL(fileURLWithPath: stem + ".err")
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        do {
            _ = FileManager.default.createFile(atPath: out.path, contents: nil)
            _ = FileManager.default.createFile(atPath: err.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: out)
            process.standardError = try FileHandle(forWritingTo: err)
            let input = Pipe()
            process.standardInput = input
            // Recorded while it runs, so that a stop (``LiveStopSignals``) kills it.
            try LiveProcesses.shared.launch(process)
            // The text exactly as the scenario has it (`outpost` takes standard input byte for byte).
            if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
            try input.fileHandleForWriting.close()
            process.waitUntilExit()
            LiveProcesses.shared.ended(process)
            return Result(status: process.terminationStatus,
                          signalled: process.terminationReason == .uncaughtSignal,
                          stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
                          stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
        } catch {
            throw ScenarioError("live", "cannot run \(binary) \(arguments.joined(separator: " ")): \(error.localizedDescription)")
        }
    }

    /// The value of `key` in a JSON object the process printed.
    static func field(_ key: String, in json: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return nil }
        return object[key] as? String
    }
}
