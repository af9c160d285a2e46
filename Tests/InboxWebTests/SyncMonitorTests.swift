import Testing
@testable import InboxWeb

@Suite("Sync monitor: status and live-update notifications")
struct SyncMonitorTests {
    @Test("subscribers get each change; close ends their streams")
    func notifies() async {
        let monitor = SyncMonitor(enrolled: true)
        let (changes, _) = monitor.subscribe()
        monitor.changed()
        var iterator = changes.makeAsyncIterator()
        let first = await iterator.next()
        #expect(first == 1)
        monitor.localChange()
        let second = await iterator.next()
        #expect(second == 2)
        monitor.close()
        let end = await iterator.next()
        #expect(end == nil)
        let (late, _) = monitor.subscribe()
        var lateIterator = late.makeAsyncIterator()
        let none = await lateIterator.next()
        #expect(none == nil, "a stream opened after close ends at once")
    }

    @Test("work offline pauses; going online asks the loop to reconnect now")
    func pause() {
        let monitor = SyncMonitor(enrolled: true)
        monitor.set(.online)
        #expect(monitor.snapshot.connection == .online)
        monitor.setPaused(true)
        #expect(monitor.isPaused && monitor.snapshot.connection == .paused)
        monitor.set(.offline, error: "cannot reach the server")
        #expect(monitor.snapshot.connection == .paused, "a paused loop stays paused whatever the session says")
        monitor.setPaused(false)
        #expect(!monitor.isPaused && monitor.snapshot.connection == .connecting)
        #expect(monitor.takeReconnectRequest())
        #expect(!monitor.takeReconnectRequest(), "the request is taken once")
    }

    @Test("a replica without a server stays standalone")
    func standalone() {
        let monitor = SyncMonitor(enrolled: false)
        monitor.set(.online)
        monitor.setPaused(true)
        #expect(monitor.snapshot.connection == .notEnrolled)
        let bar = StatusBar(connection: monitor.snapshot.connection, paused: false, pending: 2, lastSyncMs: nil,
                            conflicts: 1, error: nil)
        #expect(!bar.enrolled && bar.connection == "standalone")
        #expect(bar.pendingText == "2 changes waiting to go up" && bar.conflictText == "1 draft in conflict")
        #expect(bar.lastSync == "Never synced")
    }
}
