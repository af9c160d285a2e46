import Foundation
import NIOCore
import NIOPosix

/// The real `outpost server` process of a live run: started on a free loopback port with its data
/// in the run's directory, restarted (on the same port and data) when the scenario changes its
/// clock or arms a crash in it, killed with SIGKILL for a crash. While it runs it is in
/// ``LiveProcesses``, so that a stop of the harness (SIGTERM, SIGINT) kills it too.
final class LiveServer {
    let binary: String
    let data: String
    let port: Int
    private let log: String
    private let group: any EventLoopGroup
    private var process: Process?

    init(binary: String, directory: String, group: any EventLoopGroup) throws(ScenarioError) {
        self.binary = binary
        self.group = group
        data = (directory as NSString).appendingPathComponent("server-data")
        log = (directory as NSString).appendingPathComponent("server.log")
        port = try LivePorts.free(group)
        _ = FileManager.default.createFile(atPath: log, contents: nil)
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// The brand's replica file, which the harness reads beside the running server.
    func brandReplicaPath(_ brand: String) -> String {
        ((data as NSString).appendingPathComponent("brands") as NSString).appendingPathComponent("\(brand).sqlite")
    }

    /// Is there a server process that has ended by itself (a failpoint, or a failure)?
    var died: Bool { process.map { !$0.isRunning } ?? false }

    /// Whether the ended process was killed with SIGKILL.
    var diedKilled: Bool {
        guard let process, !process.isRunning else { return false }
        return process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL
    }

    /// Starts the server with `environment` on top of this process's, and waits until it accepts
    /// connections.
    func start(environment: [String: String]) throws(ScenarioError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["server", "--data", data, "--port", "\(port)", "--hold-mail"]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            handle.seekToEndOfFile()
            process.standardOutput = handle
            process.standardError = handle
            process.standardInput = FileHandle.nullDevice
            // Recorded until it is stopped, so that a stop of the harness (``LiveStopSignals``) kills it.
            try LiveProcesses.shared.launch(process)
        } catch {
            throw ScenarioError("live", "cannot start \(binary) server: \(error.localizedDescription)")
        }
        self.process = process
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if !process.isRunning {
                throw ScenarioError("live", "the server exited at start (status \(process.terminationStatus)): \(logTail())")
            }
            if accepts() { return }
            usleep(50_000)
        }
        throw ScenarioError("live", "the server did not listen on \(url) within 60 s: \(logTail())")
    }

    /// SIGTERM, and a wait for the graceful shutdown (SIGKILL after 20 s).
    func stop() {
        guard let process else { return }
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(20)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        self.process = nil
        LiveProcesses.shared.ended(process)
    }

    /// kill -9: no shutdown code runs.
    func kill9() {
        guard let process else { return }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        self.process = nil
        LiveProcesses.shared.ended(process)
    }

    /// Forgets a process that ended by itself.
    func reap() {
        guard let process else { return }
        process.waitUntilExit()
        self.process = nil
        LiveProcesses.shared.ended(process)
    }

    /// The end of the server's log, for error messages.
    func logTail() -> String {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(5).joined(separator: " | ")
    }

    private func accepts() -> Bool {
        guard let channel = try? ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port).wait() else {
            return false
        }
        try? channel.close().wait()
        return true
    }
}
