import Foundation
import InboxModel

/// The journal's payload encoding: one op as compact JSON with sorted keys (stable bytes for the
/// same op). The wire has its own encoding; this one is for the replica file only.
enum OpCodec {
    static func encode(_ op: Op) throws(ReplicaError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(op)
        } catch {
            throw ReplicaError(.invalidOp, "op \(op.dot) cannot be encoded: \(error)", underlying: error)
        }
    }

    static func decode(_ data: Data) throws(ReplicaError) -> Op {
        do {
            return try JSONDecoder().decode(Op.self, from: data)
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
