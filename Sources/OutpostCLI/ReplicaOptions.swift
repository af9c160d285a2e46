import ArgumentParser
import Foundation
import Replica
import SyncEngine

/// `--replica PATH`: which replica file a command works on.
struct ReplicaOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The replica file (default: $OUTPOST_REPLICA, else ~/.local/share/outpost/replica.sqlite).",
        valueName: "path"))
    var replica: String?

    /// The path this command uses.
    var path: String {
        if let replica { return replica }
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["OUTPOST_REPLICA"], !path.isEmpty { return path }
        return Self.defaultPath(environment: environment)
    }

    static func defaultPath(environment: [String: String]) -> String {
        let base: String
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty {
            base = data
        } else {
            base = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        }
        return base + "/outpost/replica.sqlite"
    }

    func open() throws(CLIError) -> Replica {
        do {
            return try Replica.open(at: path, clock: SystemClock.process)
        } catch where error.code == .notFound {
            throw CLIError("no replica at \(path); run `outpost demo --replica-only` to make one, or pass --replica PATH",
                           code: error.code.rawValue)
        } catch {
            throw CLIError(error)
        }
    }
}

/// A failure to report on stderr as one line, `error: … [code]`, with exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let message: String
    let code: String

    init(_ message: String, code: String = "invalid_argument") {
        self.message = message
        self.code = code
    }

    /// A failure with one of the replica's stable codes.
    init(_ message: String, code: ReplicaError.Code) {
        self.init(message, code: code.rawValue)
    }

    init(_ error: ReplicaError) {
        self.init(error.message, code: error.code)
    }

    var description: String { "\(message) [\(code)]" }
}

/// Runs `body`, turning replica errors into one-line CLI errors.
func cli<T>(_ body: () throws -> T) throws(CLIError) -> T {
    do {
        return try body()
    } catch let error as ReplicaError {
        throw CLIError(error)
    } catch let error as CLIError {
        throw error
    } catch {
        throw CLIError("\(error)", code: "internal")
    }
}

/// Runs a user action that commits to the replica (`reply`, `read`, `draft`, …), as ``cli(_:)``;
/// once it has committed, a process armed with `OUTPOST_FAILPOINT=after-action` dies before it
/// prints anything (the scenario harness's `crash: … at: after-action`).
func act<T>(_ body: () throws -> T) throws(CLIError) -> T {
    let result = try cli(body)
    Failpoint.actionCommitted()
    return result
}
