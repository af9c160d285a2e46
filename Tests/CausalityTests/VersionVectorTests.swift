import Causality
import Foundation
import PropertyBased
import Testing

/// Version vectors over a handful of replicas (so that generated vectors overlap), including the
/// largest valid replica id.
let replicaPool: [UInt64] = [1, 2, 3, 0xd1, ReplicaID.maxRawValue]

let vectorGen = zip(Gen.uint64(in: 0...UInt64(replicaPool.count - 1)), Gen.uint64(in: 0...12))
    .array(of: 0...6)
    .map { pairs in
        var entries: [ReplicaID: UInt64] = [:]
        for (index, counter) in pairs { entries[ReplicaID(replicaPool[Int(index)]), default: 0] = counter }
        return VersionVector(entries)
    }

let dotGen = zip(Gen.uint64(in: 0...UInt64(replicaPool.count - 1)), Gen.uint64(in: 1...14))
    .map { index, counter in Dot(replica: ReplicaID(replicaPool[Int(index)]), counter: counter) }

@Suite("VersionVector")
struct VersionVectorTests {
    @Test("join is commutative")
    func joinCommutative() async {
        await propertyCheck(input: vectorGen, vectorGen) { a, b in
            #expect(a.joined(with: b) == b.joined(with: a))
        }
    }

    @Test("join is associative")
    func joinAssociative() async {
        await propertyCheck(input: vectorGen, vectorGen, vectorGen) { a, b, c in
            #expect(a.joined(with: b).joined(with: c) == a.joined(with: b.joined(with: c)))
        }
    }

    @Test("join is idempotent and includes both sides")
    func joinIdempotent() async {
        await propertyCheck(input: vectorGen, vectorGen) { a, b in
            #expect(a.joined(with: a) == a)
            let ab = a.joined(with: b)
            #expect(ab.joined(with: b) == ab)
            #expect(ab.includes(a) && ab.includes(b))
            // Pointwise maximum, entry by entry.
            for id in replicaPool.map(ReplicaID.init(rawValue:)) {
                #expect(ab[id] == max(a[id], b[id]))
            }
        }
    }

    @Test("compare agrees with includes")
    func compareConsistentWithIncludes() async {
        await propertyCheck(input: vectorGen, vectorGen) { a, b in
            let order = a.compare(to: b)
            switch order {
            case .equal: #expect(a == b && a.includes(b) && b.includes(a))
            case .after: #expect(a.includes(b) && !b.includes(a) && a != b)
            case .before: #expect(b.includes(a) && !a.includes(b) && a != b)
            case .concurrent: #expect(!a.includes(b) && !b.includes(a))
            }
            // Antisymmetry: the reverse comparison is the mirror image.
            let mirrored: CausalOrder = switch order {
            case .after: .before
            case .before: .after
            default: order
            }
            #expect(b.compare(to: a) == mirrored)
            // A join is never before either side.
            #expect([.equal, .after].contains(a.joined(with: b).compare(to: a)))
        }
    }

    @Test("covers: exactly the dots at or below each entry")
    func coversProperty() async {
        await propertyCheck(input: vectorGen, dotGen) { vector, dot in
            #expect(vector.covers(dot) == (dot.counter <= vector[dot.replica]))
            var advanced = vector
            advanced.advance(dot)
            #expect(advanced.covers(dot))
            #expect(advanced.includes(vector))
            #expect(advanced == vector.joined(with: VersionVector([dot.replica: dot.counter])))
        }
    }

    @Test("covers and includes on known values")
    func coversExamples() {
        let r1 = ReplicaID(1), r2 = ReplicaID(2)
        var seen = VersionVector()
        seen.advance(Dot(replica: r1, counter: 3))
        #expect(seen.covers(Dot(replica: r1, counter: 1)))
        #expect(seen.covers(Dot(replica: r1, counter: 3)))
        #expect(!seen.covers(Dot(replica: r1, counter: 4)))
        #expect(!seen.covers(Dot(replica: r2, counter: 1)))
        seen.advance(Dot(replica: r1, counter: 2))
        #expect(seen[r1] == 3, "advance never lowers an entry")
        #expect(VersionVector([r1: 0, r2: 0]) == VersionVector(), "zero entries are dropped")
        #expect(VersionVector([r1: 2]).compare(to: VersionVector([r2: 1])) == .concurrent)
        #expect(VersionVector([r1: 2, r2: 1]).dots(above: VersionVector([r1: 2])) == [Dot(replica: r2, counter: 1)])
    }

    @Test("Codable round trip, as a sorted list of dots")
    func codableRoundTrip() async throws {
        await propertyCheck(input: vectorGen) { vector in
            let data = try JSONEncoder().encode(vector)
            #expect(try JSONDecoder().decode(VersionVector.self, from: data) == vector)
        }
        let vector = VersionVector([ReplicaID(0x2f): 9, ReplicaID(1): 4])
        #expect(String(decoding: try JSONEncoder().encode(vector), as: UTF8.self) == #"["1:4","2f:9"]"#)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(VersionVector.self, from: Data(#"["1:0"]"#.utf8))
        }
    }
}
