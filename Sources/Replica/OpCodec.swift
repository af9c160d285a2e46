import Foundation
import InboxModel
import Wire

/// The journal's payload encoding: the op's protobuf payload from `Wire` (``OpPayload``), the
/// same bytes the wire carries (``EncodedOp``). Replicas written before schema v5's code stored
/// JSON (the op's Codable form with sorted keys); the v6 migration rewrites those
/// (``decodeStored(_:)``).
enum OpCodec {
    static func encode(_ op: Op) throws(ReplicaError) -> Data {
        Data(try encoded(op).bytes)
    }

    static func encoded(_ op: Op) throws(ReplicaError) -> EncodedOp {
        do {
            return try EncodedOp(op)
        } catch {
            throw ReplicaError(.invalidOp, "op \(op.dot) cannot be encoded: \(error)", underlying: error)
        }
    }

    /// A stored payload in either form: JSON (it starts with `{`, which no protobuf payload does:
    /// that would be a field this schema lacks) or protobuf. Only the v6 migration meets JSON.
    static func decodeStored(_ data: Data) throws(ReplicaError) -> Op {
        if data.first == UInt8(ascii: "{") {
            do {
                return try JSONDecoder().decode(Op.self, from: data)
            } catch {
                throw ReplicaError(.corrupt, "a journal entry cannot be read: \(error)", underlying: error)
            }
        }
        return try decode(data)
    }

    static func decode(_ data: Data) throws(ReplicaError) -> Op {
        do {
            return try OpPayload.decode([UInt8](data))
        } catch {
            throw ReplicaError(.corrupt, "a journal entry cannot be read: \(error)", underlying: error)
        }
    }

    static func encodeJSON(_ value: some Encodable) throws(ReplicaError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw ReplicaError(.corrupt, "cannot encode state: \(error)", underlying: error)
        }
    }

    static func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String) throws(ReplicaError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw ReplicaError(.corrupt, "stored state cannot be read: \(error)", underlying: error)
        }
    }
}
