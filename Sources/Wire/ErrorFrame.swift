/// A refusal, with a stable code (Protocol/SPEC.md, "Errors (codes)").
public struct ErrorFrame: Hashable, Sendable, Error {
    public var code: Code
    public var message: String
    public var retryable: Bool

    public init(code: Code, message: String, retryable: Bool) {
        self.code = code
        self.message = message
        self.retryable = retryable
    }

    /// The code of an error frame: a string on the wire. Every code this build sends is a constant
    /// here; a code a peer sends that is not one of them still decodes (`Code(rawValue:)`), so a newer
    /// peer's codes reach the user as they are.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The protocol or frame version is not spoken. Not retryable: upgrade.
        public static let unsupportedVersion = Code(rawValue: "unsupported_version")
        /// A message out of place or out of sequence (also: a text WebSocket message).
        public static let protocolViolation = Code(rawValue: "protocol_violation")
        /// Fewer bytes than the frame's header says.
        public static let frameTruncated = Code(rawValue: "frame_truncated")
        /// A frame whose header, compression or protobuf payload is broken.
        public static let frameMalformed = Code(rawValue: "frame_malformed")
        /// A frame over a wire limit (bytes, decoded bytes, ops).
        public static let frameTooLarge = Code(rawValue: "frame_too_large")
        /// A compressed payload over the decompression ratio limit.
        public static let frameBomb = Code(rawValue: "frame_bomb")
        /// A payload whose CRC-32 does not match the header.
        public static let frameChecksum = Code(rawValue: "frame_checksum")
        /// A payload that decoded but breaks a rule (a bad index, an id that does not parse).
        public static let frameInvalid = Code(rawValue: "frame_invalid")
        /// An op failed its checks at apply; nothing of the batch was applied.
        public static let invalidOp = Code(rawValue: "invalid_op")
        /// No token, a wrong one, or a device revoked while connected.
        public static let unauthorized = Code(rawValue: "unauthorized")
        /// A hello or op outside what the device's token allows.
        public static let forbidden = Code(rawValue: "forbidden")
        /// The receiver could not commit. Retryable.
        public static let storageError = Code(rawValue: "storage_error")
        /// The receiver's replica was held by another writer for too long. Retryable.
        public static let replicaLocked = Code(rawValue: "replica_locked")
        /// The server got no hello within its hello timeout. Retryable later.
        public static let helloTimeout = Code(rawValue: "hello_timeout")
        /// The server had no connection slot for the socket. Retryable later.
        public static let tooManyConnections = Code(rawValue: "too_many_connections")

        /// Not sent by a peer: a device's own name for a plain HTTP answer with `status` and no error body
        /// (`http_502`), so that it reports like a refusal.
        public static func httpStatus(_ status: Int) -> Code { Code(rawValue: "http_\(status)") }

        /// Every code this build sends, for the documentation's check.
        public static let all: [Code] = [
            .unsupportedVersion, .protocolViolation, .frameTruncated, .frameMalformed, .frameTooLarge, .frameBomb,
            .frameChecksum, .frameInvalid, .invalidOp, .unauthorized, .forbidden, .storageError, .replicaLocked,
            .helloTimeout, .tooManyConnections,
        ]
    }
}
