import Causality
import InboxModel
import SyncEngine

/// Makes random scenarios for the fuzzer: 2 users, 2 partners, `devices` devices, `steps` random
/// steps (user actions, partner and platform events, syncs, partitions, network faults, crashes at
/// named points and batches, clock offsets, time passing, delivery rounds), then a delivery round
/// and "no message mailed twice", heal, sync everything and expect convergence.
/// The same seed makes the same document.
public struct ScenarioGenerator: Sendable {
    public var devices: ClosedRange<Int>
    public var steps: Int

    public init(devices: ClosedRange<Int>, steps: Int) {
        self.devices = devices
        self.steps = steps
    }

    static let words = ["samples", "box", "Monday", "invoice", "thanks", "photos", "launch", "colours", "order", "price"]
    static let dana = UserID(rawValue: "dana")!
    static let eli = UserID(rawValue: "eli")!
    static let partners = [PartnerID(rawValue: "p1")!, PartnerID(rawValue: "p2")!]

    /// The random scenario of `seed`.
    public func generate(seed: UInt64) -> ScenarioDocument {
        var rng = SplitMix64(seed: seed)
        let count = rng.int(in: devices)
        let deviceSpecs = (0..<count).map { index in
            DeviceSpec(name: "d\(index + 1)", user: index % 3 == 2 ? Self.eli : Self.dana,
                       clockOffsetMs: rng.chance(0.2) ? -Int64(clamping: rng.int(in: 1...72)) * 3_600_000 : 0)
        }
        let names = deviceSpecs.map(\.name)
        var labels = ["t1"]
        var events: [PlatformEventSpec] = []
        var steps: [Step] = [
            Step(.partner(PartnerEvent(partner: Self.partners[0], label: "t1", subject: "Samples", text: "Did they arrive?"))),
            Step(.sync(nil)),
        ]
        for _ in 0..<self.steps {
            steps.append(Step(randomStep(&rng, devices: names, labels: &labels, events: &events)))
        }
        // However often the delivery ran, no message was mailed twice.
        var once = MailExpectation()
        once.copies = 1
        steps += [Step(.deliver), Step(.expect(.mail(once))), Step(.heal), Step(.sync(nil)), Step(.expect(.converged([])))]
        return ScenarioDocument(name: "fuzz \(seed)", seed: seed, brand: BrandID(rawValue: "northwind")!,
                                users: [UserSpec(id: Self.dana), UserSpec(id: Self.eli)],
                                partners: Self.partners.map { PartnerSpec(id: $0) }, devices: deviceSpecs,
                                batchSize: rng.chance(0.3) ? 2 : nil, lenient: true, steps: steps)
    }

    private func randomStep(_ rng: inout SplitMix64, devices: [String], labels: inout [String],
                            events: inout [PlatformEventSpec]) -> StepAction {
        let device = rng.pick(devices)
        let thread = rng.pick(labels)
        let text = (0..<rng.int(in: 1...5)).map { _ in rng.pick(Self.words) }.joined(separator: " ")
        func newLabel() -> String {
            labels.append("t\(labels.count + 1)")
            return labels[labels.count - 1]
        }
        switch rng.int(below: 100) {
        case 0..<10: return .user(device: device, .reply(thread: thread, text: text), expectError: nil)
        case 10..<15: return .user(device: device, .read(thread: thread), expectError: nil)
        case 15..<17: return .user(device: device, .read(thread: thread, through: 1 + rng.int(below: 4)), expectError: nil)
        case 17..<22: return .user(device: device, .unread(thread: thread), expectError: nil)
        case 22..<33: return .user(device: device, .draft(.thread(thread), text: text, to: nil, subject: nil), expectError: nil)
        case 33..<36: return .user(device: device, .discard(.thread(thread)), expectError: nil)
        case 36..<41: return .user(device: device, .send(.thread(thread), label: nil), expectError: nil)
        case 41..<44:
            return .user(device: device, .compose(to: rng.pick(Self.partners), subject: "About \(rng.pick(Self.words))",
                                                  text: text, label: newLabel()), expectError: nil)
        case 44..<47:
            return .partner(PartnerEvent(partner: rng.pick(Self.partners), label: newLabel(), subject: "Hello", text: text))
        case 47..<53:
            return .partner(PartnerEvent(partner: Self.partners[0], thread: thread, text: text))
        case 53..<55:
            // The platform delivers an event again, now and then: nothing new may come of it.
            if !events.isEmpty, rng.chance(0.3) {
                var again = rng.pick(events)
                again.label = nil
                return .platform(again)
            }
            let kind = rng.pick(PlatformEventSpec.Kind.allCases)
            let event = PlatformEventSpec(kind: kind, partner: rng.pick(Self.partners),
                                          label: kind == .status ? nil : newLabel(),
                                          text: kind == .notify ? text : nil,
                                          status: kind == .status ? rng.pick(PartnershipStatus.allCases) : nil,
                                          id: kind == .status ? nil : "e\(events.count + 1)")
            if kind != .status { events.append(event) }
            return .platform(event)
        case 55..<68: return .sync([device])
        case 68..<72: return .sync(nil)
        case 72..<76: return .offline([device])
        case 76..<80: return .online([device])
        case 80..<88:
            let kind = rng.pick(Fault.Kind.allCases)
            return .fault(Fault(kind: kind, device: device, direction: rng.pick(Fault.Direction.allCases),
                                frame: rng.pick([.any, .ops, .ack, .hello, .welcome]), count: rng.int(in: 1...2),
                                delayMs: kind == .delay ? UInt64(rng.pick([20, 500, 40_000])) : 0,
                                skip: rng.chance(0.25) ? 1 : 0))
        case 88..<93:
            let node = rng.chance(0.3) ? "server" : device
            var point = rng.pick(CrashPoint.allCases)
            if node == "server", point == .afterAction { point = .afterCommit }
            var batch: ArmedFailpoint.Batch?
            if point.inSync, rng.chance(0.35) {
                batch = rng.chance(0.5) ? .number(rng.int(in: 2...3)) : .progress(rng.int(in: 25...75))
            }
            return .crash(node: node, CrashSpec(point, batch: batch))
        case 93..<95:
            return .clock(node: device, offsetMs: -Int64(clamping: rng.int(in: 0...96)) * 3_600_000)
        case 95..<97:
            return .deliver
        default:
            return .advance(ms: UInt64(rng.pick([60_000, 3_600_000, 86_400_000, 3 * 86_400_000])))
        }
    }
}
