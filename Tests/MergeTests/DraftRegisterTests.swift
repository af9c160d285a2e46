import Causality
import InboxModel
import Merge
import Testing

@Suite("DraftRegister")
struct DraftRegisterTests {
    let key = DraftKey.conversation(conversation)

    func stamp(_ wall: UInt64, _ replica: ReplicaID) -> HLCTimestamp {
        HLCTimestamp(wall: wall, logical: 0, replica: replica)
    }

    @Test("concurrent saves are both kept, whatever the order they arrive in")
    func concurrentSavesKept() {
        let onLaptop = (SaveDraft(key: key, text: "Laptop text"), Dot(replica: laptop, counter: 5), stamp(100, laptop))
        let onTablet = (SaveDraft(key: key, text: "Tablet text"), Dot(replica: tablet, counter: 2), stamp(90, tablet))
        var a = DraftRegister(), b = DraftRegister()
        a.apply(save: onLaptop.0, dot: onLaptop.1, stamp: onLaptop.2)
        a.apply(save: onTablet.0, dot: onTablet.1, stamp: onTablet.2)
        b.apply(save: onTablet.0, dot: onTablet.1, stamp: onTablet.2)
        b.apply(save: onLaptop.0, dot: onLaptop.1, stamp: onLaptop.2)
        #expect(a == b)
        #expect(a.isConflict)
        #expect(a.versions.map(\.text) == ["Tablet text", "Laptop text"], "oldest stamp first")
        #expect(Set(a.visibleDots) == [onLaptop.1, onTablet.1])
    }

    @Test("a save supersedes only the versions it saw")
    func supersedeOnlySeen() {
        var register = DraftRegister()
        let v1 = Dot(replica: laptop, counter: 1), v2 = Dot(replica: tablet, counter: 1), v3 = Dot(replica: laptop, counter: 2)
        register.apply(save: SaveDraft(key: key, text: "one"), dot: v1, stamp: stamp(10, laptop))
        register.apply(save: SaveDraft(key: key, text: "two"), dot: v2, stamp: stamp(11, tablet))
        // The laptop saw only its own v1.
        register.apply(save: SaveDraft(key: key, text: "three", supersedes: [v1]), dot: v3, stamp: stamp(12, laptop))
        #expect(register.versions.map(\.dot) == [v2, v3])
        // A save that saw both resolves the conflict.
        let v4 = Dot(replica: tablet, counter: 2)
        register.apply(save: SaveDraft(key: key, text: "merged", supersedes: register.visibleDots), dot: v4,
                       stamp: stamp(13, tablet))
        #expect(!register.isConflict)
        #expect(register.versions.map(\.text) == ["merged"])
    }

    @Test("sending supersedes only what the sender saw; a concurrent edit survives")
    func sendSupersedesOnlySeen() {
        var register = DraftRegister()
        let mine = Dot(replica: laptop, counter: 1), theirs = Dot(replica: tablet, counter: 1)
        register.apply(save: SaveDraft(key: key, text: "reply"), dot: mine, stamp: stamp(10, laptop))
        register.apply(save: SaveDraft(key: key, text: "edit on the tablet"), dot: theirs, stamp: stamp(11, tablet))
        register.supersede([mine])   // the laptop sent the version it had
        #expect(register.versions.map(\.text) == ["edit on the tablet"])
        register.supersede([mine])   // the same send again changes nothing
        #expect(register.versions.count == 1)
        register.supersede([theirs])
        #expect(register.isEmpty)
    }

    @Test("versions keep the compose draft's partner and subject")
    func composeFields() {
        var register = DraftRegister()
        let dot = Dot(replica: laptop, counter: 1)
        register.apply(save: SaveDraft(key: .compose(dot), text: "Hello", partner: alpine, subject: "Autumn"),
                       dot: dot, stamp: stamp(10, laptop))
        #expect(register.versions.first?.partner == alpine)
        #expect(register.versions.first?.subject == "Autumn")
        #expect(DraftRegister(versions: [
            DraftVersion(dot: Dot(replica: tablet, counter: 1), stamp: stamp(20, tablet), text: "b"),
            DraftVersion(dot: dot, stamp: stamp(10, laptop), text: "a"),
        ]).versions.map(\.text) == ["a", "b"])
    }

    @Test("the register answers what a device may do: resolve, keep, save again")
    func queries() {
        let v1 = Dot(replica: laptop, counter: 1), v2 = Dot(replica: tablet, counter: 1)
        var register = DraftRegister()
        #expect(register.isEmpty && !register.isConflict && register.newest == nil && register.visibleDots.isEmpty)
        register.apply(save: SaveDraft(key: key, text: "one"), dot: v1, stamp: stamp(20, laptop))
        #expect(register.holdsOnly("one") && !register.holdsOnly("two") && !register.isConflict)
        register.apply(save: SaveDraft(key: key, text: "one"), dot: v2, stamp: stamp(10, tablet))
        #expect(!register.holdsOnly("one"), "two live versions: saving resolves the conflict")
        #expect(register.isConflict)
        #expect(register.newest?.dot == v1, "newest by stamp, not by dot")
        #expect(register.version(v2)?.text == "one" && register.version(Dot(replica: laptop, counter: 9)) == nil)
        #expect(register.visibleDots == [v2, v1])
    }

    @Test("changes name exactly the versions dropped and added")
    func changes() {
        let v1 = Dot(replica: laptop, counter: 1), v2 = Dot(replica: tablet, counter: 1), v3 = Dot(replica: laptop, counter: 2)
        var old = DraftRegister()
        old.apply(save: SaveDraft(key: key, text: "one"), dot: v1, stamp: stamp(10, laptop))
        old.apply(save: SaveDraft(key: key, text: "two"), dot: v2, stamp: stamp(11, tablet))
        var new = old
        new.apply(save: SaveDraft(key: key, text: "three", supersedes: [v1]), dot: v3, stamp: stamp(12, laptop))
        let (removed, added) = new.changes(from: old)
        #expect(removed.map(\.dot) == [v1])
        #expect(added.map(\.dot) == [v3] && added.first?.supersedes == [v1])
        #expect(new.changes(from: new).removed.isEmpty && new.changes(from: new).added.isEmpty)
    }

    @Test("the ancestor is the newest save both versions superseded, or the empty draft when none")
    func ancestor() {
        let a1 = DraftVersion(dot: Dot(replica: laptop, counter: 1), stamp: stamp(10, laptop), text: "Hi Sam, the box")
        let a2 = DraftVersion(dot: Dot(replica: tablet, counter: 1), stamp: stamp(20, tablet), text: "Hi Sam, the old box")
        let a3 = DraftVersion(dot: Dot(replica: laptop, counter: 2), stamp: stamp(30, laptop), text: "only the laptop saw")
        let ours = DraftVersion(dot: Dot(replica: laptop, counter: 3), stamp: stamp(40, laptop),
                                text: "Hi Sam, the red old box", supersedes: [a1.dot, a2.dot, a3.dot])
        let theirs = DraftVersion(dot: Dot(replica: tablet, counter: 2), stamp: stamp(41, tablet),
                                  text: "Hello Sam, the old box", supersedes: [a2.dot, a1.dot])
        let register = DraftRegister(versions: [theirs, ours])
        #expect(register.commonSuperseded == [a1.dot, a2.dot])
        #expect(register.ancestorText(among: [a1, a2, a3]) == a2.text, "the greatest stamp of the common ones")
        #expect(register.ancestorText(among: [a2, a1]) == a2.text)
        #expect(register.ancestorText(among: [a1, a3]) == a1.text, "a3 was not superseded by both")
        #expect(register.ancestorText(among: [a3]) == nil, "no common save known")
        #expect(register.reading(ancestors: [a1, a2, a3]) == .merged(text: "Hello Sam, the red old box", from: [ours, theirs]))
        // Against the older a1 both sides seem to insert "old": the wrong ancestor doubles it.
        #expect(register.reading(ancestors: [a1]) == .merged(text: "Hello Sam, the old red old box", from: [ours, theirs]))
        #expect(register.reading(ancestors: []) == .conflict([ours, theirs]), "an unknown ancestor is a conflict")
        let fresh = DraftRegister(versions: [
            DraftVersion(dot: Dot(replica: laptop, counter: 5), stamp: stamp(50, laptop), text: "Thanks!"),
            DraftVersion(dot: Dot(replica: tablet, counter: 5), stamp: stamp(51, tablet), text: "Thanks!"),
        ])
        #expect(fresh.commonSuperseded.isEmpty && fresh.ancestorText(among: []) == "")
        #expect(fresh.reading(ancestors: []) == .merged(text: "Thanks!", from: fresh.versions))
        #expect(DraftRegister(versions: [ours]).commonSuperseded.isEmpty, "one version has no merge")
        #expect(DraftRegister(versions: [ours]).reading(ancestors: [a1]) == .single(ours))
        #expect(DraftRegister().reading(ancestors: []) == .empty)
        let three = DraftRegister(versions: [ours, theirs, a3])
        #expect(three.commonSuperseded.isEmpty && three.reading(ancestors: [a1, a2]) == .conflict(three.versions))
    }

    @Test("versions with different partners or subjects are never merged")
    func composeFieldsConflict() {
        let a = DraftVersion(dot: Dot(replica: laptop, counter: 1), stamp: stamp(10, laptop), text: "Hi", subject: "Autumn")
        let b = DraftVersion(dot: Dot(replica: tablet, counter: 1), stamp: stamp(11, tablet), text: "Hi", subject: "Spring")
        #expect(DraftRegister(versions: [a, b]).reading(ancestors: []) == .conflict([a, b]))
        let c = DraftVersion(dot: Dot(replica: tablet, counter: 1), stamp: stamp(11, tablet), text: "Hi", partner: alpine,
                             subject: "Autumn")
        #expect(DraftRegister(versions: [a, c]).reading(ancestors: []) == .conflict([a, c]))
    }
}

@Suite("LastWriterWins")
struct LastWriterWinsTests {
    @Test("the greater stamp wins; ties on time go to the greater replica")
    func replaces() {
        let old = HLCTimestamp(wall: 100, logical: 0, replica: server)
        #expect(LastWriterWins.replaces(current: nil, incoming: old))
        #expect(LastWriterWins.replaces(current: old, incoming: HLCTimestamp(wall: 101, logical: 0, replica: server)))
        #expect(LastWriterWins.replaces(current: old, incoming: HLCTimestamp(wall: 100, logical: 1, replica: server)))
        #expect(!LastWriterWins.replaces(current: old, incoming: old), "the same write again changes nothing")
        #expect(!LastWriterWins.replaces(current: old, incoming: HLCTimestamp(wall: 99, logical: 7, replica: tablet)))
        let tie = HLCTimestamp(wall: 100, logical: 0, replica: tablet)
        #expect(LastWriterWins.replaces(current: old, incoming: tie))
        #expect(!LastWriterWins.replaces(current: tie, incoming: old))
    }

    @Test("every arrival order picks the same winner")
    func orderIndependent() {
        let stamps = [
            HLCTimestamp(wall: 5, logical: 0, replica: server), HLCTimestamp(wall: 5, logical: 0, replica: tablet),
            HLCTimestamp(wall: 4, logical: 9, replica: laptop), HLCTimestamp(wall: 5, logical: 1, replica: server),
        ]
        func winner(_ order: [HLCTimestamp]) -> HLCTimestamp? {
            order.reduce(nil) { current, incoming in
                LastWriterWins.replaces(current: current, incoming: incoming) ? incoming : current
            }
        }
        var orders: [[HLCTimestamp]] = [[]]
        for stamp in stamps {
            orders = orders.flatMap { order in (0...order.count).map { index in
                var copy = order
                copy.insert(stamp, at: index)
                return copy
            } }
        }
        #expect(orders.count == 24)
        for order in orders { #expect(winner(order) == stamps[3]) }
    }
}
