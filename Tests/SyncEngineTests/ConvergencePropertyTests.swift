import Foundation
import Causality
import InboxModel
import Replica
import Scenario
import Testing
import Wire

/// Convergence as a property (cr-sqlite's test_sync_prop in Swift): devices make random changes
/// and sync at random; then every op is delivered to fresh replicas in random orders — causal and
/// not, with duplicates, in random batches. Every replica must reach the same state digest, and the
/// state must agree with a simple reference model. Failures print the seed; rerun with
/// OUTPOST_PROPERTY_SEED=seed to replay one case.
@Suite("Convergence property")
struct ConvergencePropertyTests {
    static var seeds: [UInt64] {
        if let text = ProcessInfo.processInfo.environment["OUTPOST_PROPERTY_SEED"], let seed = UInt64(text) {
            return [seed]
        }
        let runs = Int(ProcessInfo.processInfo.environment["OUTPOST_PROPERTY_RUNS"] ?? "") ?? 12
        return (1...UInt64(runs)).map { $0 &* 7919 }
    }

    @Test("random histories converge in any delivery order", arguments: seeds)
    func converge(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed ^ 0x5DEE_CE66_D1CE_4E5B)
        let server = try SyncSessionTests.server(conversations: 3)
        let devices = try (0..<3).map { index in
            try SyncSessionTests.device(0xd1 + UInt64(index), clockMs: 1_800_000_000_000 - UInt64(index) * 86_400_000)
        }
        for device in devices { _ = try LoopbackSync(device: device, server: server).run() }
        for _ in 0..<40 {
            let device = devices[rng.int(below: devices.count)]
            if rng.int(below: 4) == 0 {
                _ = try LoopbackSync(device: device, server: server).run()
            } else {
                try RandomAction.perform(on: device, rng: &rng)
            }
        }
        for _ in 0..<2 { for device in devices { _ = try LoopbackSync(device: device, server: server).run() } }

        let expected = try server.digest().state
        for device in devices {
            #expect(try device.digest().state == expected, "seed \(seed): device \(device.identity.replica) diverged")
        }
        var all: [Op] = []
        try server.journal { all += $0 }

        for order in 0..<3 {
            let fresh = try SyncSessionTests.device(0xe0 + UInt64(order))
            var delivery = order == 0 ? all : all.shuffled(using: &rng)
            delivery += (0..<rng.int(below: 8)).map { _ in all[rng.int(below: all.count)] }  // duplicates
            var index = 0
            while index < delivery.count {
                let size = 1 + rng.int(below: 25)
                try fresh.apply(Array(delivery[index..<min(index + size, delivery.count)]))
                index += size
            }
            #expect(try fresh.info().heldOps == 0, "seed \(seed): ops still held")
            #expect(try fresh.digest().state == expected, "seed \(seed): delivery order \(order) diverged")
            let problems = try ReferenceModel(ops: all, viewer: SyncSessionTests.dana).problems(in: fresh)
            #expect(problems.isEmpty, "seed \(seed): the replica disagrees with the reference model: \(problems)")
        }
    }
}

/// One random thing a user does on a device.
enum RandomAction {
    static func perform(on device: Replica, rng: inout SplitMix64) throws {
        let threads = try device.inbox(InboxFilter(limit: 100)).filter { $0.kind != .system }
        guard !threads.isEmpty else { return }
        let thread = threads[rng.int(below: threads.count)].id
        let words = ["samples", "box", "Monday", "invoice", "thanks", "photos", "launch", "colours"]
        let text = (0..<(1 + rng.int(below: 6))).map { _ in words[rng.int(below: words.count)] }.joined(separator: " ")
        switch rng.int(below: 8) {
        case 0: try device.reply(to: thread, text: text)
        case 1: try device.markRead(thread)
        case 2: try device.markUnread(thread)
        case 3, 4: try device.saveDraft(thread, text: text)
        case 5:
            if (try? device.draft(.conversation(thread)))?.versions.count == 1 {
                try device.sendDraft(.conversation(thread))
            }
        case 6:
            if !(try device.draft(.conversation(thread))).versions.isEmpty { try device.discardDraft(.conversation(thread)) }
        default:
            try device.compose(to: SyncSessionTests.partner, subject: "About \(words[rng.int(below: words.count)])", text: text)
        }
    }
}
