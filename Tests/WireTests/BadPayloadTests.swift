import Causality
import Foundation
import InboxModel
import SwiftProtobuf
import Testing
@testable import Wire

/// Payloads with an honest frame around them that are not a valid `Frame`: garbage protobuf, then
/// valid protobuf that breaks a rule of WIRE_FORMAT.md or OPS.md. Each is refused whole.
@Suite("Bad frames: payload and content")
struct BadPayloadTests {
    /// The every-kind ops as one table-sharing protobuf batch, to break one field at a time;
    /// ``frame(_:)`` sends each op as its own payload with the whole tables.
    static var batch: Outpost_V1_OpBatch {
        var batch = BatchEncoder.encode(WireVectorTests.everyKind)
        batch.batch = 1
        return batch
    }

    /// A frame of `batch`: batch 1, each op of it a payload with the batch's tables and base wall.
    static func frame(_ batch: Outpost_V1_OpBatch) -> Outpost_V1_Frame {
        var wire = Outpost_V1_OpBatch()
        wire.batch = batch.batch
        wire.more = batch.more
        wire.payloads = batch.ops.map { op in
            var payload = batch  // its tables, base wall and any unknown fields
            payload.batch = 0
            payload.more = false
            payload.ops = [op]
            return try! payload.serializedData()
        }
        var frame = Outpost_V1_Frame()
        frame.body = .ops(wire)
        return frame
    }

    /// The index of the op of `kind` in ``batch``.
    static func index(of kind: OpKind) -> Int {
        WireVectorTests.everyKind.firstIndex { $0.kind == kind }!
    }

    /// Expects `frame` (wrapped honestly, uncompressed and deflated) to be refused as
    /// `invalidContent` whose message contains `reason`.
    static func expectInvalid(_ frame: Outpost_V1_Frame, _ reason: String,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        let opCount: UInt32
        if case .ops(let batch) = frame.body { opCount = UInt32(batch.payloads.count) } else { opCount = 0 }
        let payload: [UInt8] = try frame.serializedBytes()
        for raw in [RawFrame(payload: payload, opCount: opCount), try RawFrame(deflating: payload, opCount: opCount)] {
            expectRefused(raw.bytes, code: "frame_invalid", sourceLocation: sourceLocation) {
                if case .invalidContent(let why) = $0 { why.contains(reason) } else { false }
            }
        }
    }

    static func expectInvalid(_ batch: Outpost_V1_OpBatch, _ reason: String,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        try expectInvalid(frame(batch), reason, sourceLocation: sourceLocation)
    }

    @Test("the unbroken batch decodes (the baseline for every case below)")
    func baseline() throws {
        let payload: [UInt8] = try Self.frame(Self.batch).serializedBytes()
        let message = try FrameCodec.decode(RawFrame(payload: payload,
                                                      opCount: UInt32(WireVectorTests.everyKind.count)).bytes)
        guard case .ops(let batch) = message else { Issue.record("not a batch"); return }
        #expect(batch.batch == 1 && !batch.more)
        #expect(try batch.ops.map { try $0.decoded() } == WireVectorTests.everyKind)
    }

    @Test("an op payload carries no field this schema lacks, however deep: its bytes are stored and forwarded")
    func unknownFieldsInPayloads() throws {
        let unknown: [UInt8] = [0x9A, 0x06, 0x02, 0x68, 0x69]  // field 99 = "hi"
        var batch = Self.batch
        try batch.ops[2].merge(serializedBytes: unknown)
        try Self.expectInvalid(batch, "op 2 of the batch: an op carries a field")
        batch = Self.batch
        let post = Self.index(of: .postMessage)
        guard case .postMessage(var body) = batch.ops[post].body else { Issue.record("not a post"); return }
        try body.conversation.merge(serializedBytes: unknown)
        batch.ops[post].body = .postMessage(body)
        try Self.expectInvalid(batch, "op \(post) of the batch: a dot carries a field")
        batch = Self.batch
        try batch.merge(serializedBytes: unknown)
        try Self.expectInvalid(batch, "op payload carries a field")
        // A payload starting with `{` (field 15 as a group): once the journal's JSON marker.
        var frame = Self.frame(Self.batch)
        guard case .ops(var wire) = frame.body else { Issue.record(); return }
        wire.payloads[0] = Data([0x7B, 0x7C]) + wire.payloads[0]
        frame.body = .ops(wire)
        try Self.expectInvalid(frame, "op 0 of the batch: op payload carries a field")
    }

    @Test("a frame's batch carries its ops only as payloads; a payload sets no frame field")
    func batchForms() throws {
        // The table-sharing form of protocol version 1, as a frame.
        var frame = Outpost_V1_Frame()
        frame.body = .ops(Self.batch)
        let payload: [UInt8] = try frame.serializedBytes()
        expectRefused(RawFrame(payload: payload, opCount: UInt32(Self.batch.ops.count)).bytes, code: "frame_invalid") {
            $0 == .invalidContent("a batch carries its ops as payloads (protocol version 2)")
        }
        var one = Outpost_V1_OpBatch()
        one.replicas = Self.batch.replicas
        one.principals = Self.batch.principals
        one.baseWall = Self.batch.baseWall
        one.ops = [Self.batch.ops[0]]
        for edit in [{ (p: inout Outpost_V1_OpBatch) in p.batch = 3 }, { $0.more = true },
                     { $0.payloads = [Data()] }] {
            var bad = one
            edit(&bad)
            var wire = Outpost_V1_OpBatch()
            wire.batch = 1
            wire.payloads = [try bad.serializedData()]
            frame.body = .ops(wire)
            try Self.expectInvalid(frame, "op 0 of the batch: an op payload sets a frame's batch fields")
        }
        var two = one
        two.ops.append(Self.batch.ops[1])
        var wire = Outpost_V1_OpBatch()
        wire.batch = 1
        wire.payloads = [try two.serializedData()]
        frame.body = .ops(wire)
        try Self.expectInvalid(frame, "op 0 of the batch: an op payload holds 2 ops")
    }

    // MARK: Not protobuf

    @Test("a payload that is not protobuf", arguments: [
        [UInt8(0xFF), 0xFF, 0xFF, 0xFF],  // a varint key that never ends
        [0x0F],  // field 1, wire type 7 (none such)
        [0x08, 0xFF],  // a truncated varint
        [0x1A, 0x10, 0x00],  // field 3 (ops), 16 bytes announced, 1 there
        [0x0A, 0x02, 0x1A, 0x05],  // hello whose field 3 (brand) is cut short
        [0x2A, 0x04, 0x0A, 0x02, 0xC3, 0x28],  // error whose code is not UTF-8
        [0x00],  // field number 0
    ])
    func garbage(payload: [UInt8]) {
        expectRefused(RawFrame(payload: payload).bytes, code: "frame_malformed", isMalformedPayload)
    }

    @Test("messages nested deeper than 16 levels, even in an unknown field")
    func tooDeep() {
        // Field 15 (unknown to Frame) as groups nested 40 deep: 40 start-group keys, then 40 end-group keys.
        let deep = [UInt8](repeating: 0x7B, count: 40) + [UInt8](repeating: 0x7C, count: 40)
        expectRefused(RawFrame(payload: deep).bytes, code: "frame_malformed", isMalformedPayload)
        // Nested 10 deep it is an unknown field, skipped: what remains is a frame without a body.
        let shallow = [UInt8](repeating: 0x7B, count: 10) + [UInt8](repeating: 0x7C, count: 10)
        expectRefused(RawFrame(payload: shallow).bytes, code: "frame_invalid") {
            $0 == .invalidContent("the frame has no body")
        }
    }

    @Test("unknown fields are ignored (WIRE_FORMAT.md, versioning)")
    func unknownFieldsIgnored() throws {
        let hello = WireVectorTests.definitions["hello"]!.1
        var frame = ProtoConversion.frame(hello)
        try frame.merge(serializedBytes: [0xF8, 0x07, 0x01] as [UInt8])  // field 127 = 1
        guard case .hello(var proto) = frame.body else { Issue.record(); return }
        try proto.merge(serializedBytes: [0x9A, 0x06, 0x02, 0x68, 0x69] as [UInt8])  // field 99 = "hi"
        frame.body = .hello(proto)
        let payload: [UInt8] = try frame.serializedBytes()
        #expect(payload.count == (try ProtoConversion.frame(hello).serializedBytes() as [UInt8]).count + 8)
        #expect(try FrameCodec.decode(RawFrame(payload: payload).bytes) == hello)
    }

    @Test("an op of a kind this build does not know (a new oneof case) refuses the batch")
    func unknownOpKind() throws {
        var batch = Self.batch
        batch.ops[2].body = nil
        try batch.ops[2].merge(serializedBytes: [0xF2, 0x01, 0x02, 0x0A, 0x00] as [UInt8])  // field 30: {1: ""}
        try Self.expectInvalid(batch, "op 2 of the batch: an op carries a field this protocol version does not define")
    }

    // MARK: Valid protobuf, broken rules

    @Test("a frame with no body, and an op with no body")
    func missingBodies() throws {
        expectRefused(RawFrame(payload: []).bytes, code: "frame_invalid") { $0 == .invalidContent("the frame has no body") }
        var batch = Self.batch
        batch.ops[0].body = nil
        try Self.expectInvalid(batch, "op 0 of the batch: the op has no body")
    }

    @Test("table indexes out of range: an op's replica, a dot's replica, an actor")
    func indexesOutOfRange() throws {
        var batch = Self.batch
        batch.ops[0].replica = UInt32(batch.replicas.count)
        try Self.expectInvalid(batch, "replica index \(batch.replicas.count) out of range")

        batch = Self.batch
        let save = Self.index(of: .saveDraft)
        #expect(!batch.ops[save].deps.isEmpty)
        batch.ops[save].deps[0].replica = 1_000
        try Self.expectInvalid(batch, "replica index 1000 out of range")

        batch = Self.batch
        let post = Self.index(of: .postMessage)
        guard case .postMessage(var body) = batch.ops[post].body else { Issue.record("not a post"); return }
        body.conversation.replica = UInt32.max
        batch.ops[post].body = .postMessage(body)
        try Self.expectInvalid(batch, "replica index \(UInt32.max) out of range")

        batch = Self.batch
        batch.ops[3].actor = UInt32(batch.principals.count)
        try Self.expectInvalid(batch, "actor index \(batch.principals.count) out of range")
    }

    @Test("counter 0 in an op or a dot")
    func counterZero() throws {
        var batch = Self.batch
        batch.ops[2].counter = 0
        try Self.expectInvalid(batch, "op 2 of the batch: the op has counter 0")

        batch = Self.batch
        let read = Self.index(of: .markRead)
        guard case .markRead(var body) = batch.ops[read].body else { Issue.record("not a read"); return }
        body.clears[0].counter = 0
        batch.ops[read].body = .markRead(body)
        try Self.expectInvalid(batch, "dot with counter 0")
    }

    @Test("bad tables: a repeated replica, replica 0 or above 2^63-1, a principal that does not parse")
    func badTables() throws {
        var batch = Self.batch
        batch.replicas.append(batch.replicas[0])
        try Self.expectInvalid(batch, "repeated replica in table")
        for bad: UInt64 in [0, UInt64(Int64.max) + 1, .max] {
            batch = Self.batch
            batch.replicas[1] = bad
            try Self.expectInvalid(batch, "replica id \(bad) is out of range")
        }
        for bad in ["root", "user:", "user:Dana", "partner:p1 oak", "Platform", ""] {
            batch = Self.batch
            batch.principals[0] = bad
            try Self.expectInvalid(batch, "bad principal")
        }
    }

    @Test("version vectors: unsorted, repeated, zero counters, replica 0")
    func badVectors() throws {
        func entry(_ replica: UInt64, _ counter: UInt64) -> Outpost_V1_VectorEntry {
            var entry = Outpost_V1_VectorEntry()
            entry.replica = replica
            entry.counter = counter
            return entry
        }
        let cases: [([Outpost_V1_VectorEntry], String)] = [
            ([entry(0xd1, 3), entry(1, 5)], "sorted by replica"),
            ([entry(1, 5), entry(1, 6)], "sorted by replica"),
            ([entry(0, 5)], "sorted by replica"),
            ([entry(1, 5), entry(0xd1, 0)], "counter 0"),
            ([entry(UInt64(Int64.max) + 1, 1)], "out of range"),
        ]
        for (entries, reason) in cases {
            var vector = Outpost_V1_VersionVector()
            vector.entries = entries
            var hello = Outpost_V1_Hello()
            hello.protocolVersion = 1
            hello.replica = 0xd1
            hello.brand = "northwind"
            hello.have = vector
            var welcome = Outpost_V1_Welcome()
            welcome.serverReplica = 1
            welcome.have = vector
            var ack = Outpost_V1_Ack()
            ack.have = vector
            for body in [Outpost_V1_Frame.OneOf_Body.hello(hello), .welcome(welcome), .ack(ack)] {
                var frame = Outpost_V1_Frame()
                frame.body = body
                try Self.expectInvalid(frame, reason)
            }
        }
    }

    @Test("unknown or unspecified enum values")
    func unknownEnums() throws {
        var batch = Self.batch
        let partner = Self.index(of: .upsertPartner)
        for status in [Outpost_V1_PartnershipStatus.unspecified, .UNRECOGNIZED(9)] {
            guard case .upsertPartner(var body) = Self.batch.ops[partner].body else { Issue.record(); return }
            body.status = status
            batch = Self.batch
            batch.ops[partner].body = .upsertPartner(body)
            try Self.expectInvalid(batch, "unknown partnership status")
        }
        let start = Self.index(of: .startConversation)
        for kind in [Outpost_V1_ConversationKind.unspecified, .UNRECOGNIZED(4)] {
            guard case .startConversation(var body) = Self.batch.ops[start].body else { Issue.record(); return }
            body.kind = kind
            batch = Self.batch
            batch.ops[start].body = .startConversation(body)
            try Self.expectInvalid(batch, "unknown conversation kind")
        }
        let delivery = Self.index(of: .setDelivery)
        for state in [Outpost_V1_DeliveryState.unspecified, .UNRECOGNIZED(-1)] {
            guard case .setDelivery(var body) = Self.batch.ops[delivery].body else { Issue.record(); return }
            body.state = state
            batch = Self.batch
            batch.ops[delivery].body = .setDelivery(body)
            try Self.expectInvalid(batch, "unknown delivery state")
        }
    }

    @Test("missing required fields: conversations, draft keys, a delivery's message")
    func missingFields() throws {
        func broken(_ kind: OpKind, _ edit: (inout Outpost_V1_Op.OneOf_Body) -> Void) -> Outpost_V1_OpBatch {
            var batch = Self.batch
            let index = Self.index(of: kind)
            var body = batch.ops[index].body!
            edit(&body)
            batch.ops[index].body = body
            return batch
        }
        try Self.expectInvalid(broken(.postMessage) {
            if case .postMessage(var v) = $0 { v.clearConversation(); $0 = .postMessage(v) }
        }, "conversation is missing")
        try Self.expectInvalid(broken(.markRead) {
            if case .markRead(var v) = $0 { v.clearConversation(); $0 = .markRead(v) }
        }, "conversation is missing")
        try Self.expectInvalid(broken(.markUnread) {
            if case .markUnread(var v) = $0 { v.clearConversation(); $0 = .markUnread(v) }
        }, "conversation is missing")
        try Self.expectInvalid(broken(.saveDraft) {
            if case .saveDraft(var v) = $0 { v.clearKey(); $0 = .saveDraft(v) }
        }, "draft key is missing")
        try Self.expectInvalid(broken(.saveDraft) {
            if case .saveDraft(var v) = $0 { v.key.clearDot(); $0 = .saveDraft(v) }
        }, "draft key is missing")
        try Self.expectInvalid(broken(.discardDraft) {
            if case .discardDraft(var v) = $0 { v.clearKey(); $0 = .discardDraft(v) }
        }, "draft key is missing")
        try Self.expectInvalid(broken(.setDelivery) {
            if case .setDelivery(var v) = $0 { v.clearMessage(); $0 = .setDelivery(v) }
        }, "message is missing")
        // The compose start's draft key without its dot.
        var batch = Self.batch
        let compose = WireVectorTests.everyKind.firstIndex {
            if case .startConversation(let start) = $0.body { start.draft != nil } else { false }
        }!
        guard case .startConversation(var start) = batch.ops[compose].body else { Issue.record(); return }
        start.draft.clearDot()
        batch.ops[compose].body = .startConversation(start)
        try Self.expectInvalid(batch, "draft key is missing")
    }

    @Test("ids that do not parse")
    func badIDs() throws {
        var hello = Outpost_V1_Hello()
        hello.replica = 0xd1
        hello.brand = "Northwind!"
        var frame = Outpost_V1_Frame()
        frame.body = .hello(hello)
        try Self.expectInvalid(frame, "bad brand id")
        hello.brand = "northwind"
        hello.user = "Dana"
        frame.body = .hello(hello)
        try Self.expectInvalid(frame, "bad user id")
        hello.user = ""
        hello.replica = 0
        frame.body = .hello(hello)
        try Self.expectInvalid(frame, "replica id 0 is out of range")

        var batch = Self.batch
        guard case .setBrand(var brand) = batch.ops[0].body else { Issue.record(); return }
        brand.id = String(repeating: "a", count: 65)
        batch.ops[0].body = .setBrand(brand)
        try Self.expectInvalid(batch, "bad id")
    }

    @Test("bad stamps: a negative offset, or a wall beyond 2^63-1")
    func badStamps() throws {
        var batch = Self.batch
        batch.ops[1].wall = -1
        try Self.expectInvalid(batch, "op 1 of the batch: the op has a bad stamp")
        batch = Self.batch
        batch.baseWall = UInt64(Int64.max)
        try Self.expectInvalid(batch, "has a bad stamp")
        batch = Self.batch
        batch.baseWall = .max
        batch.ops[0].wall = 1
        try Self.expectInvalid(batch, "op 0 of the batch: the op has a bad stamp")
    }

    @Test("a read marker naming one replica twice")
    func markerRepeats() throws {
        var batch = Self.batch
        let read = Self.index(of: .markRead)
        guard case .markRead(var body) = batch.ops[read].body else { Issue.record(); return }
        body.marker.append(body.marker[0])
        batch.ops[read].body = .markRead(body)
        try Self.expectInvalid(batch, "marker repeats a replica")
    }

    @Test("ops that fail Op.validate()")
    func invalidOps() throws {
        let user = UInt32(Self.batch.principals.firstIndex(of: "user:dana")!)
        let partner = UInt32(Self.batch.principals.firstIndex(of: "partner:p1-juniper-oak")!)
        let delivery = Self.index(of: .setDelivery)

        var batch = Self.batch
        batch.ops[delivery].actor = user
        try Self.expectInvalid(batch, "op \(delivery) of the batch: op 1:5: only the platform writes")

        batch = Self.batch
        let unread = Self.index(of: .markUnread)
        batch.ops[unread].actor = partner
        try Self.expectInvalid(batch, "read state and drafts belong to a brand user")

        batch = Self.batch
        let post = Self.index(of: .postMessage)
        guard case .postMessage(var body) = batch.ops[post].body else { Issue.record(); return }
        body.body = " \n\t "
        batch.ops[post].body = .postMessage(body)
        try Self.expectInvalid(batch, "message is empty")

        body.body = String(repeating: "x", count: OpLimits.maxBodyBytes + 1)
        batch.ops[post].body = .postMessage(body)
        try Self.expectInvalid(batch, "message is longer than")

        batch = Self.batch
        // A dep naming the op's own replica.
        batch.ops[post].deps = [batch.ops[post].deps.first ?? Outpost_V1_Dot()]
        batch.ops[post].deps[0].replica = batch.ops[post].replica
        batch.ops[post].deps[0].counter = 1
        try Self.expectInvalid(batch, "deps must not name the op's own replica")

        batch = Self.batch
        let start = WireVectorTests.everyKind.firstIndex {
            if case .startConversation(let start) = $0.body { start.inquiry != nil } else { false }
        }!
        guard case .startConversation(var inquiry) = batch.ops[start].body else { Issue.record(); return }
        inquiry.clearInquiry()
        batch.ops[start].body = .startConversation(inquiry)
        try Self.expectInvalid(batch, "a Customer Inquiry, and only one, carries the customer message")

        batch = Self.batch
        let discard = Self.index(of: .discardDraft)
        guard case .discardDraft(var drop) = batch.ops[discard].body else { Issue.record(); return }
        drop.supersedes = Array(repeating: drop.supersedes[0], count: OpLimits.maxSupersedes + 1)
        batch.ops[discard].body = .discardDraft(drop)
        try Self.expectInvalid(batch, "supersedes more than")
    }

    @Test("a refused frame is refused whole: one bad op among good ones")
    func refusedWhole() throws {
        var batch = Self.batch
        batch.ops.append(batch.ops[batch.ops.count - 1])
        batch.ops[batch.ops.count - 1].logical = 0
        batch.ops[batch.ops.count - 1].counter = 0
        try Self.expectInvalid(batch, "op \(batch.ops.count - 1) of the batch: the op has counter 0")
    }
}
