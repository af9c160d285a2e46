public import Replica

extension ReplicaError: ReplicaErrorCoded {
    /// The code an error frame carries when a batch fails to apply.
    public var syncCode: String { code.rawValue }

    /// A busy or failing disk may recover; an invalid op never will.
    public var isRetryable: Bool { code == .locked || code == .storage }
}
