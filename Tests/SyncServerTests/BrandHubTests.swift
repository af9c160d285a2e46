import Causality
import Foundation
import InboxModel
import OutpostTestSupport
import Replica
import Testing
import Wire
@testable import SyncServer

@Suite("The brand hub: who is told that the brand replica changed")
struct BrandHubTests {
    /// What a subscription's change stream holds once it is closed: one element if it was woken.
    static func wakes(_ subscription: BrandHub.Subscription, _ hub: BrandHub) async -> Int {
        hub.unsubscribe(subscription.id)
        var count = 0
        for await _ in subscription.changes { count += 1 }
        return count
    }

    @Test("a device's own batch wakes the brand's other sessions, not its own")
    func originIsNotWoken() async throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        let dana = try world.enroll(TestWorld.dana).enrollment.replica
        let sam = try world.enroll(TestWorld.sam).enrollment.replica
        let record = try #require(try world.store.device(dana))
        let hub = BrandHub()
        let own = hub.subscribe(brand: TestWorld.northwind, replica: dana)
        let other = hub.subscribe(brand: TestWorld.northwind, replica: sam)
        let elsewhere = hub.subscribe(brand: TestWorld.acme, replica: ReplicaID(0x777))
        let store = DeviceScopedStore(replica: try world.brandReplica(), device: record, hub: hub, metrics: ServerMetrics())
        let op = ValidationTests.start(Dot(replica: dana, counter: 1), actor: .user(TestWorld.dana))
        _ = try store.applyBatch([try EncodedOp(op)], checkedBy: record.scope, nowMs: SystemClock().nowMilliseconds())
        #expect(await Self.wakes(own, hub) == 0)
        #expect(await Self.wakes(other, hub) == 1)
        #expect(await Self.wakes(elsewhere, hub) == 0)
    }

    @Test("a change from elsewhere (no origin) wakes every session of the brand")
    func changeWithoutOrigin() async {
        let hub = BrandHub()
        let first = hub.subscribe(brand: TestWorld.northwind, replica: ReplicaID(0xd1))
        let second = hub.subscribe(brand: TestWorld.northwind, replica: ReplicaID(0xd2))
        hub.changed(TestWorld.northwind)
        #expect(await Self.wakes(first, hub) == 1)
        #expect(await Self.wakes(second, hub) == 1)
    }
}
