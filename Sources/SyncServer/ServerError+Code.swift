public import Replica
public import Wire

extension ServerError {
    /// The stable code of a server error, with the HTTP status it is answered with. Every code is one
    /// row of Protocol/SERVER_API.md's error tables (a test holds the two together). Codes that the
    /// wire or the replica also use take their spelling from there.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code as it appears in the JSON body and in `outpost_errors_total{code=…}`.
        public let rawValue: String
        /// The HTTP status an endpoint answers this code with.
        public let status: Int

        private init(_ rawValue: String, _ status: Int) {
            self.rawValue = rawValue
            self.status = status
        }

        private init(_ wire: ErrorFrame.Code, _ status: Int) { self.init(wire.rawValue, status) }

        private init(_ replica: ReplicaError.Code, _ status: Int) { self.init(replica.rawValue, status) }

        public var description: String { rawValue }

        // HTTP: requests and frames.
        public static let badRequest = Code("bad_request", 400)
        public static let frameTruncated = Code(ErrorFrame.Code.frameTruncated, 400)
        public static let frameMalformed = Code(ErrorFrame.Code.frameMalformed, 400)
        public static let frameBomb = Code(ErrorFrame.Code.frameBomb, 400)
        public static let frameChecksum = Code(ErrorFrame.Code.frameChecksum, 400)
        public static let frameInvalid = Code(ErrorFrame.Code.frameInvalid, 400)
        public static let unsupportedVersion = Code(ErrorFrame.Code.unsupportedVersion, 400)
        public static let frameTooLarge = Code(ErrorFrame.Code.frameTooLarge, 413)
        public static let protocolViolation = Code(ErrorFrame.Code.protocolViolation, 400)
        // Who may do what.
        public static let unauthorized = Code(ErrorFrame.Code.unauthorized, 401)
        public static let codeInvalid = Code("code_invalid", 403)
        public static let forbidden = Code(ErrorFrame.Code.forbidden, 403)
        public static let partnerEnded = Code("partner_ended", 403)
        // What a request names.
        public static let unknownBrand = Code("unknown_brand", 404)
        public static let unknownPartner = Code(ReplicaError.Code.unknownPartner, 404)
        public static let invalidArgument = Code(ReplicaError.Code.invalidArgument, 400)
        public static let invalidOp = Code(ErrorFrame.Code.invalidOp, 400)
        public static let notFound = Code("not_found", 404)
        public static let methodNotAllowed = Code("method_not_allowed", 405)
        public static let idempotencyKeyReused = Code(ReplicaError.Code.idempotencyConflict, 422)
        // The server's limits.
        public static let tooLarge = Code("too_large", 413)
        public static let requestTimeout = Code("request_timeout", 408)
        public static let headersTooLarge = Code("headers_too_large", 431)
        public static let rateLimited = Code("rate_limited", 429)
        // The server itself.
        public static let storageError = Code(ErrorFrame.Code.storageError, 503)
        public static let `internal` = Code("internal", 500)
        // Admin commands (the `outpost admin` process, not HTTP; the status is the HTTP one it would have).
        public static let noData = Code("no_data", 404)
        public static let brandExists = Code("brand_exists", 409)
        public static let userExists = Code("user_exists", 409)
        public static let partnerExists = Code("partner_exists", 409)
        public static let unknownUser = Code("unknown_user", 404)
        public static let unknownDevice = Code("unknown_device", 404)
        public static let unknownToken = Code("unknown_token", 404)

        /// Every code, in the order of Protocol/SERVER_API.md's tables.
        public static let all: [Code] = [
            .badRequest, .frameTruncated, .frameMalformed, .frameBomb, .frameChecksum, .frameInvalid,
            .unsupportedVersion, .frameTooLarge, .protocolViolation, .unauthorized, .codeInvalid, .forbidden,
            .partnerEnded, .unknownBrand, .unknownPartner, .invalidArgument, .invalidOp, .notFound, .methodNotAllowed,
            .idempotencyKeyReused, .tooLarge, .requestTimeout, .headersTooLarge, .rateLimited, .storageError,
            .internal, .noData, .brandExists, .userExists, .partnerExists, .unknownUser, .unknownDevice, .unknownToken,
        ]

        /// The code of a frame that does not decode.
        public init(_ wire: ErrorFrame.Code) {
            self = Self.all.first { $0.rawValue == wire.rawValue } ?? .frameMalformed
        }

        /// The code a replica's refusal is answered with: a busy or failing replica is the server's
        /// `storage_error` (retry later), a missing conversation or message is `not_found`, the op
        /// checks and idempotency keep their codes, and any other refusal of an argument is
        /// `invalid_argument`.
        public init(_ replica: ReplicaError.Code) {
            switch replica {
            case .invalidOp: self = .invalidOp
            case .idempotencyConflict: self = .idempotencyKeyReused
            case .unknownPartner: self = .unknownPartner
            case .unknownConversation, .unknownMessage: self = .notFound
            case .locked, .storage, .corrupt, .notFound, .notAReplica, .schemaTooNew, .digestMismatch:
                self = .storageError
            default: self = .invalidArgument
            }
        }
    }
}
