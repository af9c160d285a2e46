import Causality
import Foundation
import PropertyBased
import Testing

@Suite("Dot and ReplicaID text")
struct TextFormTests {
    @Test("valid replica ids parse", arguments: [
        ("1", UInt64(1)), ("f", 15), ("d1", 0xd1), ("7f3a91c2d4e5b6a8", 0x7f3a_91c2_d4e5_b6a8),
        ("7fffffffffffffff", UInt64(Int64.max)),
    ])
    func validReplicaID(text: String, value: UInt64) throws {
        let id = try #require(ReplicaID(text: text))
        #expect(id.rawValue == value)
        #expect(id.description == text)
        #expect(id.isValid)
    }

    @Test("invalid replica ids are refused", arguments: [
        "", "0", "00", "8000000000000000", "ffffffffffffffff", "10000000000000000", "D1", "A", "x", "-1", "+1",
        " 1", "1 ", "1:", "0x1", "g", "１",
    ])
    func invalidReplicaID(text: String) {
        #expect(ReplicaID(text: text) == nil, "\"\(text)\" parsed")
    }

    @Test("valid dots parse and print back", arguments: [
        "1:1", "d1:42", "7fffffffffffffff:9223372036854775807", "5a:9",
    ])
    func validDot(text: String) throws {
        let dot = try #require(Dot(text: text))
        #expect(dot.description == text)
    }

    @Test("invalid dots are refused", arguments: [
        "", "1", "1:0", "0:1", "x:1", "1:x", "D1:1", ":1", "1:", "1:1:1", "1:-1", "1:+1", "1: 1", " 1:1",
        "8000000000000000:1", "1:18446744073709551616", "1:1.0", "1:١",
        // Counters are stored as SQLite's signed 64-bit integers: 1…Int64.max.
        "1:9223372036854775808", "1:18446744073709551615",
    ])
    func invalidDot(text: String) {
        #expect(Dot(text: text) == nil, "\"\(text)\" parsed")
    }

    @Test("every valid id and dot survives text and JSON round trips")
    func roundTrips() async {
        await propertyCheck(input: Gen.uint64(in: 1...ReplicaID.maxRawValue), Gen.uint64(in: 1...Dot.maxCounter)) { raw, counter in
            let id = ReplicaID(raw)
            #expect(ReplicaID(text: id.description) == id)
            let dot = Dot(replica: id, counter: counter)
            #expect(Dot(text: dot.description) == dot)
            let json = try JSONEncoder().encode([dot])
            #expect(try JSONDecoder().decode([Dot].self, from: json) == [dot])
        }
    }

    @Test("ids outside 1…Int64.max are invalid")
    func validity() {
        #expect(!ReplicaID(0).isValid)
        #expect(!ReplicaID(ReplicaID.maxRawValue + 1).isValid)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<100 { #expect(ReplicaID.random(using: &generator).isValid) }
    }

    @Test("a malformed dot in JSON is a decoding error")
    func decodingErrors() {
        for text in [#""1:0""#, #""x:1""#, #""""#, "1"] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(Dot.self, from: Data(text.utf8)) }
        }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ReplicaID.self, from: Data(#""0""#.utf8)) }
    }
}

@Suite("Canonical text forms")
struct CanonicalTextFormTests {
    @Test("leading zeros are refused, so each id has one text form", arguments: ["01:1", "1:01", "0d1:5", "d1:007"])
    func leadingZeros(text: String) {
        #expect(Dot(text: text) == nil)
    }

    @Test("parsing and printing round-trip exactly", arguments: ["1:1", "d1:42", "7f3a91c2d4e5b6a8:9"])
    func roundTrip(text: String) throws {
        #expect(try #require(Dot(text: text)).description == text)
    }
}
