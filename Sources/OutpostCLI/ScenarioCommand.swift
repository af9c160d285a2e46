import ArgumentParser
import Foundation
import Scenario

/// `outpost scenario`: the conflict-scenario harness (Protocol/SCENARIOS.md).
struct ScenarioCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenario",
        abstract: "Run conflict scenarios in a deterministic simulator, or fuzz random ones (Protocol/SCENARIOS.md).",
        discussion: """
            Scenarios run in one process: a virtual clock, a real replica file per device and for the server, the \
            real sync protocol over a simulated network with faults; or, with `scenario run --live`, with real \
            `outpost` processes and a real server on loopback. Exit status: 0 all passed, 1 a failure or a bad \
            scenario file, 64 a usage error.
            """,
        subcommands: [ScenarioRunCommand.self, ScenarioFuzzCommand.self]
    )
}

/// `outpost scenario run FILE…`.
struct ScenarioRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run scenario files; exit 1 if any expectation or invariant fails.",
        discussion: """
            A failing expectation is reported with its step, line, device, what was expected and what was found. \
            The same file and seed give the same run on every machine.
            """
    )

    @Argument(help: ArgumentHelp("Scenario files (YAML or JSON).", valueName: "file"))
    var files: [String]

    @Option(help: "The seed for network jitter and sync order (default: the file's `seed`, else 1).")
    var seed: UInt64?

    @Flag(help: "Print a step-by-step log of ops, frames and state.")
    var trace = false

    @Flag(help: "Print one JSON report per run (an array) instead of text.")
    var json = false

    @Flag(help: """
        Run with real processes on loopback instead of the simulator: an `outpost server`, and \
        `outpost enroll`, `sync`, `reply`, … for each device (offline = its link refuses connections; \
        a crash = kill -9; frame faults act on WebSocket frames in its link). SIGTERM or SIGINT kills \
        them, removes the run's files and exits 143 / 130.
        """)
    var live = false

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one scenario file") }
    }

    /// This executable, whose processes a live run starts.
    static var executable: String {
        Bundle.main.executablePath ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
    }

    func run() throws {
        // SIGTERM / SIGINT kill the live run's processes and remove its files (exit 143 / 130).
        if live { LiveStopSignals.install(command: "outpost scenario run") }
        var reports: [ScenarioReport] = []
        var broken: [ScenarioError] = []
        for file in files {
            do {
                let document = try ScenarioParser.load(path: file)
                let runner = ScenarioRunner(seed: seed, trace: trace, liveBinary: live ? Self.executable : nil)
                let report = try runner.run(document, file: file)
                LiveStopSignals.holdIfStopping()
                reports.append(report)
                if !json { Self.print(report) }
            } catch {
                // A stop kills the run's processes: what fails then is the stop's doing, not a finding.
                LiveStopSignals.holdIfStopping()
                broken.append(error)
                if !json { Output.stderr("error: \(error)") }
            }
        }
        LiveStopSignals.holdIfStopping()
        if json {
            try Output.json(ScenarioRunOutput(reports: reports,
                                              errors: broken.map { ScenarioFileError(file: $0.file, line: $0.line,
                                                                                     code: $0.code, message: $0.message) }))
        } else if files.count > 1 {
            let passed = reports.filter(\.passed).count
            Swift.print("\(passed) passed, \(reports.count - passed + broken.count) failed")
        }
        if !broken.isEmpty || reports.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }

    static func print(_ report: ScenarioReport) {
        for line in report.trace { Swift.print(line) }
        let place = report.file ?? report.name
        let mode = report.live ? ", live" : ""
        if report.passed {
            Swift.print("PASS \(place): \(report.name) (\(report.steps) steps, seed \(report.seed)\(mode))")
        } else {
            Swift.print("FAIL \(place): \(report.name) (seed \(report.seed)\(mode))")
            for failure in report.failures { Swift.print("  \(failure)") }
        }
    }
}

/// `--json` output of `scenario run`.
struct ScenarioRunOutput: Encodable {
    var reports: [ScenarioReport]
    var errors: [ScenarioFileError]
}

struct ScenarioFileError: Encodable {
    var file: String?
    var line: Int?
    var code: String
    var message: String
}

/// `outpost scenario fuzz`.
struct ScenarioFuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Run random scenarios; on a failure, shrink it and write a scenario file that replays it.",
        discussion: """
            Each run makes a random scenario from the seed and its number, checks the invariants of Protocol/SCENARIOS.md after \
            every step, and ends by healing the network, syncing every device and expecting convergence. The first \
            failure is shrunk and written to --out; `outpost scenario run FILE` replays it exactly.
            """
    )

    @Option(help: "Devices per scenario: N, or a range N-M.")
    var devices = "3-5"

    @Option(help: "Random steps per scenario.")
    var steps = 30

    @Option(help: "The seed of the first run.")
    var seed: UInt64 = 1

    @Option(help: "How many scenarios to run.")
    var runs = 100

    @Option(help: ArgumentHelp("Where to write the shrunk failing scenario.", valueName: "file"))
    var out = "scenario-failure.yaml"

    @Flag(help: "Do not shrink a failure (write it as generated).")
    var noShrink = false

    @Flag(help: """
        Run each scenario with real processes, as `scenario run --live` does (slower: seconds per \
        scenario). A failure is written as generated, not shrunk. SIGTERM or SIGINT kills the \
        processes, removes the run's files and exits 143 / 130.
        """)
    var live = false

    @Flag(help: "Print a JSON summary instead of text.")
    var json = false

    func validate() throws {
        guard parsedDevices != nil else { throw ValidationError("--devices must be N or N-M with 1 ≤ N ≤ M ≤ 20") }
        guard steps >= 0, steps <= 10_000 else { throw ValidationError("--steps must be 0 to 10000") }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
    }

    var parsedDevices: ClosedRange<Int>? {
        let parts = devices.split(separator: "-").compactMap { Int($0) }
        guard (1...2).contains(parts.count), parts.count == devices.split(separator: "-", omittingEmptySubsequences: false).count,
              let low = parts.first, let high = parts.last, low >= 1, low <= high, high <= 20 else { return nil }
        return low...high
    }

    func run() throws {
        guard let range = parsedDevices else { throw ExitCode(64) }
        if live { LiveStopSignals.install(command: "outpost scenario fuzz") }
        let fuzzer = Fuzzer(generator: ScenarioGenerator(devices: range, steps: steps), seed: seed, runs: runs,
                            liveBinary: live ? ScenarioRunCommand.executable : nil)
        let start = Date()
        let outcome: Fuzzer.Outcome
        do {
            outcome = try fuzzer.run(shrink: !noShrink) { index, _ in
                if !json, (index + 1) % (live ? 10 : 100) == 0 { Output.stderr("… \(index + 1) runs") }
            }
        } catch {
            LiveStopSignals.holdIfStopping()
            Output.stderr("error: \(error)")
            throw ExitCode(1)
        }
        LiveStopSignals.holdIfStopping()
        let seconds = Date().timeIntervalSince(start)
        guard let failure = outcome.failure else {
            if json {
                try Output.json(FuzzSummary(runs: outcome.runs, passed: true, seconds: seconds))
            } else {
                Swift.print("\(outcome.runs) passed, 0 failed (seed \(seed), \(String(format: "%.1f", seconds)) s)")
            }
            return
        }
        let written = outcome.shrunk ?? failure
        let yaml = ScenarioWriter.yaml(written.document)
        do {
            try yaml.write(toFile: out, atomically: true, encoding: .utf8)
        } catch {
            Output.stderr("error: cannot write \(out): \(error.localizedDescription)")
            throw ExitCode(1)
        }
        if json {
            try Output.json(FuzzSummary(runs: outcome.runs, passed: false, seconds: seconds, file: out,
                                        failures: written.report.failures, originalSteps: failure.document.steps.count,
                                        shrunkSteps: written.document.steps.count))
        } else {
            Swift.print("FAIL run \(outcome.runs) (\(failure.document.name)): \(failure.report.failures.first.map { "\($0)" } ?? "")")
            if outcome.shrunk == nil {
                Swift.print("not shrunk (\(written.document.steps.count) steps, \(written.document.devices.count) devices); "
                            + "written to \(out)")
            } else {
                Swift.print("shrunk from \(failure.document.steps.count) to \(written.document.steps.count) steps, "
                            + "\(written.document.devices.count) devices; written to \(out)")
            }
            for failure in written.report.failures { Swift.print("  \(failure)") }
            Swift.print("replay: outpost scenario run \(out)\(live ? " --live" : "") --trace")
        }
        throw ExitCode(1)
    }
}

struct FuzzSummary: Encodable {
    var runs: Int
    var passed: Bool
    var seconds: Double
    var file: String?
    var failures: [ScenarioFailure]?
    var originalSteps: Int?
    var shrunkSteps: Int?
}
