import Causality
import Foundation
import InboxModel

/// Model ↔ protobuf. A batch's ops go as their payload bytes, unchanged; decoding checks every
/// payload (``OpPayload/decode(_:)``), index, id and enum and turns any violation into
/// ``WireError/invalidContent(_:)``.
enum ProtoConversion {
    // MARK: Model → proto

    static func frame(_ message: WireMessage) -> Outpost_V1_Frame {
        var frame = Outpost_V1_Frame()
        switch message {
        case .hello(let hello):
            var proto = Outpost_V1_Hello()
            proto.protocolVersion = hello.protocolVersion
            proto.replica = hello.replica.rawValue
            proto.brand = hello.brand.rawValue
            proto.user = hello.user?.rawValue ?? ""
            if let changes = hello.haveChanges {
                proto.have = vector(changes)
                proto.haveBase = hello.haveBase
            } else {
                proto.have = vector(hello.have)
            }
            proto.clockMs = hello.clockMs
            proto.maxFrameBytes = hello.maxFrameBytes
            proto.vectorChanges = hello.vectorChanges
            frame.body = .hello(proto)
        case .welcome(let welcome):
            var proto = Outpost_V1_Welcome()
            proto.protocolVersion = welcome.protocolVersion
            proto.serverReplica = welcome.serverReplica.rawValue
            if let changes = welcome.haveChanges {
                proto.have = vector(changes)
                proto.haveChanges = true
            } else {
                proto.have = vector(welcome.have)
            }
            proto.clockMs = welcome.clockMs
            proto.maxFrameBytes = welcome.maxFrameBytes
            proto.resendHave = welcome.resendHave
            frame.body = .welcome(proto)
        case .ops(let batch):
            var proto = Outpost_V1_OpBatch()
            proto.batch = batch.batch
            proto.more = batch.more
            proto.payloads = batch.ops.map { Data($0.bytes) }
            frame.body = .ops(proto)
        case .ack(let ack):
            var proto = Outpost_V1_Ack()
            proto.have = vector(ack.have)
            proto.batch = ack.batch
            frame.body = .ack(proto)
        case .error(let error):
            var proto = Outpost_V1_Error()
            proto.code = error.code.rawValue
            proto.message = error.message
            proto.retryable = error.retryable
            frame.body = .error(proto)
        }
        return frame
    }

    static func vector(_ vector: VersionVector) -> Outpost_V1_VersionVector {
        entries(vector.dots.map { (replica: $0.replica, counter: $0.counter) })
    }

    /// A vector as changes: the same message, where a counter may be 0.
    static func vector(_ changes: VectorChanges) -> Outpost_V1_VersionVector {
        entries(changes.sorted)
    }

    private static func entries(_ list: [(replica: ReplicaID, counter: UInt64)]) -> Outpost_V1_VersionVector {
        var proto = Outpost_V1_VersionVector()
        proto.entries = list.map { item in
            var entry = Outpost_V1_VectorEntry()
            entry.replica = item.replica.rawValue
            entry.counter = item.counter
            return entry
        }
        return proto
    }

    // MARK: Proto → model

    static func message(_ frame: Outpost_V1_Frame, limits: WireLimits) throws(WireError) -> WireMessage {
        switch frame.body {
        case .hello(let proto):
            guard let brand = BrandID(rawValue: proto.brand) else { throw WireError.invalidContent("bad brand id") }
            var user: UserID?
            if !proto.user.isEmpty {
                guard let parsed = UserID(rawValue: proto.user) else { throw WireError.invalidContent("bad user id") }
                user = parsed
            }
            if proto.haveBase != 0 {
                var hello = Hello(protocolVersion: proto.protocolVersion, replica: try replica(proto.replica), brand: brand,
                                  user: user, changes: try changes(proto.have), base: proto.haveBase,
                                  clockMs: proto.clockMs, maxFrameBytes: proto.maxFrameBytes)
                hello.vectorChanges = proto.vectorChanges
                return .hello(hello)
            }
            return .hello(Hello(
                protocolVersion: proto.protocolVersion, replica: try replica(proto.replica), brand: brand, user: user,
                have: try vector(proto.have), clockMs: proto.clockMs, maxFrameBytes: proto.maxFrameBytes,
                vectorChanges: proto.vectorChanges))
        case .welcome(let proto):
            return .welcome(Welcome(
                protocolVersion: proto.protocolVersion, serverReplica: try replica(proto.serverReplica),
                have: proto.haveChanges ? VersionVector() : try vector(proto.have), clockMs: proto.clockMs,
                maxFrameBytes: proto.maxFrameBytes, haveChanges: proto.haveChanges ? try changes(proto.have) : nil,
                resendHave: proto.resendHave))
        case .ops(let proto):
            guard proto.payloads.count <= limits.maxOps else {
                throw WireError.tooLarge(what: "op count", size: proto.payloads.count, limit: limits.maxOps)
            }
            // A frame's batch carries its ops as payloads only; the other fields belong to a payload.
            guard proto.ops.isEmpty, proto.replicas.isEmpty, proto.principals.isEmpty, proto.baseWall == 0 else {
                throw WireError.invalidContent("a batch carries its ops as payloads (protocol version 2)")
            }
            var ops: [EncodedOp] = []
            ops.reserveCapacity(proto.payloads.count)
            for (index, payload) in proto.payloads.enumerated() {
                do {
                    ops.append(try EncodedOp(decoding: [UInt8](payload)))
                } catch {
                    throw Self.inPayload(index, error)
                }
            }
            return .ops(OpBatch(batch: proto.batch, ops: ops, more: proto.more))
        case .ack(let proto):
            return .ack(Ack(have: try vector(proto.have), batch: proto.batch))
        case .error(let proto):
            return .error(ErrorFrame(code: ErrorFrame.Code(rawValue: proto.code), message: proto.message, retryable: proto.retryable))
        case nil:
            throw WireError.invalidContent("the frame has no body")
        }
    }

    /// `error` with the payload's index in its message.
    static func inPayload(_ index: Int, _ error: WireError) -> WireError {
        switch error {
        case .invalidContent(let why): .invalidContent("op \(index) of the batch: \(why)")
        case .malformedPayload(let why): .malformedPayload("op \(index) of the batch: \(why)")
        default: error
        }
    }

    static func replica(_ raw: UInt64) throws(WireError) -> ReplicaID {
        let id = ReplicaID(raw)
        guard id.isValid else { throw WireError.invalidContent("replica id \(raw) is out of range") }
        return id
    }

    /// A vector sent as changes: the same rules as a vector, except that a counter may be 0 (none).
    static func changes(_ proto: Outpost_V1_VersionVector) throws(WireError) -> VectorChanges {
        var changes: [ReplicaID: UInt64] = [:]
        changes.reserveCapacity(proto.entries.count)
        for (replica, counter) in try entries(proto, zeroAllowed: true) { changes[replica] = counter }
        return VectorChanges(changes)
    }

    static func vector(_ proto: Outpost_V1_VersionVector) throws(WireError) -> VersionVector {
        var vector = VersionVector()
        for (replica, counter) in try entries(proto, zeroAllowed: false) {
            vector.advance(Dot(replica: replica, counter: counter))
        }
        return vector
    }

    /// A vector's entries, checked: sorted by replica without repeats, valid replica ids, counters
    /// at most the largest a dot may have, and above 0 unless `zeroAllowed`.
    private static func entries(_ proto: Outpost_V1_VersionVector,
                                zeroAllowed: Bool) throws(WireError) -> [(ReplicaID, UInt64)] {
        var entries: [(ReplicaID, UInt64)] = []
        entries.reserveCapacity(proto.entries.count)
        var previous: UInt64 = 0
        for entry in proto.entries {
            guard entry.replica > previous else {
                throw WireError.invalidContent("version vector entries must be sorted by replica, without repeats")
            }
            guard zeroAllowed || entry.counter > 0 else {
                throw WireError.invalidContent("version vector entry with counter 0")
            }
            guard entry.counter <= Dot.maxCounter else {
                throw WireError.invalidContent("version vector counter \(entry.counter) is out of range")
            }
            previous = entry.replica
            entries.append((try replica(entry.replica), entry.counter))
        }
        return entries
    }
}
