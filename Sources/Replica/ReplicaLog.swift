public import Logging

/// The replica's logger (label `outpost.replica`). Hosts choose where logs go with
/// `LoggingSystem.bootstrap`; the CLI sends them to stderr.
public enum ReplicaLog {
    public static let logger = Logger(label: "outpost.replica")
}
