import Causality
import Foundation
import InboxModel
import OutpostTestSupport
import Testing
@testable import Wire

/// Where the committed vectors live, found from this file (no SwiftPM resources), and the switch
/// that makes the vector tests (re)write them: `OUTPOST_WRITE_VECTORS=1 swift test …`.
enum VectorFiles {
    static let vectors = Repository.url("Protocol/vectors")

    static func folder(_ name: String) -> URL { vectors.appendingPathComponent(name) }

    static var shouldWrite: Bool { ProcessInfo.processInfo.environment["OUTPOST_WRITE_VECTORS"] == "1" }

    /// The regular files of `folder` (not starting with `.`, not README.md), sorted by name.
    static func files(in folder: URL, extension ext: String? = nil) throws -> [URL] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        return names.filter { !$0.hasPrefix(".") && $0 != "README.md" && (ext == nil || $0.hasSuffix("." + ext!)) }
            .sorted().map { folder.appendingPathComponent($0) }
    }

    static func bytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

    static func write(_ bytes: [UInt8], to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url, options: .atomic)
    }

    /// Readable, stable JSON: sorted keys, two-space indentation, no escaped slashes, final newline.
    static func json(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return [UInt8](try encoder.encode(value)) + [0x0A]
    }
}

// MARK: - The JSON form of a wire vector (documented in Protocol/vectors/README.md)

/// One `wire/NAME.json`: what the frame in `NAME.bin` says, in readable form.
struct WireVectorFile: Codable, Equatable {
    /// What this vector shows.
    var description: String
    /// The header fields of the frame in `NAME.bin`, for readers checking their own encoder.
    var header: WireVectorHeader
    /// The message the frame carries.
    var message: WireVectorMessage
}

struct WireVectorHeader: Codable, Equatable {
    var version: UInt8
    var deflated: Bool
    var payloadLength: Int
    var decodedLength: Int
    var opCount: Int
    /// CRC-32 of the decoded payload, 8 lowercase hex digits.
    var checksum: String

    init(frame bytes: [UInt8]) throws {
        let header = try FrameHeader(bytes, limits: .default)
        version = bytes[4]
        deflated = header.deflated
        payloadLength = header.payloadLength
        decodedLength = header.decodedLength
        opCount = header.opCount
        checksum = hex32(header.checksum)
    }
}

func hex32(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 8 - digits.count) + digits
}

/// A ``WireMessage`` as `{"type": "hello" | "welcome" | "ops" | "ack" | "error", "value": {…}}`.
/// Ids use their text forms (Protocol/OPS.md); version vectors are sorted lists of dots; ops are in
/// the journal JSON form of OPS.md.
struct WireVectorMessage: Codable, Equatable {
    var message: WireMessage

    init(_ message: WireMessage) { self.message = message }

    private enum CodingKeys: String, CodingKey { case type, value }
    private enum Kind: String, Codable { case hello, welcome, ops, ack, error }

    struct HelloJSON: Codable {
        var protocolVersion: UInt32
        var replica: ReplicaID
        var brand: BrandID
        var user: UserID?
        var have: VersionVector
        var clockMs: UInt64
        var maxFrameBytes: UInt32
        /// Set only for a hello written as changes: the entries, and the base's digest in hex.
        var haveChanges: [ChangeJSON]?
        var haveBase: String?
        var vectorChanges: Bool?
    }

    struct WelcomeJSON: Codable {
        var protocolVersion: UInt32
        var serverReplica: ReplicaID
        var have: VersionVector
        var clockMs: UInt64
        var maxFrameBytes: UInt32
        var haveChanges: [ChangeJSON]?
        var resendHave: Bool?
    }

    /// One entry of a vector sent as changes (the counter may be 0).
    struct ChangeJSON: Codable {
        var replica: ReplicaID
        var counter: UInt64
    }

    static func changes(_ json: [ChangeJSON]?) -> VectorChanges? {
        json.map { VectorChanges(Dictionary(uniqueKeysWithValues: $0.map { ($0.replica, $0.counter) })) }
    }

    static func json(_ changes: VectorChanges?) -> [ChangeJSON]? {
        changes.map { $0.sorted.map { ChangeJSON(replica: $0.replica, counter: $0.counter) } }
    }

    struct OpsJSON: Codable {
        var batch: UInt64
        var more: Bool
        var ops: [Op]
    }

    struct AckJSON: Codable {
        var have: VersionVector
        var batch: UInt64
    }

    struct ErrorJSON: Codable {
        var code: String
        var message: String
        var retryable: Bool
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(Kind.self, forKey: .type) {
        case .hello:
            let v = try container.decode(HelloJSON.self, forKey: .value)
            var hello = Hello(protocolVersion: v.protocolVersion, replica: v.replica, brand: v.brand, user: v.user,
                              have: v.have, clockMs: v.clockMs, maxFrameBytes: v.maxFrameBytes,
                              vectorChanges: v.vectorChanges ?? false)
            hello.haveChanges = Self.changes(v.haveChanges)
            hello.haveBase = v.haveBase.flatMap { UInt64($0, radix: 16) } ?? 0
            message = .hello(hello)
        case .welcome:
            let v = try container.decode(WelcomeJSON.self, forKey: .value)
            message = .welcome(Welcome(protocolVersion: v.protocolVersion, serverReplica: v.serverReplica, have: v.have,
                                       clockMs: v.clockMs, maxFrameBytes: v.maxFrameBytes,
                                       haveChanges: Self.changes(v.haveChanges), resendHave: v.resendHave ?? false))
        case .ops:
            let v = try container.decode(OpsJSON.self, forKey: .value)
            message = .ops(try OpBatch(batch: v.batch, encoding: v.ops, more: v.more))
        case .ack:
            let v = try container.decode(AckJSON.self, forKey: .value)
            message = .ack(Ack(have: v.have, batch: v.batch))
        case .error:
            let v = try container.decode(ErrorJSON.self, forKey: .value)
            message = .error(ErrorFrame(code: ErrorFrame.Code(rawValue: v.code), message: v.message, retryable: v.retryable))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch message {
        case .hello(let m):
            try container.encode(Kind.hello, forKey: .type)
            try container.encode(HelloJSON(protocolVersion: m.protocolVersion, replica: m.replica, brand: m.brand,
                                           user: m.user, have: m.have, clockMs: m.clockMs,
                                           maxFrameBytes: m.maxFrameBytes, haveChanges: Self.json(m.haveChanges),
                                           haveBase: m.haveChanges == nil ? nil : String(m.haveBase, radix: 16),
                                           vectorChanges: m.vectorChanges ? true : nil), forKey: .value)
        case .welcome(let m):
            try container.encode(Kind.welcome, forKey: .type)
            try container.encode(WelcomeJSON(protocolVersion: m.protocolVersion, serverReplica: m.serverReplica,
                                             have: m.have, clockMs: m.clockMs, maxFrameBytes: m.maxFrameBytes,
                                             haveChanges: Self.json(m.haveChanges),
                                             resendHave: m.resendHave ? true : nil),
                                 forKey: .value)
        case .ops(let m):
            try container.encode(Kind.ops, forKey: .type)
            try container.encode(OpsJSON(batch: m.batch, more: m.more, ops: m.ops.map { try $0.decoded() }), forKey: .value)
        case .ack(let m):
            try container.encode(Kind.ack, forKey: .type)
            try container.encode(AckJSON(have: m.have, batch: m.batch), forKey: .value)
        case .error(let m):
            try container.encode(Kind.error, forKey: .type)
            try container.encode(ErrorJSON(code: m.code.rawValue, message: m.message, retryable: m.retryable), forKey: .value)
        }
    }
}

// MARK: - Raw frames, for tests that need a header or payload no encoder would write

/// Builds frame bytes field by field.
struct RawFrame {
    var magic: [UInt8] = [0x4F, 0x50, 0x53, 0x54]
    var version: UInt8 = 1
    var flags: UInt8 = 0
    var reserved: [UInt8] = [0, 0]
    var payloadLength: UInt32
    var decodedLength: UInt32
    var opCount: UInt32 = 0
    var checksum: UInt32
    var body: [UInt8]

    /// An uncompressed frame around `payload`, with honest lengths and checksum.
    init(payload: [UInt8], opCount: UInt32 = 0) {
        payloadLength = UInt32(payload.count)
        decodedLength = UInt32(payload.count)
        self.opCount = opCount
        checksum = Zlib.crc32(payload)
        body = payload
    }

    /// A deflated frame around `payload`, with honest lengths and checksum.
    init(deflating payload: [UInt8], opCount: UInt32 = 0) throws {
        let deflated = try Zlib.deflate(payload)
        flags = 1
        payloadLength = UInt32(deflated.count)
        decodedLength = UInt32(payload.count)
        self.opCount = opCount
        checksum = Zlib.crc32(payload)
        body = deflated
    }

    /// An uncompressed frame around the protobuf `frame`.
    init(_ frame: Outpost_V1_Frame, opCount: UInt32 = 0) throws {
        self.init(payload: try frame.serializedBytes(), opCount: opCount)
    }

    var bytes: [UInt8] {
        var out = magic + [version, flags] + reserved
        for value in [payloadLength, decodedLength, opCount, checksum] {
            out += [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
                    UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
        }
        return out + body
    }

    /// Just the 24-byte header.
    var header: [UInt8] { Array(bytes.prefix(FrameCodec.headerSize)) }
}
