import Causality
import Foundation
import InboxModel
import OutpostTestSupport
import Testing
@testable import Wire

/// The wire vectors of `Protocol/vectors/wire/`: `NAME.json` says what the frame carries, `NAME.bin`
/// holds its exact bytes. The definitions below are the source; `OUTPOST_WRITE_VECTORS=1` rewrites the
/// files from them. Normally the tests only read: every `.bin` must decode to its `.json`, and
/// re-encode to the same bytes.
@Suite("Wire vectors")
struct WireVectorTests {
    static let folder = VectorFiles.folder("wire")

    /// The names of the committed vectors (`NAME` of each `NAME.json`).
    static var committedNames: [String] {
        ((try? VectorFiles.files(in: folder, extension: "json")) ?? []).map {
            $0.deletingPathExtension().lastPathComponent
        }
    }

    @Test("the committed vectors are exactly the defined ones (OUTPOST_WRITE_VECTORS=1 rewrites them)")
    func definitionsMatchFiles() throws {
        let definitions = Self.definitions
        if VectorFiles.shouldWrite {
            for (name, (description, message)) in definitions {
                let bytes = try FrameCodec.encode(message)
                let file = WireVectorFile(description: description, header: try WireVectorHeader(frame: bytes),
                                          message: WireVectorMessage(message))
                try VectorFiles.write(try VectorFiles.json(file), to: Self.folder.appendingPathComponent("\(name).json"))
                try VectorFiles.write(bytes, to: Self.folder.appendingPathComponent("\(name).bin"))
            }
        }
        #expect(Set(Self.committedNames) == Set(definitions.keys))
        for (name, (description, message)) in definitions.sorted(by: { $0.key < $1.key }) {
            let json = try VectorFiles.bytes(Self.folder.appendingPathComponent("\(name).json"))
            let file = try JSONDecoder().decode(WireVectorFile.self, from: Data(json))
            #expect(file.description == description, "\(name)")
            #expect(file.message.message == message, "\(name): the JSON differs from the definition")
        }
    }

    @Test("a vector's .bin decodes to its .json and re-encodes byte for byte", arguments: committedNames)
    func vector(name: String) throws {
        let json = try VectorFiles.bytes(Self.folder.appendingPathComponent("\(name).json"))
        let file = try JSONDecoder().decode(WireVectorFile.self, from: Data(json))
        let bin = try VectorFiles.bytes(Self.folder.appendingPathComponent("\(name).bin"))
        #expect(try FrameCodec.decode(bin) == file.message.message)
        #expect(try WireVectorHeader(frame: bin) == file.header)
        #expect(try FrameCodec.frameLength(Array(bin.prefix(FrameCodec.headerSize))) == bin.count)
        // zlib is deterministic for one input, level and library version, so deflated vectors also
        // re-encode byte for byte here (zlib 1.2.13); see Protocol/vectors/README.md.
        let encoded = try FrameCodec.encode(file.message.message)
        #expect(encoded == bin, "\(name): re-encoding differs from the committed bytes")
        if file.header.deflated {
            // What a port with another zlib would compare instead: the inflated payloads.
            let header = try FrameHeader(bin, limits: .default)
            let mine = try FrameHeader(encoded, limits: .default)
            let committedPayload = try Zlib.inflate(bin[FrameCodec.headerSize...], expectedSize: header.decodedLength)
            let encodedPayload = try Zlib.inflate(encoded[FrameCodec.headerSize...], expectedSize: mine.decodedLength)
            #expect(committedPayload == encodedPayload)
            #expect(mine.checksum == header.checksum && mine.opCount == header.opCount)
        }
    }

    @Test("the vectors cover every frame type, every op kind, a deflated and an uncompressed batch")
    func coverage() throws {
        let messages = Self.definitions.values.map(\.1)
        var types: Set<String> = []
        var kinds: Set<OpKind> = []
        var sawInquiry = false, sawCompose = false, sawEmptyLast = false
        for message in messages {
            switch message {
            case .hello: types.insert("hello")
            case .welcome: types.insert("welcome")
            case .ack: types.insert("ack")
            case .error: types.insert("error")
            case .ops(let batch):
                types.insert("ops")
                if batch.ops.isEmpty && !batch.more { sawEmptyLast = true }
                for op in batch.ops.compactMap(\.op) {
                    kinds.insert(op.kind)
                    if case .startConversation(let start) = op.body {
                        if start.inquiry != nil { sawInquiry = true }
                        if start.draft?.isCompose == true { sawCompose = true }
                    }
                }
            }
        }
        #expect(types == ["hello", "welcome", "ops", "ack", "error"])
        #expect(kinds == Set(OpKind.allCases))
        #expect(sawInquiry && sawCompose && sawEmptyLast)
        let flags = try messages.map { try FrameCodec.encode($0)[5] }
        #expect(flags.contains(0) && flags.contains(1))
    }

    // MARK: - Definitions

    static let server = ReplicaID(1)
    static let laptop = ReplicaID(0xd1)
    static let tablet = ReplicaID(0xd2)
    static let colleague = ReplicaID(0x5a)
    static let sam = UserID(rawValue: "sam")!
    static let brand = BrandID(rawValue: "northwind")!
    static let dana = UserID(rawValue: "dana")!
    static let partner = PartnerID(rawValue: "p1-juniper-oak")!
    static let base: UInt64 = 1_800_000_000_000
    static let inquiry = ConversationID(Dot(replica: server, counter: 4))

    static func vector(_ dots: Dot...) -> VersionVector {
        var vector = VersionVector()
        for dot in dots { vector.advance(dot) }
        return vector
    }

    /// One op of every kind, in a causal order: the server sets up a brand, a user, a partner and a
    /// Customer Inquiry; Dana's laptop composes a new conversation from a draft, answers, marks the
    /// inquiry unread and read again, saves and discards a draft; the server reports a failed delivery.
    static var everyKind: [Op] {
        let user = Principal.user(dana)
        let compose = DraftKey.compose(Dot(replica: laptop, counter: 1))
        return [
            TestOp.make(server, 1, wall: base, .platform, .setBrand(Brand(id: brand, name: "Northwind Traders"))),
            TestOp.make(server, 2, wall: base + 1, .platform,
               .upsertUser(User(id: dana, name: "Dana Whitfield", email: "dana@northwind.example"))),
            TestOp.make(server, 3, wall: base + 2, .platform, .upsertPartner(Partner(
                id: partner, name: "Juniper & Oak", contactEmail: "orders@juniper-oak.example", status: .active,
                statusSince: base - 86_400_000))),
            TestOp.make(server, 4, wall: base + 3, .partner(partner), .startConversation(StartConversation(
                kind: .inquiry, partner: partner, subject: CustomerInquiry.subject,
                inquiry: CustomerInquiry(customerName: "Léa Martin", customerEmail: "lea@example.com",
                                         storefront: "juniper-oak.example", product: "Walnut desk",
                                         text: "Does the walnut desk ship to Montréal?", askedAt: base - 60_000),
                body: "Forwarding a customer question."))),
            TestOp.make(laptop, 1, wall: base + 10, deps: [Dot(replica: server, counter: 4)], user,
                        .saveDraft(SaveDraft(
                key: compose, text: "Hi — the spring catalogue is attached.", partner: partner,
                subject: "Spring catalogue"))),
            TestOp.make(laptop, 2, wall: base + 11, user, .startConversation(StartConversation(
                kind: .direct, partner: partner, subject: "Spring catalogue",
                body: "Hi — the spring catalogue is attached.", draft: compose,
                supersedes: [Dot(replica: laptop, counter: 1)]))),
            TestOp.make(laptop, 3, wall: base + 12, user, .postMessage(PostMessage(
                conversation: inquiry, body: "Yes: 5–7 days to Canada, duties included ✓"))),
            TestOp.make(laptop, 4, wall: base + 13, user, .markUnread(MarkUnread(conversation: inquiry))),
            TestOp.make(laptop, 5, wall: base + 13, logical: 1, user, .markRead(MarkRead(
                conversation: inquiry,
                marker: vector(Dot(replica: server, counter: 4), Dot(replica: laptop, counter: 3)),
                clears: [Dot(replica: laptop, counter: 4)]))),
            TestOp.make(laptop, 6, wall: base + 14, user, .saveDraft(SaveDraft(
                key: .conversation(inquiry), text: "Also: free shipping over $500."))),
            TestOp.make(laptop, 7, wall: base + 14, logical: 1, user, .discardDraft(DiscardDraft(
                key: .conversation(inquiry), supersedes: [Dot(replica: laptop, counter: 6)]))),
            TestOp.make(server, 5, wall: base + 20, deps: [Dot(replica: laptop, counter: 7)], .platform,
                        .setDelivery(SetDelivery(
                message: MessageID(Dot(replica: laptop, counter: 3)), state: .failed, reason: "mailbox full"))),
            // A colleague's private op (a draft of Sam's), as the server sends it to Dana's devices.
            TestOp.make(colleague, 1, wall: base + 21, deps: [Dot(replica: server, counter: 5)], .user(sam), .redacted),
        ]
    }

    /// About 50 messages of a busy thread, from the partner (via the server) and two devices: large
    /// enough to be deflated.
    static var fiftyMessages: [Op] {
        let sentences = [
            "The pallet left the warehouse this morning.", "Can you confirm the delivery window?",
            "We moved the pickup to Thursday at 9.", "Invoice 2291 is attached, net 30 as agreed.",
            "Two cartons arrived damaged; photos to follow.", "The replacement parts ship tomorrow.",
            "Please use the side entrance, the dock is closed.", "Thanks, that works for us.",
        ]
        var ops: [Op] = []
        var counters: [ReplicaID: UInt64] = [server: 5, laptop: 7, tablet: 0]
        var last: Dot?
        for index in 0..<50 {
            let replica = [server, laptop, tablet][index % 3]
            counters[replica, default: 0] += 1
            let text = (0..<(2 + index % 5)).map { sentences[(index * 3 + $0) % sentences.count] }
                .joined(separator: " ") + " (\(index + 1)/50)"
            let actor: Principal = replica == server ? .partner(partner) : .user(dana)
            let deps = last.map { $0.replica == replica ? [] : [$0] } ?? []
            let dot = Dot(replica: replica, counter: counters[replica]!)
            ops.append(TestOp.make(replica, dot.counter, wall: base + 1_000 + UInt64(index) * 45_000,
                                   logical: UInt32(index % 2), deps: deps, actor, .postMessage(PostMessage(conversation: inquiry, body: text))))
            last = dot
        }
        return ops
    }

    static var definitions: [String: (String, WireMessage)] {
        let have = vector(Dot(replica: server, counter: 5), Dot(replica: laptop, counter: 7),
                          Dot(replica: tablet, counter: 3))
        return [
            "hello": ("Device d1 of user dana opens a session, announcing what it has and an 8 MiB frame limit.",
                      .hello(Hello(replica: laptop, brand: brand, user: dana, have: have, clockMs: base + 30_000,
                                   maxFrameBytes: 8 << 20))),
            "welcome": ("The server answers with what it has for this device and the default frame limit.",
                        .welcome(Welcome(serverReplica: server, have: have, clockMs: base + 30_002))),
            "hello-changes": ("Device d1 opens a session with its vector as changes against the base [1:5, d1:7, d2:3] "
                                + "(digest \(String(have.digest, radix: 16))): since then it made ops 8 and 9 (SPEC.md, "
                                + "Vector changes).",
                              .hello(Hello(replica: laptop, brand: brand, user: dana,
                                           changes: VectorChanges([laptop: 9]), base: have.digest,
                                           clockMs: base + 30_000))),
            "welcome-changes": ("The server's answer to hello-changes: its vector as changes against the hello's whole "
                                  + "vector [1:5, d1:9, d2:3]: it has a sixth op of its own and d1's ops only up to 7.",
                                .welcome(Welcome(serverReplica: server, have: VersionVector(), clockMs: base + 30_002,
                                                 haveChanges: VectorChanges([server: 6, laptop: 7])))),
            "welcome-resend": ("The server does not know the base a hello named: it asks for the hello again, whole.",
                               .welcome(Welcome(serverReplica: server, have: VersionVector(), clockMs: base + 30_002,
                                                resendHave: true))),
            "ack": ("The receiver has durably applied batch 2; `have` is its version vector after the commit.",
                    .ack(Ack(have: have, batch: 2))),
            "error": ("A refusal with a stable code; retrying the same request may succeed.",
                      .error(ErrorFrame(code: .frameChecksum,
                                        message: "checksum mismatch: header says 1c291ca3, payload has 0",
                                        retryable: true))),
            "ops-every-kind": ("Batch 1: one op of every kind, in a causal order, including a Customer Inquiry "
                                + "and a new conversation sent from a compose draft (key new:d1:1).",
                               .ops(try! OpBatch(batch: 1, encoding: everyKind, more: true))),
            "ops-single-message": ("Batch 1 with one reply: small, so sent uncompressed.",
                                   .ops(try! OpBatch(batch: 1, encoding: [TestOp.make(laptop, 8, wall: base + 40, .user(dana),
                                       .postMessage(PostMessage(conversation: inquiry, body: "See you Thursday.")))],
                                                more: false))),
            "ops-deflated-50": ("Batch 2: 50 messages of one thread from three replicas, deflated (zlib level 6).",
                                .ops(try! OpBatch(batch: 2, encoding: fiftyMessages, more: true))),
            "ops-empty-last": ("Batch 3: no ops and more = false: the sender has nothing more to send.",
                               .ops(try! OpBatch(batch: 3, encoding: [], more: false))),
        ]
    }
}
