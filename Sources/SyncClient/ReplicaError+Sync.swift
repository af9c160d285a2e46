public import Replica
public import Wire

extension ReplicaError: ReplicaErrorCoded {
    /// The code an error frame carries when a batch fails to apply: the replica's own code, which for
    /// the refusals of an apply (`invalid_op`, `storage_error`, `replica_locked`) is the wire's.
    public var syncCode: ErrorFrame.Code { ErrorFrame.Code(rawValue: code.rawValue) }

    /// A busy or failing disk may recover; an invalid op never will.
    public var isRetryable: Bool { code == .locked || code == .storage }
}
